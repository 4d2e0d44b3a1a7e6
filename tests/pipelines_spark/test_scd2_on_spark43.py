"""The SCD 2 code `sharepack render` generates, run by Spark Declarative Pipelines on PySpark 4.3.

`make test-pipelines` runs this module in .venv-spark43 (PySpark 4.3, no Delta: see scd2.py for the
source shaped like Delta's change feed) and the rest of the folder in .venv-spark (4.2 with Delta).
The code runs byte for byte as rendered; its target is stored in Spark's reference row-level
catalog, as the SCD 1 targets are (test_generated_code_on_spark). Two runs, and after each the
target's rows — current and closed versions, with `__START_AT` and `__END_AT` — compared one by
one with what AUTO CDC documents for the commits made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyspark
import pytest

from tests.pipelines_spark import scd2
from tests.pipelines_spark.cases import SOURCE_DB, TARGET_DB
from tests.pipelines_spark.scenario import SCHEMA_MARKER, render
from tests.pipelines_spark.spark_engine import TARGET_CATALOG, FlowOutcome, SparkEngine, write_project

pytestmark = pytest.mark.skipif(
    tuple(int(part) for part in pyspark.__version__.split(".")[:2]) < (4, 3),
    reason="SCD 2 needs PySpark 4.3 (make test-pipelines runs this module in .venv-spark43)",
)


@dataclass
class Scd2Run:
    outcome: FlowOutcome
    rows: frozenset[tuple[Any, ...]]
    columns: list[str]
    properties: dict[str, str]


@pytest.fixture(scope="module")
def scd2_runs(engine: SparkEngine, tmp_path_factory: pytest.TempPathFactory) -> tuple[Scd2Run, Scd2Run]:
    work = tmp_path_factory.mktemp("scd2")
    pack = work / "pack.yaml"
    pack.write_text(scd2.pack_yaml(), encoding="utf-8")
    code = render(pack, scd2.PIPELINE)
    engine.sql(f"CREATE SCHEMA IF NOT EXISTS spark_catalog.{SOURCE_DB}")
    engine.sql(f"CREATE TABLE {scd2.SOURCE} ({scd2.SOURCE_DDL}) USING parquet")
    engine.sql(f"CREATE NAMESPACE IF NOT EXISTS {TARGET_CATALOG}.{TARGET_DB}")
    engine.sql(f"CREATE TABLE IF NOT EXISTS {TARGET_CATALOG}.{TARGET_DB}.{SCHEMA_MARKER} (id INT)")
    spec = write_project(work / "project", {scd2.PIPELINE: code}, TARGET_CATALOG, TARGET_DB)

    def run(commits: tuple[tuple[int, str, tuple[scd2.Change, ...]], ...]) -> Scd2Run:
        for version, _statement, changes in commits:
            engine.sql(scd2.insert_statement(version, changes))
        outcome = engine.run_pipeline(spec).outcome(scd2.TABLE)
        table = engine.spark.table(scd2.TARGET)
        properties = {
            row["key"]: row["value"]
            for row in engine.spark.sql(f"SHOW TBLPROPERTIES {scd2.TARGET}").collect()
        }
        rows = frozenset(engine.rows(scd2.TARGET, scd2.TARGET_COLUMNS))
        return Scd2Run(outcome, rows, table.columns, properties)

    return run(scd2.FIRST), run(scd2.SECOND)


def _diff(expected: frozenset[tuple[Any, ...]], actual: frozenset[tuple[Any, ...]]) -> str:
    return f"missing {sorted(expected - actual, key=str)}, unexpected {sorted(actual - expected, key=str)}"


def test_scd2_target_holds_every_version_with_its_start_and_end_after_each_run(
    scd2_runs: tuple[Scd2Run, Scd2Run],
) -> None:
    for name, run, expected in (
        ("first", scd2_runs[0], scd2.EXPECTED_FIRST),
        ("second", scd2_runs[1], scd2.EXPECTED_SECOND),
    ):
        assert run.outcome.state == "COMPLETED", f"{run.outcome.state}: {run.outcome.message}"
        assert run.rows == expected, f"after the {name} run: {_diff(expected, run.rows)}"


def test_each_key_has_at_most_one_current_version_and_a_changed_key_none(
    scd2_runs: tuple[Scd2Run, Scd2Run],
) -> None:
    current = sorted(row[0] for row in scd2_runs[1].rows if row[3] is None)
    assert current == [2, 3]  # 1 became 10, 10 and 4 were deleted; the NULL key never arrived


def test_scd2_target_has_the_source_columns_and_refuses_a_full_refresh(
    scd2_runs: tuple[Scd2Run, Scd2Run],
) -> None:
    run = scd2_runs[1]
    # The feed's own columns and the sequence left out; AUTO CDC's two added (and its bookkeeping).
    assert run.columns[: len(scd2.TARGET_COLUMNS)] == scd2.TARGET_COLUMNS
    assert set(run.columns) - set(scd2.TARGET_COLUMNS) == {"__spark_autocdc_metadata"}
    assert run.properties.get("pipelines.reset.allowed") == "false"
