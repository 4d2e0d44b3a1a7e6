"""The code `sharepack render` generates, run by Spark Declarative Pipelines on Delta tables.

tests/sync runs the same text against a recording stand-in: that shows which calls it makes.
Here the open-source engine runs it (`spark-pipelines run`, every case's file as a library of
one project), after commits with inserts, updates and deletes to each case's source, twice —
and the targets are compared row by row with what the pack asks for.

What the engine can and cannot run today (PySpark 4.2.0, Delta 4.4.0 — see requirements/spark.in):

- A full-refresh pipeline (a materialized view) runs end to end: compared after both runs.
- Auto CDC (SCD type 1) is analysed end to end — the source and its change feed, the keys
  (each must be a column of the feed), `sequence_by`, the deletes condition, the excluded
  change-feed columns, the target's schema — and then refused: open-source Auto CDC writes
  through Spark's DSv2 row-level MERGE (`SupportsRowLevelOperations`), which Delta 4.4.0 does not
  offer yet (its catalog's v2 table has the method but not the interface, and its copy-on-write
  write "is introduced in a follow-up change"). The row-by-row comparisons of the SCD 1 cases
  are written and run; they are expected to fail with exactly that refusal (strict xfail):
  the day a Delta release accepts the MERGE they either pass — and strict xfail turns red, so
  the mark must come off — or show what the generated code gets wrong.
- SCD type 2 is refused by PySpark 4.2 itself (only type 1; 4.3 adds type 2, but no Delta is
  built for Spark 4.3 yet). tests/sync's recording stand-in keeps covering it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyspark.errors import PySparkTypeError
from pyspark.pipelines.graph_element_registry import GraphElementRegistry, graph_element_registration_context

from tests.pipelines_spark.cases import CASES, Case
from tests.pipelines_spark.scenario import Runs, Snapshot, render

MERGE_REFUSED = "AUTOCDC_TARGET_DOES_NOT_SUPPORT_MERGE"
CDC_CASES = [case for case in CASES if case.mode == "1"]
COPY_CASES = [case for case in CASES if case.mode == "full_refresh"]
ENGINE_COLUMNS = "__spark_autocdc"  # the engine's own bookkeeping columns in an Auto CDC target


class TargetRefusesMerge(Exception):
    """The engine would not start an Auto CDC flow into a Delta target (see the module doc)."""


AUTO_CDC_INTO_DELTA = pytest.mark.xfail(
    raises=TargetRefusesMerge,
    strict=True,
    reason=f"open-source Auto CDC needs a DSv2 row-level MERGE target; Delta 4.4.0 has none: {MERGE_REFUSED}",
)


def _ids(case: Case) -> str:
    return case.pipeline


def _applied(snapshot: Snapshot) -> frozenset[tuple[Any, ...]]:
    """The target's rows after a run that completed the case's flow."""
    if snapshot.outcome.error == MERGE_REFUSED:
        raise TargetRefusesMerge(snapshot.outcome)
    assert snapshot.outcome.state == "COMPLETED", f"{snapshot.outcome.state}: {snapshot.outcome.message}"
    assert snapshot.rows is not None
    return snapshot.rows


@AUTO_CDC_INTO_DELTA
@pytest.mark.parametrize("case", CDC_CASES, ids=_ids)
def test_scd1_target_holds_the_latest_row_of_each_key_after_each_run(runs: Runs, case: Case) -> None:
    assert _applied(runs.first[case.pipeline]) == case.expected_first
    assert _applied(runs.second[case.pipeline]) == case.expected_second


@AUTO_CDC_INTO_DELTA
@pytest.mark.parametrize("case", CDC_CASES[:1], ids=_ids)
def test_the_second_run_merges_the_new_commits_into_the_first_runs_table(runs: Runs, case: Case) -> None:
    first, second = runs.first[case.pipeline], runs.second[case.pipeline]
    _applied(first)
    _applied(second)
    # Incremental: the first run's table versions are still the start of the log, and what the
    # second run wrote on top of them neither replaced nor emptied the table.
    assert second.history[: len(first.history)] == first.history
    later = [operation for _, operation in second.history[len(first.history) :]]
    assert later and not [op for op in later if "REPLACE" in op or "TRUNCATE" in op or "CREATE" in op]


@pytest.mark.parametrize("case", CDC_CASES, ids=_ids)
def test_scd1_code_is_accepted_by_the_engine_up_to_its_merge(runs: Runs, case: Case) -> None:
    """Whatever the engine could not do yet, it found nothing wrong with the generated code: the
    flow completed, or stopped only at the MERGE refusal — after analysing the source, its change
    feed, the keys, the sequence and the deletes condition — and the target it created has exactly
    the source's columns, the change feed's own left out."""
    for snapshot in (runs.first[case.pipeline], runs.second[case.pipeline]):
        outcome = snapshot.outcome
        assert outcome.state == "COMPLETED" or outcome.error == MERGE_REFUSED, (
            f"{outcome.state}: {outcome.message}"
        )
        assert [c for c in snapshot.columns if not c.startswith(ENGINE_COLUMNS)] == case.column_names


@pytest.mark.parametrize("case", COPY_CASES, ids=_ids)
def test_full_refresh_target_is_the_sources_current_rows_after_each_run(runs: Runs, case: Case) -> None:
    assert _applied(runs.first[case.pipeline]) == case.expected_first
    # Recomputed whole: rows deleted from the source since the first run are gone.
    assert _applied(runs.second[case.pipeline]) == case.expected_second
    assert runs.second[case.pipeline].columns == case.column_names


class _Registry(GraphElementRegistry):
    """Takes whatever the code declares; the test is about what the client refuses."""

    def register_output(self, output: Any) -> None: ...

    def register_flow(self, flow: Any) -> None: ...

    def register_auto_cdc_flow(self, flow: Any) -> None: ...

    def register_sql(self, sql_text: str, file_path: Path) -> None: ...


def test_scd2_code_is_refused_by_this_engine_so_the_recording_stand_in_covers_it(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "metadata: {name: spark_scd2}\n"
        "share:\n"
        "  - name: history\n"
        "    share_assets: [spark_catalog.src.leases]\n"
        "    delta_share: {ext_catalog_name: spark_catalog, ext_schema_name: synced}\n"
        "    pipelines:\n"
        "      - name_prefix: leases_history\n"
        "        source_asset: spark_catalog.src.leases\n"
        '        scd_type: "2"\n'
        "        key_columns: [lease_id]\n",
        encoding="utf-8",
    )
    source = render(pack, "leases_history")
    with graph_element_registration_context(_Registry()), pytest.raises(PySparkTypeError) as refused:
        exec(compile(source, "leases_history.py", "exec"), {"__name__": "leases_history"})
    assert refused.value.getMessageParameters() == {
        "arg_name": "stored_as_scd_type",
        "expected_type": "Literal[1, '1']",
        "arg_type": "int",
    }
