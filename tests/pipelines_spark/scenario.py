"""The scenario every case goes through: render, commit, run, commit again, run again — and
what each run left behind, for the tests to compare."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.pipelines_spark.cases import CASES, SOURCE_DB, TARGET_DB, Case, pack_yaml
from tests.pipelines_spark.spark_engine import (
    TARGET_CATALOG,
    FlowOutcome,
    PipelineRun,
    SparkEngine,
    write_project,
)

SCHEMA_MARKER = "schema_marker"


@dataclass
class Snapshot:
    """What one pipeline run left behind for one case."""

    outcome: FlowOutcome
    rows: frozenset[tuple[Any, ...]] | None  # None: the target could not be read
    columns: list[str] = field(default_factory=list)  # the target's columns, as the engine created it
    history: list[tuple[int, str]] = field(default_factory=list)  # the target's Delta log: version, operation


@dataclass
class Runs:
    sources: dict[str, str]  # pipeline -> the code `sharepack render` printed for it
    first: dict[str, Snapshot]  # pipeline -> after the first run
    second: dict[str, Snapshot]  # pipeline -> after the second run
    logs: tuple[dict[str, PipelineRun], dict[str, PipelineRun]]


def render(pack: Path, pipeline: str) -> str:
    """The pipeline's code exactly as `sharepack render PACK NAME` prints it."""
    sharepack = Path(sys.executable).parent / "sharepack"
    result = subprocess.run(
        [str(sharepack), "render", str(pack), pipeline], capture_output=True, text=True, check=True
    )
    return result.stdout


def _snapshot(engine: SparkEngine, case: Case, outcome: FlowOutcome) -> Snapshot:
    if not engine.spark.catalog.tableExists(case.target):
        return Snapshot(outcome, None)
    table = engine.spark.table(case.target)
    history = (
        sorted(
            (row["version"], row["operation"])
            for row in engine.spark.sql(f"DESCRIBE HISTORY {case.target}").collect()
        )
        if case.catalog == "spark_catalog"
        else []
    )
    rows = frozenset(engine.rows(case.target, case.column_names)) if outcome.state == "COMPLETED" else None
    return Snapshot(outcome, rows, table.columns, history)


def _commit(engine: SparkEngine, case: Case, statements: tuple[str, ...]) -> None:
    for statement in statements:
        engine.sql(statement.format(t=case.source))


def run_cases(engine: SparkEngine, work: Path) -> Runs:
    """Every case's pipeline in one project, run twice: once after the first commits, once more
    after the second — two `spark-pipelines run`s in all."""
    pack = work / "pack.yaml"
    pack.write_text(pack_yaml(), encoding="utf-8")
    sources = {case.pipeline: render(pack, case.pipeline) for case in CASES}

    engine.sql(f"CREATE SCHEMA IF NOT EXISTS spark_catalog.{SOURCE_DB}")
    engine.sql(f"CREATE SCHEMA IF NOT EXISTS spark_catalog.{TARGET_DB}")
    for case in CASES:
        engine.sql(
            f"CREATE TABLE {case.source} ({case.columns}) USING DELTA "
            "TBLPROPERTIES (delta.enableChangeDataFeed = true)"
        )
        _commit(engine, case, case.first)

    catalogs = sorted({case.catalog for case in CASES})
    for catalog in catalogs:
        engine.sql(f"CREATE NAMESPACE IF NOT EXISTS {catalog}.{TARGET_DB}")
    # The row-level catalog shares its tables between sessions but keeps namespaces per session:
    # a table in the schema is what makes the schema exist for the pipeline's session too.
    engine.sql(f"CREATE TABLE {TARGET_CATALOG}.{TARGET_DB}.{SCHEMA_MARKER} (id INT)")
    specs = {
        catalog: write_project(
            work / catalog,
            {case.pipeline: sources[case.pipeline] for case in CASES if case.catalog == catalog},
            catalog,
            TARGET_DB,
        )
        for catalog in catalogs
    }
    first_runs = {catalog: engine.run_pipeline(spec) for catalog, spec in specs.items()}
    first = {
        case.pipeline: _snapshot(engine, case, first_runs[case.catalog].outcome(case.table)) for case in CASES
    }
    for case in CASES:
        _commit(engine, case, case.second)
    second_runs = {catalog: engine.run_pipeline(spec) for catalog, spec in specs.items()}
    second = {
        case.pipeline: _snapshot(engine, case, second_runs[case.catalog].outcome(case.table)) for case in CASES
    }
    return Runs(sources, first, second, (first_runs, second_runs))
