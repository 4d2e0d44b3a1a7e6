"""export of Delta Sharing end to end: shares (whole), grants and recipients round-trip to no change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import write_pack

ORG = "aws:us-west-2:19a85dee-54bc-43a2-87ab-023d0ec16013"
PACK = f"""
metadata: {{name: retail}}
recipient:
  - name: analytics
    type: D2D
    recipient: analytics@example.com
    comment: The analytics workspace.
    recipient_databricks_org: {ORG}
  - name: partner
    type: D2O
    recipient: exchange@partner.example
    comment: A partner outside Databricks.
    recipient_ips: [203.0.113.7, 198.51.100.0/24]
    token_expiry: 30
  - name: idle
    type: D2O
share:
  - name: sales_share
    comment: Daily sales and orders.
    share_assets:
      - main.sales.orders
      - main.sales.daily
      - {{name: main.sales.returns, history: true}}
      - {{name: main.sales.refunds, cdf: true}}
      - {{name: main.products.items, shared_as: reference.items}}
      - {{name: main.sales.summary, type: VIEW}}
    recipients: [partner, analytics]
    delta_share: {{ext_catalog_name: shared, ext_schema_name: sales}}
    pipelines:
      - name_prefix: sales_daily
        source_asset: main.sales.daily
        schedule: {{every: 6h}}
      - name_prefix: sales_orders
        source_asset: main.sales.orders
  - name: stock_share
    share_assets: [main.inventory]
    recipients: [analytics]
