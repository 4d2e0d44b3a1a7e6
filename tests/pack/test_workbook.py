"""Share packs as Excel workbooks: built here with openpyxl, read into the same data as YAML, every
problem at its `sheet!cell`, and the YAML and workbook forms planning identically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from sharepack.desired.build import desired_state
from sharepack.errors import SpecError, UsageError
from sharepack.pack import load_pack
from sharepack.pack.convert import convert
from sharepack.plan.build import build_plan
from sharepack.workspace.state import ActualState
from tests.pack.helpers import SHAREPACKS

EXAMPLE = SHAREPACKS / "deltashare_format.yaml"
PIPELINE_HEADER = ["share_name", "name_prefix", "source_asset", "target_asset", "scd_type", "key_columns"]


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
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


def small(tmp_path: Path, pipelines: list[list[Any]], **extra: list[list[Any]]) -> Path:
    sheets: dict[str, list[list[Any]]] = {
        "metadata": [["Field", "Value"], ["name", "wb"], ["approver_status", "approved"]],
        "share": [["name", "share_assets", "tags"], ["sales", "main.sales.orders, main.sales.items", "a, b"]],
        "pipelines": pipelines,
        **extra,
    }
    return workbook(tmp_path / "wb.xlsx", sheets)


def plan_of(path: Path) -> dict[str, Any]:
    pack = load_pack(path)
    plan = build_plan(desired_state(pack), ActualState(), source="same", host="golden").to_dict()
    return json.loads(json.dumps(plan, sort_keys=True))


def problems(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_pack(path)
    return [str(p).split(":", 1)[1] for p in caught.value.problems]


def test_the_example_as_a_workbook_plans_exactly_as_its_yaml(tmp_path: Path) -> None:
    book = tmp_path / "deltashare_format.xlsx"
    convert(EXAMPLE, book)
    assert plan_of(book) == plan_of(EXAMPLE)
    back = tmp_path / "deltashare_format.yaml"
    convert(book, back)
    assert plan_of(back) == plan_of(book)


def test_cells_as_users_fill_them_text_booleans_numbers_lists_and_tags(tmp_path: Path) -> None:
    path = small(
        tmp_path,
        [
            [*PIPELINE_HEADER, "serverless", "tags", "schedule_cron", "schedule_timezone", "notification"],
            [
                "sales",
                "orders_sync",
                "main.sales.orders",
                "orders",
                2,
                "id, region",
                "false",
                "team:sales;tier:gold",
                "0 0 2 * * ?",
                "UTC",
                "a@example.com, b@example.com",
            ],
            ["sales", "items_sync", "main.sales.items", None, "full_refresh", None, None, None, "continuous"],
        ],
        recipient=[
            ["name", "type", "token_expiry", "token_rotation", "recipient_ips_to_add"],
            ["p", "D2O", "30", "FALSE", "203.0.113.7, 203.0.113.8"],
        ],
    )
    pack = load_pack(path)
    orders, items = pack.pipelines
    assert (orders.scd_type, orders.key_columns, orders.serverless) == ("2", ("id", "region"), False)
    assert orders.tags == {"team": "sales", "tier": "gold"}
    assert orders.notifications is not None and orders.notifications.on_failure == [
        "a@example.com",
        "b@example.com",
    ]
    assert items.target_asset is None and type(items.schedule).__name__ == "ContinuousSchedule"
    assert pack.shares[0].tags == ("a", "b")
    (recipient,) = pack.recipients
    assert recipient.token_expiry_days == 30 and recipient.ips == ("203.0.113.7", "203.0.113.8")


def test_problems_name_the_sheet_and_cell_with_the_same_help_as_yaml(tmp_path: Path) -> None:
    path = small(
        tmp_path,
        [
            [*PIPELINE_HEADER, "schedul_cron"],
            ["sales", "orders_sync", "main.sales.orders", "orders", 3, "id", "x"],
            ["sale", "items_sync", "main.sales.items", "items", "1", "id"],
        ],
    )
    assert problems(path) == [
        "pipelines!E2: share[0].pipelines[0].scd_type: expected '1', '2' or 'full_refresh', got '3'",
        "pipelines!G2: share[0].pipelines[0]: unknown key 'schedul_cron'\n"
        "    hint: did you mean 'schedule_cron'?",
        "pipelines!A3: 'sale' is not a share of the `share` sheet\n    hint: did you mean 'sales'?",
    ]


def test_checks_beyond_types_point_at_cells_and_rows(tmp_path: Path) -> None:
    path = small(
        tmp_path,
        [
            PIPELINE_HEADER,
            ["sales", "orders_sync", "main.sales.orders", "orders"],
            ["sales", "orders_sync", "main.sales.items", "items", "1", "id"],
        ],
    )
    assert problems(path) == [
        "pipelines!A2: share[0].pipelines[0]: pipeline 'orders_sync' applies changes as SCD 2 (the default), "
        "which needs `key_columns`\n"
        '    hint: list the key columns (`key_columns: "id"`), or set `scd_type: "1"` or "full_refresh"',
        "pipelines!B3: share[0].pipelines[1].name_prefix: pipeline name 'orders_sync' is already used at "
        "pipelines row 2",
    ]


def test_bad_tags_an_unknown_sheet_and_metadata_fields(tmp_path: Path) -> None:
    path = small(
        tmp_path,
        [[*PIPELINE_HEADER, "tags"], ["sales", "s", "main.sales.orders", "orders", "1", "id", "team=sales"]],
        metadata=[["Field", "Value"], ["approver_statu", "approved"]],
        recipients=[["name"], ["x"]],
    )
    found = problems(path)
    assert "workbook!A1: unknown sheet 'recipients'\n    hint: did you mean 'recipient'?" in found
    assert "pipelines!G2: tag 'team=sales' is not key:value\n    hint: tags are key:value;key:value" in found
    assert (
        "metadata!A2: metadata: unknown key 'approver_statu'\n    hint: did you mean 'approver_status'?"
        in found
    )


def test_macro_workbooks_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "pack.xlsm"
    path.write_bytes(b"whatever")
    with pytest.raises(UsageError, match="macro-enabled"):
        load_pack(path)


def test_formulas_are_read_as_the_values_excel_cached(tmp_path: Path) -> None:
    path = small(
        tmp_path,
        [PIPELINE_HEADER, ["sales", '=CONCAT("orders","_sync")', "main.sales.orders", "o", "1", "id"]],
    )
    # openpyxl writes no cached value: a workbook never opened in Excel has an empty cell there.
    assert problems(path) == ["pipelines!A2: share[0].pipelines[0]: missing required key 'name_prefix'"]


def test_cli_validates_plans_and_converts_a_workbook(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    book = tmp_path / "deltashare_format.xlsx"
    assert cli("convert", str(EXAMPLE), "--out", str(book)).code == 0
    assert cli("validate", str(book)).code == 0
    result = cli("plan", str(book), "--host", workspace_env.url, "--output", "json")
    assert result.code == 0, result.output
    # 3 of them the generated code of its 3 pipelines.
    assert json.loads(result.stdout)["summary"]["create"] == 18
    back = tmp_path / "back.yaml"
    assert cli("convert", str(book), "--out", str(back)).code == 0
    assert cli("convert", str(back), "--out", str(tmp_path / "again.yaml")).code == 2


def test_a_workbook_applies_reapplies_with_no_write_shows_status_and_is_destroyed(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    book = tmp_path / "deltashare_format.xlsx"
    convert(EXAMPLE, book)
    host = ("--host", workspace_env.url)
    assert cli("apply", str(book), *host, "--auto-approve").code == 0
    before = workspace_env.mutating_count()
    again = cli("apply", str(book), *host, "--auto-approve")
    assert again.code == 0 and "No changes" in again.stdout
    assert workspace_env.mutating_count() == before
    assert cli("status", str(book), *host).code == 0
    destroyed = cli("destroy", str(book), *host, "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    assert "Destroyed" in destroyed.stdout
