"""The code `sharepack render` generates, run by Spark Declarative Pipelines.

tests/sync runs the same text against a recording stand-in: that shows which calls it makes.
Here the open-source engine runs it (`spark-pipelines run`), after commits with inserts, updates
and deletes to each case's Delta source (change data feed on, as on Databricks), twice — and the
targets are compared row by row with what the pack asks for.

Where the targets are stored is the one difference from Databricks. The generated code names its
target bare, so it lands in the pipeline's default catalog and schema — set by the pipeline's
`catalog`/`schema` settings on Databricks, by the spec here. Open-source Auto CDC writes through
Spark's DSv2 row-level MERGE (`SupportsRowLevelOperations`), which Delta 4.4.0 does not offer (its
targets are refused with AUTOCDC_TARGET_DOES_NOT_SUPPORT_MERGE), so the SCD 1 pipelines' catalog
is Spark's own reference row-level connector (SharedTablesInMemoryRowLevelOperationTableCatalog,
from spark-catalyst's tests jar; Spark's Auto CDC suites use it the same way): the targets live
in the server's memory, which outlasts both runs. Their sources stay Delta tables read through
the change feed. The full-refresh pipeline's catalog is Delta's. The code runs as rendered, byte
for byte — no switch, no stand-in.

SCD type 2 is refused by PySpark 4.2 itself (only type 1; 4.3 adds type 2, but no Delta is built
for Spark 4.3 yet — see requirements/spark.in): test_scd2_on_spark43 runs it on PySpark 4.3, in a
venv of its own, over a source shaped like Delta's change feed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyspark.errors import PySparkTypeError
from pyspark.pipelines.graph_element_registry import GraphElementRegistry, graph_element_registration_context

from tests.pipelines_spark.cases import CASES, WRONG_KEYS, Case
from tests.pipelines_spark.scenario import Runs, Snapshot, render

CDC_CASES = [case for case in CASES if case.mode == "1"]
COPY_CASES = [case for case in CASES if case.mode == "full_refresh"]
ENGINE_COLUMN = "__spark_autocdc_metadata"  # the engine's own bookkeeping in an Auto CDC target


def _ids(case: Case) -> str:
    return case.pipeline


def _applied(snapshot: Snapshot) -> frozenset[tuple[Any, ...]]:
    """The target's rows after a run that completed the case's flow."""
    assert snapshot.outcome.state == "COMPLETED", f"{snapshot.outcome.state}: {snapshot.outcome.message}"
    assert snapshot.rows is not None
    return snapshot.rows


def _diff(expected: frozenset[tuple[Any, ...]], actual: frozenset[tuple[Any, ...]]) -> str:
    return f"missing {sorted(expected - actual)}, unexpected {sorted(actual - expected)}"


@pytest.mark.parametrize("case", CDC_CASES, ids=_ids)
def test_scd1_target_holds_the_latest_row_of_each_key_after_each_run(runs: Runs, case: Case) -> None:
    for run, snapshot, expected, added in (
        ("first", runs.first[case.pipeline], case.expected_first, []),
        ("second", runs.second[case.pipeline], case.expected_second, list(case.added)),
    ):
        rows = _applied(snapshot)
        assert rows == expected, f"after the {run} run: {_diff(expected, rows)}"
        # The source's columns, the change feed's own (and the sequence) left out, and the
        # engine's bookkeeping; a column added to the source later is added to the target after it.
        assert snapshot.columns == [*case.column_names, ENGINE_COLUMN, *added]


@pytest.mark.parametrize("case", CDC_CASES, ids=_ids)
def test_the_second_run_reads_only_the_commits_made_since_the_first(runs: Runs, case: Case) -> None:
    """The flow's checkpoint is what the engine records having read: the second run carried on
    from the first run's (no full refresh, no second checkpoint) with one micro-batch more, which
    began where the first run's last batch ended — past every commit the first run had seen."""
    first, second = runs.first[case.pipeline], runs.second[case.pipeline]
    _applied(first)
    _applied(second)
    assert len(first.batches) == 1 and second.batches.keys() == first.batches.keys()
    (checkpoint,) = first.batches
    before, after = first.batches[checkpoint], second.batches[checkpoint]
    assert after[: len(before)] == before and len(after) == len(before) + 1
    assert before[-1] > first.source_version  # the first run read through its last commit
    assert after[-1] >= second.source_version  # and the second through the new ones


def test_a_key_list_rendered_wrong_fails_the_row_comparison(runs: Runs) -> None:
    """WRONG_KEYS: the composite-key case's code merged by its first key alone, beside it in the
    same runs. The comparison the case passes fails for it, with the rows a wrong key list leaves."""
    rows = _applied(runs.wrong_keys[1])
    assert rows != WRONG_KEYS.of.expected_second
    assert rows == WRONG_KEYS.expected_second, _diff(WRONG_KEYS.expected_second, rows)


@pytest.mark.parametrize("case", COPY_CASES, ids=_ids)
def test_full_refresh_target_is_the_sources_current_rows_after_each_run(runs: Runs, case: Case) -> None:
    rows = _applied(runs.first[case.pipeline])
    assert rows == case.expected_first, _diff(case.expected_first, rows)
    # Recomputed whole: rows deleted from the source since the first run are gone.
    rows = _applied(runs.second[case.pipeline])
    assert rows == case.expected_second, _diff(case.expected_second, rows)
    assert runs.second[case.pipeline].columns == case.column_names


class _Registry(GraphElementRegistry):
    """Takes whatever the code declares; the test is about what the client refuses."""

    def register_output(self, output: Any) -> None: ...

    def register_flow(self, flow: Any) -> None: ...

    def register_auto_cdc_flow(self, flow: Any) -> None: ...

    def register_sql(self, sql_text: str, file_path: Path) -> None: ...


def test_scd2_code_is_refused_by_this_engine_so_it_runs_on_pyspark_43(tmp_path: Path) -> None:
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
