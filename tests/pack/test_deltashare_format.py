"""The keys of the share-pack format users already hold, as the spec reads them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sharepack.desired.build import desired_state
from sharepack.pack import load_pack
from tests.pack.helpers import SHAREPACKS, problems_of

Write = Callable[..., Path]

SHARE = """\
share:
  - name: s
    share_assets: [main.sales.orders]
    pipelines:
      - name_prefix: orders_sync
        source_asset: main.sales.orders
"""


def test_the_example_resolves_every_key() -> None:
    pack = load_pack(SHAREPACKS / "deltashare_format.yaml")
    assert pack.metadata.approver_status == "approved"
    assert pack.metadata.governance_tags == {
        "sharepack_ticket": "RITM0012345",
        "sharepack_requestor": "jane.doe@example.com",
    }
    leases, payments, properties = pack.pipelines
    assert (leases.target_asset, leases.scd_type, leases.key_columns) == (
        "leases",
        "2",
        ("lease_id", "version"),
    )
    assert (payments.catalog, payments.schema_name, payments.description) == (
        "finance_prod",
        "shared_payments",
        "Payments, latest state only.",
    )
    assert properties.scd_type == "full_refresh" and properties.key_columns == ()
    updates = pack.shares[1]
    assert not updates.assets_complete and updates.absent_assets == ("main.leasing.legacy_units",)
    assert not updates.recipients_complete and updates.absent_recipients == ("old_partner",)
    assert pack.shares[0].tags == ("leasing", "daily")
    partner = pack.recipients[1]
    assert partner.ips == ("203.0.113.7", "198.51.100.0/24") and not partner.ips_complete
    assert partner.absent_ips == ("192.0.2.1",)


def test_sync_configuration_only_for_pipelines_that_use_the_keys(pack_file: Write) -> None:
    plain = desired_state(load_pack(pack_file(SHARE))).pipelines[0].spec["configuration"]
    assert not any(key.startswith("pipelines.") for key in plain)
    text = SHARE + "        target_asset: orders_copy\n        key_columns: id, region\n"
    config = desired_state(load_pack(pack_file(text))).pipelines[0].spec["configuration"]
    assert config["pipelines.target_table"] == "orders_copy"
    assert config["pipelines.keys"] == "id,region"
    assert config["pipelines.scd_type"] == "2"
    assert config["pipelines.source_table"] == "main.sales.orders"


def test_the_nested_schedule_form_is_accepted_with_a_notice(pack_file: Write) -> None:
    text = (
        SHARE
        + "        schedule:\n          orders:\n            cron: 0 0 2 * * ?\n            timezone: UTC\n"
    )
    pack = load_pack(pack_file(text))
    schedule = pack.pipelines[0].schedule
    assert schedule is not None and getattr(schedule, "cron", None) == "0 0 2 * * ?"
    (notice,) = pack.notices
    assert (notice.line, notice.col) == (7, 9)
    assert "nested under 'orders' is the older form" in notice.message
    assert notice.hint is not None and "schedule: {cron: ..., timezone: ...}" in notice.hint


def test_a_problem_inside_a_nested_schedule_points_at_its_line(pack_file: Write) -> None:
    text = (
        SHARE
        + "        schedule:\n          orders:\n"
        + "            cron: 0 0 2 * * ?\n            timezone: Mars/Base\n"
    )
    (problem,) = problems_of(pack_file(text))
    assert problem.startswith("10:23: share[0].pipelines[0].schedule.timezone:")


def test_governance_tags_count_against_the_tag_budget(pack_file: Write) -> None:
    tags = "".join(f"          t{i}: v\n" for i in range(21))
    text = (
        "metadata:\n  servicenow: RITM0000001\n  requestor: a@example.com\n"
        + SHARE
        + "        tags:\n"
        + tags
    )
    (problem,) = problems_of(pack_file(text))
    assert problem.startswith("11:11: share[0].pipelines[0].tags: 21 tags;")
    assert "sharepack uses 5" in problem


def test_a_share_without_any_asset_list_is_refused_at_the_share(pack_file: Write) -> None:
    assert problems_of(pack_file("share:\n  - name: s\n    recipients: [a]\n")) == [
        "2:5: share[0]: missing required key 'share_assets'"
    ]


def test_workbook_style_comma_lists_and_text_numbers(pack_file: Write) -> None:
    text = (
        "recipient:\n  - {name: p, type: d2o, recipient_ips: '203.0.113.1, 203.0.113.2', token_expiry: 30}\n"
        "share:\n  - name: s\n    share_assets: [main.sales.orders]\n    recipients: p\n"
    )
    pack = load_pack(pack_file(text))
    assert pack.recipients[0].ips == ("203.0.113.1", "203.0.113.2")
    assert pack.shares[0].recipients == ("p",)


def test_validate_shows_the_note_of_an_older_form(cli: Any, pack_file: Write) -> None:
    text = SHARE + "        schedule:\n          orders:\n            cron: 0 0 2 * * ?\n"
    path = pack_file(text)
    result = cli("validate", str(path))
    assert result.code == 0, result.output
    assert (
        f"note: {path}:7:9: share[0].pipelines[0].schedule: schedule nested under 'orders'" in result.stderr
    )


def test_the_target_of_a_backticked_source_is_its_table_part_without_backticks(pack_file: Write) -> None:
    text = SHARE.replace("main.sales.orders", "main.sales.`order-lines`") + "        key_columns: id\n"
    config = desired_state(load_pack(pack_file(text))).pipelines[0].spec["configuration"]
    assert config["pipelines.target_table"] == "order-lines"
    assert config["pipelines.source_table"] == "main.sales.`order-lines`"


def test_edition_core_is_refused_at_its_line_for_a_pipeline_that_applies_changes(pack_file: Write) -> None:
    text = "pipeline_defaults:\n  edition: core\n" + SHARE + "        key_columns: id\n"
    (problem,) = problems_of(pack_file(text))
    assert problem.startswith("2:12: pipeline_defaults.edition: pipeline 'orders_sync' applies")
    assert "as SCD 2 (AUTO CDC)" in problem
    assert "CORE edition does not have" in problem
    on_classic = SHARE + '        scd_type: "1"\n        key_columns: id\n        serverless: false\n'
    (problem,) = problems_of(pack_file(on_classic + "        edition: CORE\n"))
    assert problem.startswith("10:18: share[0].pipelines[0].edition: pipeline 'orders_sync' applies")
    assert "as SCD 1 (AUTO CDC)" in problem
    # A full copy needs no AUTO CDC; PRO has it.
    load_pack(pack_file(SHARE + "        scd_type: full_refresh\n        edition: CORE\n"))
    load_pack(pack_file(on_classic + "        edition: PRO\n"))


def test_key_columns_the_generated_code_cannot_merge_on_are_refused_at_their_line(pack_file: Write) -> None:
    text = SHARE + "        key_columns: [id, _commit_version, __END_AT]\n"
    assert [p.split(": ", 2)[:2] for p in problems_of(pack_file(text))] == [
        ["7:27", "share[0].pipelines[0].key_columns[1]"],
        ["7:44", "share[0].pipelines[0].key_columns[2]"],
    ]
    assert "'_commit_version' cannot be a key" in problems_of(pack_file(text))[0]
