"""Who can read what (issue 28): the access changes of a plan, `sharepack access`, and access
policies — the real CLI and SDK against the emulator on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

PARTNER_METASTORE = "aws:eu-west-1:0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def pack_text(
    tables: tuple[str, ...] = ("main.sales.daily", "main.sales.orders"),
    *,
    partner_recipients: str = "[acme, analytics]",
    comment: str = "Sales for partners.",
) -> str:
    assets = "\n".join(f"      - {t}" for t in tables)
    return (
        "metadata:\n"
        "  name: retail\n"
        "recipient:\n"
        "  - name: acme\n"
        "    type: D2O\n"
        "    recipient: exchange@acme.example\n"
        "  - name: analytics\n"
        "    type: D2D\n"
        "    recipient: analytics@example.com\n"
        f"    recipient_databricks_org: {PARTNER_METASTORE}\n"
        "share:\n"
        "  - name: partner_share\n"
        f"    comment: {comment}\n"
        "    share_assets:\n"
        f"{assets}\n"
        f"    recipients: {partner_recipients}\n"
    )


def plan_json(cli: Any, pack: Path, *args: str, code: int = 0) -> dict[str, Any]:
    result = cli("plan", str(pack), "--output", "json", *args)
    assert result.code == code, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def applied(cli: Any, tmp_path: Path, text: str | None = None) -> Path:
    pack = write_pack(tmp_path, text or pack_text(), "retail.yaml")
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    return pack


def unity_writes(emulator: Any) -> list[tuple[str, str]]:
    return [
        (r.method, r.path)
        for r in emulator.request_log()
        if r.method in MUTATING and "/unity-catalog/" in r.path
    ]


# -- access changes in the plan ------------------------------------------------------------------
def test_a_table_added_to_a_share_granted_to_a_d2o_recipient_is_planned_as_gained(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    applied(cli, tmp_path)
    pack = write_pack(
        tmp_path, pack_text(("main.sales.daily", "main.sales.orders", "main.sales.returns")), "retail.yaml"
    )
    plan = plan_json(cli, pack)
    assert plan["access_changes"] == [
        {
            "recipient": "acme",
            "recipient_type": "D2O",
            "share": "partner_share",
            "object": "main.sales.returns",
            "change": "gains",
        },
        {
            "recipient": "analytics",
            "recipient_type": "D2D",
            "share": "partner_share",
            "object": "main.sales.returns",
            "change": "gains",
        },
    ]


def test_removing_a_grant_plans_the_recipient_losing_every_object_of_the_share(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    applied(cli, tmp_path)
    pack = write_pack(tmp_path, pack_text(partner_recipients="[analytics]"), "retail.yaml")
    plan = plan_json(cli, pack)
    assert [(a["recipient"], a["object"], a["change"]) for a in plan["access_changes"]] == [
        ("acme", "main.sales.daily", "loses"),
        ("acme", "main.sales.orders", "loses"),
    ]


def test_a_plan_that_moves_no_access_says_so_in_one_line(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    applied(cli, tmp_path)
    pack = write_pack(tmp_path, pack_text(comment="Reworded."), "retail.yaml")
    assert plan_json(cli, pack)["access_changes"] == []
    text = cli("plan", str(pack))
    assert text.code == 0, text.output
    assert "~ share partner_share (id partner_share): update" in text.stdout
    assert text.stdout.count("Access: no recipient gains or loses read on any object.") == 1
    markdown = cli("plan", str(pack), "-o", "markdown").stdout
    assert "no recipient gains or loses read on any object" in markdown


def test_the_text_plan_shows_access_before_the_resource_changes(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    out = cli("plan", str(pack)).stdout
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("SharePack retail"))
    access = next(i for i, line in enumerate(lines) if "Access changes" in line)
    first_change = next(i for i, line in enumerate(lines) if "recipient acme: create" in line)
    assert header < access < first_change
    assert (
        "+ acme (D2O, external) gains 2 objects through share partner_share: "
        "main.sales.daily, main.sales.orders" in out
    )


def test_the_markdown_plan_puts_the_access_table_above_the_resource_table(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    markdown = cli("plan", str(pack), "-o", "markdown").stdout
    assert markdown.index("#### Access changes") < markdown.index("| | action | resource | name |")
    assert (
        "| ➕ gains | `acme` | D2O | `partner_share` | `main.sales.daily`<br>`main.sales.orders` |"
        in markdown
    )


def test_pruning_a_share_plans_every_grantee_losing_every_object(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    applied(cli, tmp_path)
    without_share = pack_text().split("share:\n")[0]
    pack = write_pack(tmp_path, without_share, "retail.yaml")
    plan = plan_json(cli, pack, "--prune")
    assert sorted((a["recipient"], a["object"], a["change"]) for a in plan["access_changes"]) == [
        ("acme", "main.sales.daily", "loses"),
        ("acme", "main.sales.orders", "loses"),
        ("analytics", "main.sales.daily", "loses"),
        ("analytics", "main.sales.orders", "loses"),
    ]


def test_a_saved_plan_keeps_its_access_changes(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    assert cli("plan", str(pack), "--out", str(tmp_path / "plan.json")).code == 0
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert len(saved["plans"][0]["access_changes"]) == 4


# -- sharepack access ------------------------------------------------------------------------------
def _hand_made_share(client: Any) -> None:
    from databricks.sdk.service.sharing import (
        AuthenticationType,
        PermissionsChange,
        SharedDataObject,
        SharedDataObjectUpdate,
        SharedDataObjectUpdateAction,
    )

    client.recipients.create("hand_partner", AuthenticationType.TOKEN, comment="made in the UI")
    client.shares.create("hand_share", comment="made in the UI")
    client.shares.update(
        "hand_share",
        updates=[
            SharedDataObjectUpdate(
                action=SharedDataObjectUpdateAction.ADD, data_object=SharedDataObject(name=name)
            )
            for name in ("main.raw.events", "main.pii.customers")
        ],
    )
    for principal in ("hand_partner", "acme"):
        client.shares.update_permissions(
            "hand_share", changes=[PermissionsChange(principal=principal, add=["SELECT"])]
        )


def test_access_lists_every_recipient_share_and_object_with_its_managing_pack(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    applied(cli, tmp_path)
    _hand_made_share(client)
    client.recipients.create("idle", _token())
    workspace_env.reset_log()
    result = cli("access", "-o", "json")
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    rows = {(r["recipient"], r["share"], r["object"], r["pack"]) for r in data["access"]}
    assert rows == {
        ("acme", "partner_share", "main.sales.daily", "retail"),
        ("acme", "partner_share", "main.sales.orders", "retail"),
        ("analytics", "partner_share", "main.sales.daily", "retail"),
        ("analytics", "partner_share", "main.sales.orders", "retail"),
        ("acme", "hand_share", "main.raw.events", None),
        ("acme", "hand_share", "main.pii.customers", None),
        ("hand_partner", "hand_share", "main.raw.events", None),
        ("hand_partner", "hand_share", "main.pii.customers", None),
    }
    types = {r["name"]: (r["type"], r["pack"], r["shares"]) for r in data["recipients"]}
    assert types["acme"] == ("D2O", "retail", ["hand_share", "partner_share"])
    assert types["analytics"] == ("D2D", "retail", ["partner_share"])
    assert types["idle"] == ("D2O", None, [])
    assert not unity_writes(workspace_env)
    text = cli("access").stdout
    assert "share hand_share (by hand): main.pii.customers, main.raw.events" in text
    assert "idle (D2O, by hand): reads nothing" in text


def _token() -> Any:
    from databricks.sdk.service.sharing import AuthenticationType

    return AuthenticationType.TOKEN


def test_access_costs_two_listings_and_one_read_and_permissions_page_per_share(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    applied(cli, tmp_path)
    _hand_made_share(client)
    workspace_env.reset_log()
    assert cli("access", "-o", "json").code == 0
    paths = [r.path for r in workspace_env.request_log() if "/unity-catalog/" in r.path]
    assert sorted(paths) == sorted(
        [
            "/api/2.1/unity-catalog/recipients",
            "/api/2.1/unity-catalog/shares",
            "/api/2.1/unity-catalog/shares/hand_share",
            "/api/2.1/unity-catalog/shares/hand_share/permissions",
            "/api/2.1/unity-catalog/shares/partner_share",
            "/api/2.1/unity-catalog/shares/partner_share/permissions",
        ]
    )


def test_access_filters_by_recipient_object_and_pack(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = applied(cli, tmp_path)
    _hand_made_share(client)

    def rows(*args: str) -> set[tuple[str, str, str]]:
        result = cli("access", *args, "-o", "json")
        assert result.code == 0, result.output
        return {(r["recipient"], r["share"], r["object"]) for r in json.loads(result.stdout)["access"]}

    assert rows("--recipient", "HAND_PARTNER") == {
        ("hand_partner", "hand_share", "main.raw.events"),
        ("hand_partner", "hand_share", "main.pii.customers"),
    }
    assert rows("--object", "MAIN.PII.*") == {
        ("acme", "hand_share", "main.pii.customers"),
        ("hand_partner", "hand_share", "main.pii.customers"),
    }
    # The pack's shares, and what its recipients read elsewhere (acme through the hand-made share).
    assert rows(str(pack)) == {
        ("acme", "partner_share", "main.sales.daily"),
        ("acme", "partner_share", "main.sales.orders"),
        ("analytics", "partner_share", "main.sales.daily"),
        ("analytics", "partner_share", "main.sales.orders"),
        ("acme", "hand_share", "main.raw.events"),
        ("acme", "hand_share", "main.pii.customers"),
    }


def test_access_as_csv_and_markdown(cli: Any, workspace_env: Any, client: Any, tmp_path: Path) -> None:
    applied(cli, tmp_path)
    _hand_made_share(client)
    table = list(csv.DictReader(io.StringIO(cli("access", "-o", "csv").stdout)))
    assert len(table) == 8
    assert {
        "recipient": "hand_partner",
        "share": "hand_share",
        "object": "main.raw.events",
        "pack": "",
    }.items() <= next(
        r for r in table if r["recipient"] == "hand_partner" and r["object"] == "main.raw.events"
    ).items()
    markdown = cli("access", "-o", "markdown").stdout
    assert "| `hand_partner` | D2O | `hand_share` | `main.raw.events` | by hand |" in markdown
    assert "| `acme` | D2O | `partner_share` | `main.sales.daily` | pack retail |" in markdown


# -- access policies -------------------------------------------------------------------------------
DENY_SALES = "rules:\n  - deny: {objects: ['main.sales.*'], to: external}\n"


def test_a_policy_denying_sales_to_external_recipients_fails_the_plan_that_grants_it(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    without = cli("plan", str(pack), "--detailed-exitcode")
    assert without.code == 2, without.output

    policy = write_pack(tmp_path, DENY_SALES, "rules.yaml")
    refused = cli("plan", str(pack), "--detailed-exitcode", "--policy", str(policy))
    assert refused.code == 1, refused.output
    assert "deny main.sales.* to external" in refused.stderr
    assert f"{policy}:2:5" in refused.stderr
    assert "acme (D2O) gains main.sales.daily through share partner_share" in refused.stderr
    assert "analytics" not in refused.stderr  # D2D: the rule does not name it


def test_the_policy_beside_the_pack_is_found_and_apply_sends_nothing(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    write_pack(tmp_path, DENY_SALES, "sharepack-policy.yaml")
    workspace_env.reset_log()
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 1, result.output
    assert "refuses 2 access change(s); nothing is applied" in result.stderr
    assert not unity_writes(workspace_env)
    markdown = cli("plan", str(pack), "-o", "markdown")
    assert markdown.code == 1
    assert "⛔ **access policy" in markdown.stdout


def test_allow_only_refuses_every_recipient_it_does_not_name(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    policy = write_pack(
        tmp_path, "rules:\n  - allow_only: {objects: [MAIN.SALES.*], to: [Analytics]}\n", "p.yaml"
    )
    result = cli("plan", str(pack), "--policy", str(policy))
    assert result.code == 1, result.output
    assert "acme (D2O) gains main.sales.daily" in result.stderr
    assert "analytics (D2D) gains" not in result.stderr


def test_a_policy_applies_only_to_access_a_change_creates(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    """Access already there is reported by `sharepack access --policy`, never refused or touched."""
    pack = applied(cli, tmp_path)
    _hand_made_share(client)
    write_pack(tmp_path, DENY_SALES, "sharepack-policy.yaml")
    # Only a comment changes: no access moves, so nothing breaks the rule.
    pack = write_pack(tmp_path, pack_text(comment="Reworded."), "retail.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    workspace_env.reset_log()
    report = cli("access", "-o", "json", "--policy", str(tmp_path / "sharepack-policy.yaml"))
    assert report.code == 0, report.output
    broken = json.loads(report.stdout)["policy_violations"]
    assert {(v["recipient"], v["object"]) for v in broken} == {
        ("acme", "main.sales.daily"),
        ("acme", "main.sales.orders"),
    }
    assert not unity_writes(workspace_env)
    text = cli("access", str(pack))  # the policy beside the pack
    assert "2 access(es) break the access policy" in text.stdout


def test_a_bad_policy_file_is_reported_with_file_line_and_column(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    policy = write_pack(
        tmp_path,
        "rules:\n  - deny:\n      objects: [main.pii.*]\n      to: partners\n"
        "  - permit: {objects: [x], to: any}\n",
        "bad.yaml",
    )
    result = cli("plan", str(pack), "--policy", str(policy))
    assert result.code == 1
    assert f"{policy}:4:11: `to: partners` is neither external, d2d nor any" in result.stderr
    assert f"{policy}:5:5: unknown key 'permit' in a rule" in result.stderr
    assert "Traceback" not in result.output
    missing = cli("plan", str(pack), "--policy", str(tmp_path / "nope.yaml"))
    assert missing.code == 2 and "no such file" in missing.stderr


def test_an_update_strategy_plan_refusing_to_create_moves_no_access(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    text = pack_text().replace("  name: retail\n", "  name: retail\n  strategy: UPDATE\n")
    pack = write_pack(tmp_path, text, "retail.yaml")
    plan = plan_json(cli, pack, code=1)
    assert {c["action"] for c in plan["changes"]} == {"conflict"}
    assert plan["access_changes"] == []


def test_a_saved_plan_is_judged_by_the_policy_when_applied(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    saved = tmp_path / "plan.json"
    assert cli("plan", str(pack), "--out", str(saved)).code == 0
    write_pack(tmp_path, DENY_SALES, "sharepack-policy.yaml")
    workspace_env.reset_log()
    result = cli("apply", str(saved), "--auto-approve")
    assert result.code == 1, result.output
    assert "acme (D2O) gains main.sales.orders through share partner_share: refused by rule" in result.stderr
    assert not unity_writes(workspace_env)
