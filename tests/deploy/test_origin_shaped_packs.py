"""Packs shaped like the origin service's published templates (our own files, in
tests/fixtures/origin_shaped), used as they are from a fresh folder: seeded from the pack itself,
planned against the local workspace with every source checked, applied, converged, destroyed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "origin_shaped"
REAL_METASTORE = "aws:us-east-1:3a7b9c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"


def origin_workbook(
    path: Path, metastore: str = REAL_METASTORE, source: str = "ops_src.tickets.queue"
) -> Path:
    """A workbook laid out as the origin's: metadata Field/Value, then recipient, share, pipelines."""
    sheets: dict[str, list[list[Any]]] = {
        "metadata": [
            ["Field", "Value"],
            ["requestor", "ops.lead@example.com"],
            ["business_line", "Operations"],
            ["delta_share_region", "AM"],
            ["configurator", "ops-admins"],
            ["approver", "ops.director@example.com"],
            ["executive_team", "ops-leadership"],
            ["approver_status", "approved"],
            ["workspace_url", "https://adb-2222333344445555.6.azuredatabricks.net"],
            ["servicenow", "RITM0077777"],
            ["contact_email", "ops-data@example.com"],
            ["project_name", "Ops Ticket Sharing"],
        ],
        "recipient": [
            ["name", "type", "recipient", "recipient_databricks_org", "token_expiry", "comment"],
            ["ops_partner", "D2D", "partner@example.com", metastore, None, "Partner workspace"],
        ],
        "share": [
            ["name", "comment", "recipients", "share_assets", "ext_catalog_name", "ext_schema_name", "tags"],
            ["ops_share", "Tickets", "ops_partner", source, "ops_shared", "tickets", "ops"],
        ],
        "pipelines": [
            [
                "share_name",
                "name_prefix",
                "source_asset",
                "target_asset",
                "scd_type",
                "key_columns",
                "serverless",
                "schedule_cron",
                "schedule_timezone",
            ],
            ["ops_share", "queue_sync", source, "queue", "1", "", "true", "0 0 9-17 * * MON-FRI", "UTC"],
        ],
    }
    book = Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = book.active if first else book.create_sheet(name)
        assert sheet is not None
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _pack(name: str, folder: Path) -> Path:
    if name.endswith(".xlsx"):
        return origin_workbook(folder / name)
    return Path(shutil.copy(FIXTURES / name, folder / name))


@pytest.mark.parametrize(
    "name", ["sample_pack.yaml", "finance_NEW.yaml", "template_pack.yaml", "ops_tickets.xlsx"]
)
def test_an_origin_shaped_pack_seeds_plans_applies_converges_and_destroys_with_no_edit(
    cli: Any, tmp_path: Path, name: str
) -> None:
    pack = str(_pack(name, tmp_path).name)
    seeded = cli("emulator", "--seed-from", pack, "--seed-only")
    assert seeded.code == 0, seeded.output
    assert "0 already there" in seeded.stdout
    planned = cli("plan", pack, "--target", "local", "--detailed-exitcode")
    assert planned.code == 2, planned.output
    assert "not checked" not in planned.output
    applied = cli("apply", pack, "--target", "local", "--auto-approve")
    assert applied.code == 0, applied.output
    again = cli("plan", pack, "--target", "local", "--detailed-exitcode")
    assert again.code == 0, again.output
    destroyed = cli("destroy", pack, "--target", "local", "--auto-approve")
    assert destroyed.code == 0, destroyed.output


def test_seeding_again_creates_nothing_and_says_what_was_already_there(cli: Any, tmp_path: Path) -> None:
    pack = _pack("template_pack.yaml", tmp_path).name
    first = cli("emulator", "--seed-from", pack, "--seed-only")
    assert "+ table template_src.sales.orders (order_id; change data feed on)" in first.stdout
    assert "+ metastore aws:us-west-2:8c1d2e3f-4a5b-4c6d-9e7f-0a1b2c3d4e5f" in first.stdout
    second = cli("emulator", "--seed-from", pack, "--seed-only")
    assert second.code == 0, second.output
    assert " 0 created" in second.stdout
    assert (
        "= table template_src.sales.orders (order_id; change data feed on) (already there)" in second.stdout
    )