"""


def _plan(cli: Any, pack: Path) -> dict[str, Any]:
    result = cli("plan", str(pack), "--output", "json")
    assert result.code == 0, result.output
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def _actions(plan: dict[str, Any]) -> dict[str, str]:
    return {f"{c['resource_type']}:{c['name']}": c["action"] for c in plan["changes"]}


def _applied(cli: Any, tmp_path: Path, text: str = PACK) -> Path:
    pack = write_pack(tmp_path, text)
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    return pack


def test_shares_grants_and_recipients_round_trip_to_no_change_and_no_write(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    _applied(cli, tmp_path)
    out = tmp_path / "exported.yaml"
    result = cli("export", "--out", str(out))
    assert result.code == 0, result.output
    assert "with 2 share(s) and 3 recipient(s)" in result.stderr
    assert cli("validate", str(out)).code == 0

    workspace_env.reset_log()
    plan = _plan(cli, out)
    assert set(_actions(plan).values()) == {"no-op"}, _actions(plan)
    assert "share_objects:sales_share" in _actions(plan) and "grant:sales_share:partner" in _actions(plan)
    assert workspace_env.mutating_count() == 0

    text = out.read_text()
    assert "sharepack_pack=" not in text  # the ownership trailer stays in the workspace
    assert "activation" not in text.split("\nmetadata:")[1]  # only the header mentions it
    document = yaml.safe_load(text)
    assert document["metadata"]["name"] == "retail"
    recipients = {r["name"]: r for r in document["recipient"]}
    assert recipients["analytics"] == {
        "name": "analytics",
        "type": "D2D",
        "recipient": "analytics@example.com",
        "comment": "The analytics workspace.",
        "recipient_databricks_org": ORG,
    }
    assert recipients["partner"] == {
        "name": "partner",
        "type": "D2O",
        "recipient": "exchange@partner.example",
        "comment": "A partner outside Databricks.",
        "recipient_ips": ["198.51.100.0/24", "203.0.113.7"],
    }
    assert recipients["idle"] == {"name": "idle", "type": "D2O"}
    shares = {s["name"]: s for s in document["share"]}
    sales = shares["sales_share"]
    assert sales["comment"] == "Daily sales and orders."
    # The string form where the name says it all, the mapping form for anything else.
    assert sales["share_assets"] == [
        {"name": "main.products.items", "shared_as": "reference.items"},
        "main.sales.daily",
        "main.sales.orders",
        {"name": "main.sales.refunds", "cdf": True},
        {"name": "main.sales.returns", "history": True},
        {"name": "main.sales.summary", "type": "VIEW"},
    ]
    assert sales["recipients"] == ["analytics", "partner"]
    assert [p["name_prefix"] for p in sales["pipelines"]] == ["sales_daily", "sales_orders"]
    assert shares["stock_share"] == {
        "name": "stock_share",
        "share_assets": ["main.inventory"],
        "recipients": ["analytics"],
    }


def test_a_filtered_export_writes_each_share_whole_with_only_the_recipients_it_grants(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    _applied(cli, tmp_path)
    result = cli("export", "--name-like", "sales_daily", "--output", "json")
    assert result.code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["pipelines"] == ["sales_daily"]
    assert payload["shares"] == ["sales_share"]
    assert payload["recipients"] == ["analytics", "partner"]  # idle is granted nothing exported
    assert "A share is written whole" in payload["yaml"]
    document = yaml.safe_load(payload["yaml"])
    (share,) = document["share"]
    assert len(share["share_assets"]) == 6  # not only the table the exported pipeline syncs
    out = write_pack(tmp_path, payload["yaml"], "filtered.yaml")
    plan = _plan(cli, out)
    assert set(_actions(plan).values()) == {"no-op"}, _actions(plan)
    # What the filter left out is still the pack's: a warning, never a deletion.
    assert any("(idle)" in w and "--prune" in w for w in plan["warnings"]), plan["warnings"]


def test_a_share_named_like_the_filter_is_exported_and_names_the_pack(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    _applied(cli, tmp_path)
    result = cli("export", "--name-like", "stock%", "--output", "json")
    assert result.code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["pipelines"] == [] and payload["shares"] == ["stock_share"]
    document = yaml.safe_load(payload["yaml"])
    # No pipeline carries the pack's tag; the share's comment mark and the recipient's properties do.
    assert document["metadata"]["name"] == "retail"
    assert [r["name"] for r in document["recipient"]] == ["analytics"]


def test_hand_made_share_and_recipient_export_as_adoptions_that_keep_others_properties(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import (
        AuthenticationType,
        PermissionsChange,
        SecurablePropertiesKvPairs,
        SharedDataObject,
        SharedDataObjectDataObjectType,
        SharedDataObjectUpdate,
        SharedDataObjectUpdateAction,
    )

    client.recipients.create(
        "hand_partner",
        AuthenticationType.TOKEN,
        comment="made in the UI",
        properties_kvpairs=SecurablePropertiesKvPairs(properties={"team": "growth"}),
    )
    client.shares.create("hand_share", comment="made in the UI")
    client.shares.update(
        "hand_share",
        updates=[
            SharedDataObjectUpdate(
                action=SharedDataObjectUpdateAction.ADD,
                data_object=SharedDataObject(
                    name="main.raw.events", data_object_type=SharedDataObjectDataObjectType.TABLE
                ),
            )
        ],
    )
    client.shares.update_permissions(
        "hand_share", changes=[PermissionsChange(principal="hand_partner", add=["SELECT"])]
    )
    out = tmp_path / "adopt.yaml"
    assert cli("export", "--out", str(out)).code == 0
    assert cli("validate", str(out)).code == 0
    actions = _actions(_plan(cli, out))
    assert actions == {
        "recipient:hand_partner": "adopt",
        "share:hand_share": "adopt",
        "share_objects:hand_share": "no-op",
        "grant:hand_share:hand_partner": "no-op",
    }
    assert cli("apply", str(out), "--auto-approve").code == 0
    assert set(_actions(_plan(cli, out)).values()) == {"no-op"}
    properties = client.recipients.get("hand_partner").properties_kvpairs.properties
    assert properties["team"] == "growth" and properties["sharepack_pack"] == "exported"


def test_a_share_holding_an_object_no_pack_can_declare_is_left_out_whole(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import (
        SharedDataObject,
        SharedDataObjectDataObjectType,
        SharedDataObjectUpdate,
        SharedDataObjectUpdateAction,
    )

    _applied(cli, tmp_path)
    client.shares.update(
        "sales_share",
        updates=[
            SharedDataObjectUpdate(
                action=SharedDataObjectUpdateAction.ADD,
                data_object=SharedDataObject(
                    name="notebooks/report",
                    data_object_type=SharedDataObjectDataObjectType.NOTEBOOK_FILE,
                    content="cHJpbnQoMSk=",
                ),
            )
        ],
    )
    out = tmp_path / "exported.yaml"
    result = cli("export", "--out", str(out))
    assert result.code == 0, result.output
    text = out.read_text()
    assert "share sales_share holds objects a SharePack cannot declare: notebooks/report" in text
    document = yaml.safe_load(text)
    assert [s["name"] for s in document["share"]] == ["stock_share"]
    assert "pipelines" not in document  # the share's pipelines go with it, not loose
    assert cli("validate", str(out)).code == 0
    workspace_env.reset_log()
    plan = _plan(cli, out)
    assert not any(k.endswith("sales_share") for k in _actions(plan))
    assert workspace_env.mutating_count() == 0
