"""Fixtures for running the generated code on Spark: one server, two runs of every case's pipeline.

Only `make test-pipelines` collects this folder (tests/conftest.py leaves it out otherwise): it
needs Java and the environments that target builds — PySpark 4.2 + Delta in .venv-spark, PySpark
4.3 in .venv-spark43 (test_scd2_on_spark43). The server is the installed PySpark's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pipelines_spark.scenario import Runs, run_cases
from tests.pipelines_spark.spark_engine import SparkEngine, spark_engine


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkEngine]:
    cache = Path(os.environ.get("SHAREPACK_SPARK_CACHE") or Path.home() / ".cache" / "sharepack" / "spark")
    with spark_engine(tmp_path_factory.mktemp("spark"), cache) as running:
        yield running


@pytest.fixture(scope="session")
def runs(engine: SparkEngine, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Every case's pipeline run twice: once after the first commits, once more after the second."""
    return run_cases(engine, tmp_path_factory.mktemp("project"))
