"""The generated pipeline source, executed against a recording `pyspark.pipelines`: what it reads, what it
writes, and how it applies changes — for every way a pipeline can sync."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from sharepack.pack import load_pack
from sharepack.sync.code import generated_sources, owner_of
from tests.helpers import write_pack
from tests.sync.fake_pipelines import Recording, run

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "code"

PACK = """
metadata: {name: sync_pack}
share:
  - name: leasing
    share_assets: [main.leasing.leases, main.leasing.payments, main.leasing.properties, main.leasing.units]
    delta_share: {ext_catalog_name: analytics, ext_schema_name: shared}
    pipelines:
      - name_prefix: leases_sync
        source_asset: main.leasing.leases
        target_asset: leases_history
        scd_type: "2"
        key_columns: lease_id, Version
      - name_prefix: payments_sync
        source_asset: main.leasing.payments
        scd_type: 1
        key_columns: [payment_id]
      - name_prefix: properties_refresh
        source_asset: main.leasing.properties
        target_asset: properties
        scd_type: full_refresh
      - name_prefix: units_sync
        source_asset: main.leasing.units
      - name_prefix: own_code
        source_asset: main.leasing.units
        notebook: /Repos/team/cdc_notebook
"""


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, str]:
    return generated_sources(load_pack(write_pack(tmp_path, PACK)))


# Within one commit, deletes (and pre-images) before inserts (and post-images); across commits,
# the commits' order.
SEQUENCE = "_commit_version * 2 + CASE WHEN _change_type IN ('delete', 'update_preimage') THEN 0 ELSE 1 END"


def _applied(recording: Recording) -> dict[str, Any]:
    """The single CDC flow the code declares, after checking its source is the change feed with
    the sequence added, and the streaming table it writes."""
    assert len(recording.flows) == 1
    flow = recording.flows[0]
    (table,) = recording.streaming_tables
    assert table["name"] == flow["target"]
    view = recording.views[flow["source"]]
    assert view.streaming
    assert view.options == {"readChangeFeed": "true"}
    assert view.columns == ["*", f"{SEQUENCE} AS _sharepack_sequence"]
    return {
        **flow,
        "reads": view.table,
        "filters": view.filters,
        "expectations": recording.expectations.get(flow["source"]),
        "table_properties": table.get("table_properties"),
    }


def test_scd2_applies_the_change_feed_on_its_keys_deletes_first_within_a_commit(
    sources: dict[str, str],
) -> None:
    flow = _applied(run(sources["leases_sync"]))
    assert flow["reads"] == "main.leasing.leases"
    assert flow["target"] == "leases_history"
    assert flow["keys"] == ["lease_id", "Version"]
    assert flow["sequence_by"] == "_sharepack_sequence"
    # An update's pre-image is a delete of the old row: an UPDATE of the key leaves nothing behind.
    assert flow["apply_as_deletes"] == "_change_type IN ('delete', 'update_preimage')"
    assert flow["stored_as_scd_type"] == 2
    # The feed's own columns and the sequence order and classify changes; they are not data.
    assert flow["except_column_list"] == [
        "_change_type",
        "_commit_version",
        "_commit_timestamp",
        "_sharepack_sequence",
    ]
    # A full refresh would wipe the history: the target refuses one.
    assert flow["table_properties"] == {"pipelines.reset.allowed": "false"}


def test_scd1_keeps_the_latest_row_per_key_and_may_be_fully_refreshed(sources: dict[str, str]) -> None:
    flow = _applied(run(sources["payments_sync"]))
    assert flow["reads"] == "main.leasing.payments"
    assert flow["target"] == "payments"  # no target_asset: the source table's name
    assert flow["keys"] == ["payment_id"]
    assert flow["sequence_by"] == "_sharepack_sequence"
    assert flow["apply_as_deletes"] == "_change_type IN ('delete', 'update_preimage')"
    assert flow["stored_as_scd_type"] == 1
    assert flow["table_properties"] is None


@pytest.mark.parametrize("pipeline", ["leases_sync", "payments_sync"])
def test_on_databricks_rows_with_a_null_key_are_dropped_by_a_counted_expectation(
    sources: dict[str, str], pipeline: str
) -> None:
    flow = _applied(run(sources[pipeline], expectations=True))
    condition = " AND ".join(f"`{key}` IS NOT NULL" for key in flow["keys"])
    assert flow["expectations"] == {"key_not_null": condition}
    assert flow["filters"] == []  # nothing dropped before the expectation could count it


def test_where_dp_has_no_expectations_rows_with_a_null_key_are_filtered_out(
    sources: dict[str, str],
) -> None:
    flow = _applied(run(sources["leases_sync"], expectations=False))
    assert flow["expectations"] is None
    assert flow["filters"] == ["`lease_id` IS NOT NULL AND `Version` IS NOT NULL"]


def test_names_spark_cannot_read_bare_are_quoted_and_the_view_name_is_always_plain(tmp_path: Path) -> None:
    text = PACK.replace("main.leasing.units]", "main.leasing.units, main.leasing.`order-lines`]").replace(
        "      - name_prefix: units_sync\n",
        "      - name_prefix: lines_sync\n"
        "        source_asset: main.leasing.`order-lines`\n"
        '        scd_type: "1"\n'
        "        key_columns: [line no, select]\n"
        "      - name_prefix: units_sync\n",
    )
    sources = generated_sources(load_pack(write_pack(tmp_path, text)))
    flow = _applied(run(sources["lines_sync"]))
    # The target is the source's table part, parsed: its backticks are quoting, not its name.
    assert flow["reads"] == "main.leasing.`order-lines`"
    assert flow["target"] == "`order-lines`"
    assert flow["source"] == "order_lines_changes"
    assert flow["keys"] == ["`line no`", "select"]
    assert flow["expectations"] == {"key_not_null": "`line no` IS NOT NULL AND `select` IS NOT NULL"}


@pytest.mark.parametrize(
    ("target", "quoted", "view"),
    [("orders", "orders", "orders_changes"), ("2024-orders", "`2024-orders`", "_2024_orders_changes")],
)
def test_a_target_asset_is_quoted_as_spark_needs_and_its_view_name_is_plain(
    tmp_path: Path, target: str, quoted: str, view: str
) -> None:
    text = PACK.replace(
        "        key_columns: [payment_id]\n",
        f"        key_columns: [payment_id]\n        target_asset: {target}\n",
    )
    flow = _applied(run(generated_sources(load_pack(write_pack(tmp_path, text)))["payments_sync"]))
    assert (flow["target"], flow["source"]) == (quoted, view)


@pytest.mark.parametrize(
    ("pipeline", "source", "target"),
    [
        ("properties_refresh", "main.leasing.properties", "properties"),
        # A pipeline that says nothing of how it syncs has no keys to merge on: a full copy.
        ("units_sync", "main.leasing.units", "units"),
    ],
)
def test_full_refresh_publishes_a_materialized_copy(
    sources: dict[str, str], pipeline: str, source: str, target: str
) -> None:
    recording = run(sources[pipeline])
    assert recording.flows == [] and recording.streaming_tables == []
    assert list(recording.tables) == [target]
    copy = recording.tables[target]
    assert not copy.streaming and copy.table == source and copy.filters == []


def test_a_pipeline_with_its_own_code_gets_none_generated(sources: dict[str, str]) -> None:
    assert "own_code" not in sources


def test_every_file_carries_the_mark_of_its_pack(sources: dict[str, str]) -> None:
    assert {owner_of(s) for s in sources.values()} == {"sync_pack"}


def test_the_same_pack_gives_byte_identical_source(tmp_path: Path, sources: dict[str, str]) -> None:
    again = generated_sources(load_pack(write_pack(tmp_path, PACK, name="again.yaml")))
    assert again == sources


def test_names_that_need_quoting_stay_data(tmp_path: Path) -> None:
    text = PACK.replace("key_columns: [payment_id]", 'key_columns: ["it\'s"]')
    flow = _applied(run(generated_sources(load_pack(write_pack(tmp_path, text)))["payments_sync"]))
    assert flow["keys"] == ["`it's`"]


@pytest.mark.parametrize("pipeline", ["leases_sync", "payments_sync", "properties_refresh"])
def test_text_matches_golden_file(sources: dict[str, str], pipeline: str) -> None:
    golden = GOLDEN / f"{pipeline}.py.golden"
    if os.environ.get("SHAREPACK_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(sources[pipeline], encoding="utf-8")
    assert sources[pipeline] == golden.read_text(encoding="utf-8")


def test_render_prints_the_source_that_is_uploaded(tmp_path: Path, cli: Any, sources: dict[str, str]) -> None:
    path = write_pack(tmp_path, PACK)
    one = cli("render", str(path), "payments_sync")
    assert one.code == 0 and one.stdout == sources["payments_sync"]
    every = cli("render", str(path))
    assert every.code == 0
    assert "# ---- /Workspace/Shared/.sharepack/sync_pack/pipelines/leases_sync.py" in every.stdout
    assert all(source in every.stdout for source in sources.values())
    own = cli("render", str(path), "own_code")
    assert own.code != 0 and "brings its own code" in own.stderr
