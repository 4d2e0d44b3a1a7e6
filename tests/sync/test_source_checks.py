"""Plan-time checks of what sync pipelines need: each failure a plan error at the pipeline's line,
with the fix; nothing written; each source table read once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

PACK = """\
metadata: {name: leasing}
pipeline_defaults: {catalog: analytics, schema: shared}
pipelines:
  - name_prefix: leases_sync
    source_asset: main.leasing.leases
    target_asset: leases
    key_columns: LEASE_ID
  - name_prefix: payments_sync
    source_asset: main.leasing.payments
    scd_type: 1
    key_columns: [payment_id]
"""


def seed(client: Any, full_name: str, columns: list[str], *, cdf: bool = True) -> None:
    catalog, schema, table = full_name.split(".")
    for make in (lambda: client.catalogs.create(catalog), lambda: client.schemas.create(schema, catalog)):
        try:
            make()
        except Exception as exc:  # already there
            assert "already exists" in str(exc).lower()
    client.api_client.do(
        "POST",
        "/api/2.1/unity-catalog/tables",
        body={
            "name": table,
            "catalog_name": catalog,
            "schema_name": schema,
            "columns": [{"name": c, "type_name": "STRING"} for c in columns],
            "properties": {"delta.enableChangeDataFeed": "true"} if cdf else {},
        },
    )


@pytest.fixture
def seeded(client: Any) -> Any:
    seed(client, "main.leasing.leases", ["lease_id", "amount"])
    seed(client, "main.leasing.payments", ["payment_id", "amount"])
    client.catalogs.create("analytics")
    client.schemas.create("shared", "analytics")
    return client


def _plan(cli: Any, tmp_path: Path, text: str) -> Any:
    return cli("plan", str(write_pack(tmp_path, text)))


def test_a_complete_pack_plans_and_applies(cli: Any, workspace_env: Any, seeded: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "not checked" not in result.output


def test_the_plan_says_where_rows_with_a_null_key_go_for_every_scd_pipeline(
    cli: Any, workspace_env: Any, seeded: Any, tmp_path: Path
) -> None:
    text = (
        PACK + "  - name_prefix: units_copy\n    source_asset: main.leasing.leases\n    target_asset: units\n"
    )
    text += "    scd_type: full_refresh\n"
    result = _plan(cli, tmp_path, text)
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    notes = {
        name: [line.strip() for line in lines[lines.index(f"  + pipeline {name}: create") + 1 :][:2]]
        for name in ("leases_sync", "payments_sync", "units_copy")
    }
    null_key = "rows whose key ({}) is NULL are dropped by the expectation key_not_null"
    assert notes["leases_sync"][0].startswith("note: " + null_key.format("LEASE_ID"))
    assert "data quality metrics" in notes["leases_sync"][0]
    assert (
        notes["leases_sync"][1]
        == "note: SCD 2 target: pipelines.reset.allowed = false, so a full refresh keeps its history"
    )
    assert notes["payments_sync"][0].startswith("note: " + null_key.format("payment_id"))
    assert not notes["payments_sync"][1].startswith("note:")  # SCD 1: no history to keep
    assert not notes["units_copy"][0].startswith("note:")  # a full copy merges on no key
    markdown = cli("plan", str(tmp_path / "pack.yaml"), "--output", "markdown")
    assert "#   note: " + null_key.format("payment_id") in markdown.stdout


def test_a_missing_source_table_is_a_plan_error_at_the_pipeline(
    cli: Any, workspace_env: Any, seeded: Any, tmp_path: Path
) -> None:
    result = _plan(cli, tmp_path, PACK.replace("main.leasing.payments", "main.leasing.paymentz"))
    assert result.code != 0
    assert (
        "pack.yaml:8:5: pipeline payments_sync: source table main.leasing.paymentz does not exist"
        in result.stderr
    )
    assert cli("apply", str(tmp_path / "pack.yaml"), "--auto-approve").code != 0
    assert list(seeded.pipelines.list_pipelines()) == []  # refused before anything is written
    assert "leases_sync" not in result.stderr


def test_a_source_without_change_data_feed_says_the_statement_that_turns_it_on(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    seed(client, "main.leasing.leases", ["lease_id"], cdf=False)
    seed(client, "main.leasing.payments", ["payment_id"])
    client.catalogs.create("analytics")
    client.schemas.create("shared", "analytics")
    result = _plan(cli, tmp_path, PACK)
    assert result.code != 0
    assert (
        "pack.yaml:4:5: pipeline leases_sync: source table main.leasing.leases has no change data feed"
        in (result.stderr)
    )
    assert (
        "ALTER TABLE main.leasing.leases SET TBLPROPERTIES (delta.enableChangeDataFeed = true)"
        in result.stderr
    )
    # A full copy reads the table, not its feed: no change data feed needed.
    full = PACK.replace("    key_columns: LEASE_ID\n", "    scd_type: full_refresh\n")
    assert _plan(cli, tmp_path, full).code == 0


def test_a_missing_key_column_is_an_error_and_case_does_not_matter(
    cli: Any, workspace_env: Any, seeded: Any, tmp_path: Path
) -> None:
    assert _plan(cli, tmp_path, PACK).code == 0  # LEASE_ID is lease_id, as Databricks compares
    result = _plan(cli, tmp_path, PACK.replace("[payment_id]", "[payment_id, paid_on]"))
    assert result.code != 0
    assert "pipeline payments_sync: key column(s) paid_on not in main.leasing.payments" in result.stderr
    assert "its columns: payment_id, amount" in result.stderr


def test_a_missing_catalog_is_an_error_and_a_missing_schema_is_created_and_owned(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    seed(client, "main.leasing.leases", ["lease_id"])
    seed(client, "main.leasing.payments", ["payment_id"])
    result = _plan(cli, tmp_path, PACK)
    assert result.code != 0
    assert "pipeline leases_sync: catalog analytics does not exist" in result.stderr
    assert "CREATE CATALOG analytics" in result.stderr
    client.catalogs.create("analytics")
    pack = tmp_path / "pack.yaml"
    result = cli("plan", str(pack))
    assert result.code == 0 and "+ schema analytics.shared: create" in result.stdout, result.output
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert client.schemas.get("analytics.shared").properties["sharepack_pack"] == "leasing"
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0
    assert cli("destroy", str(pack), "--auto-approve").code == 0
    assert "analytics.shared" not in {s.full_name for s in client.schemas.list("analytics")}
    # A schema someone else made is used, never owned: destroy leaves it.
    client.schemas.create("shared", "analytics")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert cli("destroy", str(pack), "--auto-approve").code == 0
    assert client.schemas.get("analytics.shared").full_name == "analytics.shared"


def test_two_pipelines_writing_one_table_is_an_error(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    result = _plan(cli, tmp_path, PACK.replace("target_asset: leases", "target_asset: payments"))
    assert result.code != 0
    assert (
        "pipeline payments_sync: writes analytics.shared.payments, as pipeline leases_sync (line 4) does"
        in (result.stderr)
    )


def test_a_workspace_that_knows_no_tables_is_planned_with_a_warning(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    result = _plan(cli, tmp_path, PACK)
    assert result.code == 0, result.output
    assert "source tables, catalogs and schemas were not checked" in result.stdout


def test_each_source_table_is_read_once(cli: Any, workspace_env: Any, seeded: Any, tmp_path: Path) -> None:
    many = "\n".join(
        f"  - name_prefix: p{i:02d}\n    source_asset: main.leasing.{'leases' if i % 2 else 'payments'}\n"
        f"    target_asset: t{i:02d}\n    scd_type: full_refresh"
        for i in range(20)
    )
    text = (
        "metadata: {name: many}\npipeline_defaults: {catalog: analytics, schema: shared}\npipelines:\n" + many
    )
    workspace_env.reset_log()
    assert _plan(cli, tmp_path, text + "\n").code == 0
    counts = Counter(r.endpoint for r in workspace_env.request_log())
    assert (counts["tables/get"], counts["catalogs/get"], counts["schemas/get"]) == (2, 1, 1), counts


def test_the_emulator_seeds_tables_from_a_file_so_the_example_is_checked(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sharepack.emulator import Emulator, EmulatorConfig

    monkeypatch.setenv("DATABRICKS_TOKEN", EmulatorConfig().token)
    root = Path(__file__).resolve().parents[2]
    state = tmp_path / "local.db"
    args = (
        "emulator",
        "--state",
        str(state),
        "--seed-tables",
        str(root / "sharepacks/tables/seed_example.yaml"),
    )
    result = cli(*args, "--seed-only")
    assert result.code == 0 and "seeded 2 table(s)" in result.stdout, result.output
    assert "seeded 0 table(s)" in cli(*args, "--seed-only").stdout  # seeding twice is harmless
    with Emulator(EmulatorConfig(state_path=str(state))) as emulator:
        url = emulator.url
        plan = cli("plan", str(root / "sharepacks/seed_example.yaml"), "--host", url)
        assert plan.code == 0 and "not checked" not in plan.output, plan.output
        moved = (root / "sharepacks/seed_example.yaml").read_text().replace("customer_orders", "orders")
        broken = cli("plan", str(write_pack(tmp_path, moved)), "--host", url)
        assert "source table catalog.sales_schema.orders does not exist" in broken.stderr, broken.output


def test_doctor_runs_the_same_checks_for_a_pack(
    cli: Any, workspace_env: Any, seeded: Any, tmp_path: Path
) -> None:
    ok = cli("doctor", str(write_pack(tmp_path, PACK)))
    assert ok.code == 0 and "sync sources" in ok.stdout, ok.output
    bad = cli("doctor", str(write_pack(tmp_path, PACK.replace("LEASE_ID", "lease_no"), "bad.yaml")))
    assert bad.code == 1
    assert "key column(s) lease_no not in main.leasing.leases" in bad.stdout, bad.output