def test_update_after_new_is_the_same_pack_and_refuses_only_what_new_never_made(
    cli: Any, tmp_path: Path
) -> None:
    new = _pack("finance_NEW.yaml", tmp_path).name
    update = _pack("finance_UPDATE.yaml", tmp_path).name
    for pack in (new, update):
        assert cli("emulator", "--seed-from", pack, "--seed-only").code == 0
    assert cli("apply", new, "--target", "local", "--auto-approve").code == 0
    planned = cli("plan", update, "--target", "local")
    assert "belongs to SharePack" not in planned.output
    assert "(name from metadata.project_name)" in planned.stdout
    refused = [line.strip() for line in planned.stdout.splitlines() if line.strip().endswith(": conflict")]
    assert refused == [
        "! workspace_file /Workspace/Shared/.sharepack/q1_2025_finance_reporting/pipelines/budgets_sync.py: "
        "conflict",
        "! pipeline budgets_sync: conflict",
        "! job budgets_sync_schedule: conflict",
    ]
    assert "strategy UPDATE: pipeline budgets_sync does not exist yet" in planned.stdout
    # schedule: {action: remove}: the NEW file's job for gl_entries_sync is deleted, not just left.
    assert "- job gl_entries_sync_schedule (id " in planned.stdout
    assert "schedule: {action: remove}" in planned.stdout


def test_schedule_removal_leaves_a_job_of_another_pack_alone(cli: Any, tmp_path: Path) -> None:
    new = _pack("finance_NEW.yaml", tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text(
        new.read_text(encoding="utf-8").replace('project_name: "Q1 2025 Finance Reporting"', 'name: "other"'),
        encoding="utf-8",
    )
    update = _pack("finance_UPDATE.yaml", tmp_path).name
    for pack in (other.name, update):
        assert cli("emulator", "--seed-from", pack, "--seed-only").code == 0
    assert cli("apply", other.name, "--target", "local", "--auto-approve").code == 0
    planned = cli("plan", update, "--target", "local")
    assert "- job gl_entries_sync_schedule" not in planned.stdout
    assert "job gl_entries_sync_schedule (SharePack 'other''s) is left alone" in planned.stdout


def test_a_pack_named_by_its_file_says_so_and_a_renamed_copy_is_told_how_to_keep_it(
    cli: Any, tmp_path: Path
) -> None:
    text = (FIXTURES / "template_pack.yaml").read_text(encoding="utf-8")
    old = tmp_path / "team_pack.yaml"
    old.write_text(text.replace('  project_name: "Template Project"\n', ""), encoding="utf-8")
    assert cli("emulator", "--seed-from", old.name, "--seed-only").code == 0
    applied = cli("apply", old.name, "--target", "local", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "(name from file name)" in applied.stdout
    assert "the pack's name 'team_pack' is its file name" in applied.stdout
    renamed = tmp_path / "team_pack_v2.yaml"
    old.rename(renamed)
    planned = cli("plan", renamed.name, "--target", "local")
    assert "belongs to SharePack 'team_pack'" in planned.stdout
    assert "set `metadata.name: team_pack` in this file" in planned.stdout


def test_a_workbook_problem_found_at_plan_time_is_at_its_cell(cli: Any, tmp_path: Path) -> None:
    book = origin_workbook(tmp_path / "ops.xlsx", source="ops_src.tickets.queue")
    other = origin_workbook(tmp_path / "seed.xlsx", source="ops_src.tickets.other")
    assert cli("emulator", "--seed-from", other.name, "--seed-only").code == 0
    planned = cli("plan", book.name, "--target", "local")
    assert planned.code == 1
    assert (
        "ops.xlsx:pipelines!A2: pipeline queue_sync: source table ops_src.tickets.queue does not exist"
        in (planned.stderr)
    )
    assert "000" not in planned.stderr.split("pipeline queue_sync")[0]


def test_a_placeholder_metastore_id_is_refused_at_its_cell_with_where_to_find_the_real_one(
    cli: Any, tmp_path: Path
) -> None:
    book = origin_workbook(tmp_path / "ops.xlsx", metastore="aws:us-west-2:abc-123-def-456")
    result = cli("validate", book.name)
    assert result.code == 1
    assert "ops.xlsx:recipient!D2: " in result.stderr
    assert "databricks metastores summary" in result.stderr
    assert "global_metastore_id" in result.stderr


def test_local_plan_hints_name_the_seed_command_not_sql(cli: Any, tmp_path: Path) -> None:
    pack = _pack("template_pack.yaml", tmp_path).name
    assert cli("emulator", "--seed-from", "finance_seed.yaml", "--seed-only").code != 0  # no such file
    other = _pack("finance_NEW.yaml", tmp_path).name
    assert cli("emulator", "--seed-from", other, "--seed-only").code == 0  # tables answer, not these
    planned = cli("plan", pack, "--target", "local")
    assert planned.code == 1
    assert f"sharepack emulator --seed-from {pack} --seed-only" in planned.stderr
    assert "CREATE CATALOG" not in planned.stderr
    assert "ALTER TABLE" not in planned.stderr
