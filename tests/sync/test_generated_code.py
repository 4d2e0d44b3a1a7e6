"""The generated pipeline source, executed against a recording `pyspark.pipelines`: what it reads, what it
writes, and how it applies changes — for every way a pipeline can sync."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from sharepack.spec import load_pack
from sharepack.sync_code import generated_sources, owner_of
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


def _applied(recording: Recording) -> dict[str, object]:
    """The single CDC flow the code declares, after checking its source is the filtered feed."""
    assert len(recording.flows) == 1
    flow = recording.flows[0]
    assert [t["name"] for t in recording.streaming_tables] == [flow["target"]]
    view = recording.views[flow["source"]]
    assert view.streaming
    assert view.options == {"readChangeFeed": "true"}
    assert view.filters == ["_change_type != 'update_preimage'"]  # pre-images are skipped
    return {**flow, "reads": view.table}


def test_scd2_applies_the_change_feed_on_its_keys_in_commit_order_with_deletes(
    sources: dict[str, str],
) -> None:
    flow = _applied(run(sources["leases_sync"]))
    assert flow["reads"] == "main.leasing.leases"
    assert flow["target"] == "leases_history"
    assert flow["keys"] == ["lease_id", "Version"]
    assert flow["sequence_by"] == "_commit_version"
    assert flow["apply_as_deletes"] == "_change_type = 'delete'"
    assert flow["stored_as_scd_type"] == 2
    # The feed's own columns order and classify changes; they are not written to the target.
    assert flow["except_column_list"] == ["_change_type", "_commit_version", "_commit_timestamp"]


def test_scd1_keeps_the_latest_row_per_key(sources: dict[str, str]) -> None:
    flow = _applied(run(sources["payments_sync"]))
    assert flow["reads"] == "main.leasing.payments"
    assert flow["target"] == "payments"  # no target_asset: the source table's name
    assert flow["keys"] == ["payment_id"]
    assert flow["sequence_by"] == "_commit_version"
    assert flow["apply_as_deletes"] == "_change_type = 'delete'"
    assert flow["stored_as_scd_type"] == 1


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
    assert flow["keys"] == ["it's"]


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
