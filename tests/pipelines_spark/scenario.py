"""The scenario every case goes through: render, commit, run, commit again, run again — and
what each run left behind, for the tests to compare."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.pipelines_spark.cases import CASES, SOURCE_DB, TARGET_DB, WRONG_KEYS, Case, pack_yaml
from tests.pipelines_spark.spark_engine import (
    TARGET_CATALOG,
    FlowOutcome,
    PipelineRun,
    SparkEngine,
    write_project,
)

# The row-level catalog shares its tables between sessions but keeps namespaces per session: a
# table in the schema is what makes the schema exist for the pipeline's session too.
SCHEMA_MARKER = "schema_marker"


@dataclass
class Snapshot:
    """What one pipeline run left behind for one case."""

    outcome: FlowOutcome
    rows: frozenset[tuple[Any, ...]] | None  # None: the target could not be read
    columns: list[str] = field(default_factory=list)  # the target's columns, as the engine created it
    source_version: int = 0  # the source's latest Delta version: the last commit the run could read
    # The flow's streaming checkpoints (one per full refresh), each with the source version every
    # micro-batch read up to: what the engine itself recorded having processed.
    batches: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Runs:
    sources: dict[str, str]  # pipeline -> the code `sharepack render` printed for it
    first: dict[str, Snapshot]  # pipeline -> after the first run
    second: dict[str, Snapshot]  # pipeline -> after the second run
    wrong_keys: tuple[Snapshot, Snapshot]  # WRONG_KEYS after each run
    logs: list[PipelineRun]


def render(pack: Path, pipeline: str) -> str:
    """The pipeline's code exactly as `sharepack render PACK NAME` prints it."""
    sharepack = Path(sys.executable).parent / "sharepack"
    result = subprocess.run(
        [str(sharepack), "render", str(pack), pipeline], capture_output=True, text=True, check=True
    )
    return result.stdout


def _batches(storage: Path, table: str) -> dict[str, list[int]]:
    """Per checkpoint of the flow that writes `table`, the Delta source version each committed
    micro-batch ended at (Delta's offset: the last line of offsets/N)."""
    checkpoints: dict[str, list[int]] = {}
    for offsets in sorted(storage.glob(f"_checkpoints/**/{table}/{table}/*/offsets")):
        done = {path.name for path in (offsets.parent / "commits").iterdir() if path.name.isdigit()}
        ends = []
        for batch in sorted(
            (path for path in offsets.iterdir() if path.name in done), key=lambda p: int(p.name)
        ):
            delta_offset = json.loads(batch.read_text(encoding="utf-8").splitlines()[-1])
            ends.append(int(delta_offset["reservoirVersion"]))
        checkpoints[offsets.parent.name] = ends
    return checkpoints


def _snapshot(
    engine: SparkEngine,
    target: str,
    table: str,  # the target's own name, unquoted
    columns: list[str],
    outcome: FlowOutcome,
    storage: Path,
    source: str,
) -> Snapshot:
    source_version = engine.spark.sql(f"DESCRIBE HISTORY {source} LIMIT 1").collect()[0]["version"]
    if not engine.spark.catalog.tableExists(target):
        return Snapshot(outcome, None, source_version=source_version, batches=_batches(storage, table))
    rows = frozenset(engine.rows(target, columns)) if outcome.state == "COMPLETED" else None
    return Snapshot(
        outcome, rows, engine.spark.table(target).columns, source_version, _batches(storage, table)
    )


def _commit(engine: SparkEngine, case: Case, statements: tuple[str, ...]) -> None:
    for statement in statements:
        engine.sql(statement.format(t=case.source))


def run_cases(engine: SparkEngine, work: Path) -> Runs:
    """Every case's pipeline run twice: once after the first commits, once more after the second.

    Two projects, one per catalog their targets live in (a pipeline has one default catalog):
    the Auto CDC cases — and WRONG_KEYS beside them — in the row-level catalog, the full-refresh
    copy in Delta's. Four `spark-pipelines run`s in all, against the one server."""
    pack = work / "pack.yaml"
    pack.write_text(pack_yaml(), encoding="utf-8")
    sources = {case.pipeline: render(pack, case.pipeline) for case in CASES}

    engine.sql(f"CREATE SCHEMA IF NOT EXISTS spark_catalog.{SOURCE_DB}")
    for case in CASES:
        engine.sql(
            f"CREATE TABLE {case.source} ({case.columns}) USING DELTA "
            "TBLPROPERTIES (delta.enableChangeDataFeed = true)"
        )
        _commit(engine, case, case.first)

    catalogs = sorted({case.catalog for case in CASES})
    for catalog in catalogs:
        engine.sql(f"CREATE NAMESPACE IF NOT EXISTS {catalog}.{TARGET_DB}")
    engine.sql(f"CREATE TABLE {TARGET_CATALOG}.{TARGET_DB}.{SCHEMA_MARKER} (id INT)")
    libraries: dict[str, dict[str, str]] = {catalog: {} for catalog in catalogs}
    for case in CASES:
        libraries[case.catalog][case.pipeline] = sources[case.pipeline]
    libraries[WRONG_KEYS.of.catalog][WRONG_KEYS.table] = WRONG_KEYS.break_code(
        sources[WRONG_KEYS.of.pipeline]
    )
    specs = {
        catalog: write_project(work / catalog, libraries[catalog], catalog, TARGET_DB) for catalog in catalogs
    }

    def snapshots(run: dict[str, PipelineRun], after: bool) -> tuple[dict[str, Snapshot], Snapshot]:
        by_case = {
            case.pipeline: _snapshot(
                engine,
                case.target,
                case.target_table,
                case.column_names_after if after else case.column_names,
                run[case.catalog].outcome(case.target_table),
                specs[case.catalog].parent / "storage",
                case.source,
            )
            for case in CASES
        }
        wrong = WRONG_KEYS
        wrong_keys = _snapshot(
            engine,
            wrong.target,
            wrong.table,
            wrong.of.column_names,
            run[wrong.of.catalog].outcome(wrong.table),
            specs[wrong.of.catalog].parent / "storage",
            wrong.of.source,
        )
        return by_case, wrong_keys

    first_runs = {catalog: engine.run_pipeline(spec) for catalog, spec in specs.items()}
    first, wrong_first = snapshots(first_runs, after=False)
    for case in CASES:
        _commit(engine, case, case.second)
    second_runs = {catalog: engine.run_pipeline(spec) for catalog, spec in specs.items()}
    second, wrong_second = snapshots(second_runs, after=True)
    return Runs(
        sources, first, second, (wrong_first, wrong_second), [*first_runs.values(), *second_runs.values()]
    )
