"""status of Delta Sharing end to end: recipients and shares, before and after apply and hand edits."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

ORG = "aws:us-west-2:19a85dee-54bc-43a2-87ab-023d0ec16013"
PACK = f"""
metadata: {{name: retail}}
recipient:
  - name: analytics
    type: D2D
    recipient_databricks_org: {ORG}
  - name: partner
    type: D2O
    recipient: exchange@partner.example
    token_expiry: 30
share:
  - name: sales_share
    share_assets: [main.sales.daily, main.sales.orders, main.sales.returns]
    recipients: [analytics, partner]
    pipelines:
      - name_prefix: sales_daily
        source_asset: main.sales.daily
        catalog: shared
        schema: sales
  - name: stock_share
    share_assets: [main.inventory]
    recipients: [analytics]
"""


def _rows(cli: Any, pack: Path) -> dict[tuple[str, str], dict[str, Any]]:
    result = cli("status", str(pack), "--output", "json")
    assert result.code == 0, result.output
    return {(row["kind"], row["name"]): row for row in json.loads(result.stdout)}


def _applied(cli: Any, tmp_path: Path) -> Path:
    pack = write_pack(tmp_path, PACK)
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    return pack


def test_before_apply_recipients_and_shares_are_missing(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    rows = _rows(cli, pack)
    assert list(rows) == [
        ("pipeline", "sales_daily"),
        ("recipient", "analytics"),
        ("recipient", "partner"),
        ("share", "sales_share"),
        ("share", "stock_share"),
    ]
    partner = rows[("recipient", "partner")]
    assert partner["exists"] is False and partner["missing"] == ["recipient"] and partner["drift"] is None
    assert partner["type"] == "D2O" and partner["activated"] is None
    sales = rows[("share", "sales_share")]
    assert sales["exists"] is False and sales["objects"]["declared"] == 3
    assert sales["grants"]["declared"] == ["analytics", "partner"] and sales["grants"]["present"] == []
    text = cli("status", str(pack))
    assert text.code == 0, text.output
    assert "4 of 4 recipients and shares not deployed; to deploy, run:" in text.stdout
    assert f"  sharepack apply {pack}\n" in text.stdout


def test_after_apply_recipients_show_activation_and_token_expiry_and_shares_their_contents(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    rows = _rows(cli, pack)
    analytics, partner = rows[("recipient", "analytics")], rows[("recipient", "partner")]
    assert analytics["exists"] and analytics["drift"] is False and analytics["owner"] == "retail"
    assert analytics["type"] == "D2D" and analytics["activated"] is True
    assert analytics["token_days_left"] is None  # no token: reached through its metastore
    assert partner["type"] == "D2O" and partner["activated"] is False and partner["owner"] == "retail"
    # Applied at creation from `token_expiry: 30`; the remaining days, not the declared ones.
    assert 29 < partner["token_days_left"] <= 30
    assert partner["token_expires"] is not None
    sales = rows[("share", "sales_share")]
    assert sales["exists"] and sales["drift"] is False and sales["owner"] == "retail"
    assert sales["objects"] == {"declared": 3, "present": 3, "undeclared": []}
    assert sales["grants"]["present"] == ["analytics", "partner"] and sales["grants"]["undeclared"] == []
    assert rows[("pipeline", "sales_daily")]["exists"]

    text = cli("status", str(pack))
    assert text.code == 0, text.output
    assert "Recipients" in text.stdout and "Shares" in text.stdout
    assert "in 30 days" in text.stdout or "in 29 days" in text.stdout
    assert "3/3 declared present" in text.stdout
    assert "not deployed" not in text.stdout
    assert "retrieve_config" not in text.output and "activation" not in text.output


def test_hand_edits_to_shares_and_recipients_show_as_drift(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import (
        AuthenticationType,
        PermissionsChange,
        SharedDataObject,
        SharedDataObjectUpdate,
        SharedDataObjectUpdateAction,
    )

    pack = _applied(cli, tmp_path)
    client.shares.update(
        "sales_share",
        updates=[
            SharedDataObjectUpdate(
                action=SharedDataObjectUpdateAction.REMOVE,
                data_object=SharedDataObject(name="main.sales.orders"),
            )
        ],
    )
    client.recipients.create("someone_else", AuthenticationType.TOKEN)
    client.shares.update_permissions(
        "stock_share", changes=[PermissionsChange(principal="someone_else", add=["SELECT"])]
    )
    client.recipients.update("partner", comment="edited in the UI")

    rows = _rows(cli, pack)
    sales = rows[("share", "sales_share")]
    assert sales["drift"] is True and sales["objects"]["present"] == 2
    assert "objects[main.sales.orders]" in sales["drift_fields"]
    stock = rows[("share", "stock_share")]
    # Someone else's recipient: shown, and left alone by apply (a note, not drift to undo).
    assert stock["grants"]["undeclared"] == ["someone_else"]
    assert any("someone_else" in n and "left alone" in n for n in stock["notes"])
    partner = rows[("recipient", "partner")]
    assert partner["drift"] is True and partner["drift_fields"] == ["comment"]
    assert rows[("recipient", "analytics")]["drift"] is False


def test_status_reads_sharing_no_more_than_plan_does(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = _applied(cli, tmp_path)

    def sharing_requests(*args: str) -> Counter[tuple[str, str]]:
        workspace_env.reset_log()
        assert cli(*args).code == 0
        return Counter(
            (r.method, r.path.split("?")[0]) for r in workspace_env.request_log() if "unity-catalog" in r.path
        )

    planned = sharing_requests("plan", str(pack))
    assert planned  # the recipient list, and each share with its permissions
    assert sharing_requests("status", str(pack)) == planned
    assert sharing_requests("status", str(pack), "--output", "json") == planned
