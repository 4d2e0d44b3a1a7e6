"""Delta Sharing end to end (issue 12's "Done when"): the real CLI and SDK against the emulator.

Each test is one thing a data team would notice: what exists in the metastore after a command,
what the plan says, and whether a command that should change nothing sent any write.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import list_shares, write_pack

# A metastore other than the emulator's own (a D2D recipient may not name its provider's).
ANALYTICS_METASTORE = "aws:eu-west-1:0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"
TABLES = [
    "main.sales.daily_sales",
    "main.sales.customer_orders",
    "main.sales.returns",
    "main.products.items",
    "main.products.categories",
]
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def pack_text(
    tables: list[str] | None = None,
    *,
    ips: tuple[str, ...] = ("203.0.113.7", "198.51.100.0/24"),
    acme_type: str = "D2O",
    with_inventory: bool = True,
    with_acme: bool = True,
) -> str:
    """Two recipients (D2D, D2O), two shares (five tables; one schema), grants and pipelines."""
    assets = "\n".join(f"      - {t}" for t in (TABLES if tables is None else tables))
    if acme_type == "D2O":
        acme = (
            "  - name: acme\n"
            "    type: D2O\n"
            "    recipient: exchange@acme.example\n"
            "    comment: ACME Corp, outside Databricks.\n"
            f"    recipient_ips: [{', '.join(ips)}]\n"
            "    token_expiry: 90\n"
        )
    else:
        acme = (
            "  - name: acme\n"
            "    type: D2D\n"
            "    recipient: exchange@acme.example\n"
            "    comment: ACME Corp, outside Databricks.\n"
            "    recipient_databricks_org: azure:westeurope:7d0a61b2-5c1e-4f3a-9b8c-0d1e2f3a4b5c\n"
        )
    retail_recipients = "[analytics, acme]" if with_acme else "[analytics]"
    text = (
        "metadata:\n"
        "  name: retail\n"
        "recipient:\n"
        "  - name: analytics\n"
        "    type: D2D\n"
        "    recipient: analytics-team@example.com\n"
        "    comment: The analytics workspace.\n"
        f"    recipient_databricks_org: {ANALYTICS_METASTORE}\n" + (acme if with_acme else "") + "share:\n"
        "  - name: retail\n"
        "    comment: Daily sales, orders, returns and the product catalog.\n"
        "    share_assets:\n"
        f"{assets}\n"
        f"    recipients: {retail_recipients}\n"
        "    delta_share: {ext_catalog_name: shared_retail, ext_schema_name: sales}\n"
        "    pipelines:\n"
        "      - name_prefix: retail_sales_sync\n"
        "        source_asset: main.sales.daily_sales\n"
        "        schedule: {every: 6h}\n"
    )
    if with_inventory:
        text += (
            "  - name: inventory\n"
            "    comment: The whole inventory schema.\n"
            "    share_assets:\n"
            "      - main.inventory\n"
            "    recipients: [analytics]\n"
            "    pipelines:\n"
            "      - name_prefix: inventory_stock_sync\n"
            "        source_asset: main.inventory.stock_levels\n"
            "        catalog: shared_inventory\n"
            "        schema: inventory\n"
            "        schedule: {every: 1h}\n"
        )
    return text


def writes(emulator: Any) -> list[tuple[str, str]]:
    """Every mutating request (the deploy lock's workspace files included)."""
    return [(r.method, r.path) for r in emulator.request_log() if r.method in MUTATING]


def sharing_writes(emulator: Any) -> list[tuple[str, str]]:
    """The mutating Unity Catalog requests: what an apply changed in the metastore."""
    return [(m, p) for m, p in writes(emulator) if "/unity-catalog/" in p]


def plan_json(cli: Any, pack: Path, *args: str, code: int = 0) -> dict[str, Any]:
    result = cli("plan", str(pack), "--output", "json", *args)
    assert result.code == code, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def changes_of(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(resource type, name, action) of every change that is not a no-op."""
    return sorted(
        (c["resource_type"], c["name"], c["action"]) for c in plan["changes"] if c["action"] != "no-op"
    )


def share_objects(client: Any, share: str) -> dict[str, Any]:
    return {o.name: o for o in client.shares.get(share, include_shared_data=True).objects or []}


def grantees(client: Any, share: str) -> set[str]:
    page = client.shares.share_permissions(share)
    return {a.principal for a in page.privilege_assignments or []}


def recipient_names(client: Any) -> set[str]:
    return {r.name for r in client.recipients.list()}


def share_names(client: Any) -> set[str]:
    return {s.name for s in list_shares(client)}


@pytest.fixture
def applied(cli: Any, workspace_env: Any, tmp_path: Path) -> Path:
    """The pack applied from scratch, the request log cleared."""
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    workspace_env.reset_log()
    return pack


# -- the "Done when", one test each ----------------------------------------------------
def test_the_pack_applies_from_scratch(cli: Any, workspace_env: Any, client: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert recipient_names(client) == {"analytics", "acme"}
    analytics = client.recipients.get("analytics")
    assert analytics.authentication_type.value == "DATABRICKS"
    assert analytics.data_recipient_global_metastore_id == ANALYTICS_METASTORE
    acme = client.recipients.get("acme")
    assert acme.authentication_type.value == "TOKEN"
    assert sorted(acme.ip_access_list.allowed_ip_addresses) == ["198.51.100.0/24", "203.0.113.7"]
    assert acme.properties_kvpairs.properties["sharepack_pack"] == "retail"
    assert share_names(client) == {"retail", "inventory"}
    assert sorted(share_objects(client, "retail")) == sorted(TABLES)
    inventory = share_objects(client, "inventory")
    assert list(inventory) == ["main.inventory"]
    assert inventory["main.inventory"].data_object_type.value == "SCHEMA"
    assert grantees(client, "retail") == {"analytics", "acme"}
    assert grantees(client, "inventory") == {"analytics"}
    assert {p.name for p in client.pipelines.list_pipelines()} == {
        "retail_sales_sync",
        "inventory_stock_sync",
    }
    assert {j.settings.name for j in client.jobs.list()} == {
        "retail_sales_sync_schedule",
        "inventory_stock_sync_schedule",
    }
    # Order: a share's grants are sent only once its objects are in, and after a recipient exists.
    log = writes(workspace_env)
    for share in ("retail", "inventory"):
        objects = log.index(("PATCH", f"/api/2.1/unity-catalog/shares/{share}"))
        first_grant = log.index(("PATCH", f"/api/2.1/unity-catalog/shares/{share}/permissions"))
        assert objects < first_grant, log
        assert ("POST", "/api/2.1/unity-catalog/recipients") in log[:first_grant], log


def test_a_second_apply_sends_no_write(cli: Any, workspace_env: Any, applied: Path) -> None:
    again = cli("apply", str(applied), "--auto-approve")
    assert again.code == 0, again.output
    assert "No changes" in again.stdout
    assert writes(workspace_env) == []


def test_a_reordered_share_assets_list_sends_no_write(
    cli: Any, workspace_env: Any, applied: Path, tmp_path: Path
) -> None:
    write_pack(tmp_path, pack_text(list(reversed(TABLES))), "retail.yaml")
    assert cli("plan", str(applied), "--detailed-exitcode").code == 0
    again = cli("apply", str(applied), "--auto-approve")
    assert again.code == 0, again.output
    assert writes(workspace_env) == []


def test_a_table_inserted_in_the_middle_is_one_addition_in_one_patch(
    cli: Any, workspace_env: Any, client: Any, applied: Path, tmp_path: Path
) -> None:
    tables = [*TABLES[:2], "main.sales.refunds", *TABLES[2:]]
    write_pack(tmp_path, pack_text(tables), "retail.yaml")
    plan = plan_json(cli, applied)
    assert changes_of(plan) == [("share_objects", "retail", "update")]
    objects = next(c for c in plan["changes"] if c["resource_type"] == "share_objects")
    assert [d["path"] for d in objects["diff"]] == ["objects[main.sales.refunds]"]
    assert objects["diff"][0]["before"] is None
    workspace_env.reset_log()
    assert cli("apply", str(applied), "--auto-approve").code == 0
    assert sharing_writes(workspace_env) == [("PATCH", "/api/2.1/unity-catalog/shares/retail")]
    assert sorted(share_objects(client, "retail")) == sorted(tables)


def test_a_hand_made_share_of_the_same_name_is_shown_as_adopt_and_untouched_until_applied(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import (
        SharedDataObject,
        SharedDataObjectDataObjectType,
        SharedDataObjectUpdate,
        SharedDataObjectUpdateAction,
    )

    client.shares.create("retail", comment="Made by hand in the UI.")
    client.shares.update(
        "retail",
        updates=[
            SharedDataObjectUpdate(
                action=SharedDataObjectUpdateAction.ADD,
                data_object=SharedDataObject(
                    name="main.sales.daily_sales", data_object_type=SharedDataObjectDataObjectType.TABLE
                ),
            )
        ],
    )
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    workspace_env.reset_log()
    plan = plan_json(cli, pack)
    share = next(c for c in plan["changes"] if c["resource_type"] == "share" and c["name"] == "retail")
    assert share["action"] == "adopt"
    # Planning is reading: the hand-made share is as it was.
    assert writes(workspace_env) == []
    assert client.shares.get("retail").comment == "Made by hand in the UI."
    # Applying the plan is the adoption: the share carries our mark, with the declared objects.
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "sharepack_pack=retail" in client.shares.get("retail").comment
    assert sorted(share_objects(client, "retail")) == sorted(TABLES)
    assert len([s for s in list_shares(client) if s.name == "retail"]) == 1
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_a_share_owned_by_another_pack_is_a_conflict_and_left_alone(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    other = write_pack(
        tmp_path,
        "metadata: {name: wholesale}\nshare:\n  - name: retail\n    share_assets: [main.wholesale.orders]\n",
        "wholesale.yaml",
    )
    assert cli("apply", str(other), "--auto-approve").code == 0
    before = client.shares.get("retail", include_shared_data=True)
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    plan = plan_json(cli, pack, code=1)  # something declared will be left alone
    retail = [c for c in plan["changes"] if c["name"] == "retail" or c["name"].startswith("retail:")]
    assert [(c["resource_type"], c["action"]) for c in retail] == [("share", "conflict")]
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 1, result.output  # a resource we could not touch fails the apply
    assert "belongs to SharePack 'wholesale'" in result.output
    after = client.shares.get("retail", include_shared_data=True)
    assert after.comment == before.comment
    assert [o.name for o in after.objects] == ["main.wholesale.orders"]
    assert grantees(client, "retail") == set()


def test_destroy_removes_what_was_ours_and_nothing_else(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import AuthenticationType

    client.shares.create("hand_made_share", comment="not sharepack's")
    client.recipients.create("hand_made_recipient", AuthenticationType.TOKEN, comment="not sharepack's")
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert share_names(client) == {"hand_made_share"}
    assert recipient_names(client) == {"hand_made_recipient"}
    assert list(client.pipelines.list_pipelines()) == []
    assert list(client.jobs.list()) == []
    workspace_env.reset_log()
    assert cli("destroy", str(pack), "--auto-approve").code == 0
    assert writes(workspace_env) == []


def test_destroy_leaves_a_declared_share_that_is_not_ours(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    # Someone strips our mark: the share is no longer provably ours, so destroy must keep it.
    client.shares.update("inventory", comment="Taken over by the inventory team.")
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "share inventory does not carry this pack's mark: left alone" in result.output
    assert share_names(client) == {"inventory"}


# -- beyond the list ------------------------------------------------------------------------------
def test_a_grant_to_a_recipient_we_do_not_own_is_left_alone_with_a_warning(
    cli: Any, workspace_env: Any, client: Any, applied: Path
) -> None:
    from databricks.sdk.service.sharing import AuthenticationType, PermissionsChange

    client.recipients.create("auditor", AuthenticationType.TOKEN)
    client.shares.update_permissions(
        "retail", changes=[PermissionsChange(principal="auditor", add=["SELECT"])]
    )
    workspace_env.reset_log()
    plan = cli("plan", str(applied), "--detailed-exitcode")
    assert plan.code == 0, plan.output
    assert (
        "share retail is also granted to auditor, a recipient this pack does not own: left alone"
        in plan.output
    )
    assert cli("apply", str(applied), "--auto-approve", "--prune").code == 0
    assert writes(workspace_env) == []
    assert "auditor" in grantees(client, "retail")


def test_a_grant_we_no_longer_declare_to_our_recipient_is_revoked(
    cli: Any, workspace_env: Any, client: Any, applied: Path, tmp_path: Path
) -> None:
    text = pack_text().replace(
        "    recipients: [analytics]\n    pipelines:", "    recipients: []\n    pipelines:"
    )
    write_pack(tmp_path, text, "retail.yaml")
    assert changes_of(plan_json(cli, applied)) == [("grant", "inventory:analytics", "delete")]
    assert cli("apply", str(applied), "--auto-approve").code == 0
    assert grantees(client, "inventory") == set()


def test_changing_the_ip_allow_list_is_one_patch(
    cli: Any, workspace_env: Any, client: Any, applied: Path, tmp_path: Path
) -> None:
    write_pack(tmp_path, pack_text(ips=("203.0.113.7", "192.0.2.10")), "retail.yaml")
    plan = plan_json(cli, applied)
    assert changes_of(plan) == [("recipient", "acme", "update")]
    workspace_env.reset_log()
    assert cli("apply", str(applied), "--auto-approve").code == 0
    assert sharing_writes(workspace_env) == [("PATCH", "/api/2.1/unity-catalog/recipients/acme")]
    acme = client.recipients.get("acme")
    assert sorted(acme.ip_access_list.allowed_ip_addresses) == ["192.0.2.10", "203.0.113.7"]


def test_changing_a_recipients_type_is_refused_with_how_to_replace_it(
    cli: Any, workspace_env: Any, client: Any, applied: Path, tmp_path: Path
) -> None:
    write_pack(tmp_path, pack_text(acme_type="D2D"), "retail.yaml")
    plan = cli("plan", str(applied))
    assert plan.code == 1, plan.output
    assert "authentication_type of recipient acme cannot change in place" in plan.output
    assert "--prune" in plan.output
    result = cli("apply", str(applied), "--auto-approve")
    assert result.code == 1, result.output
    assert client.recipients.get("acme").authentication_type.value == "TOKEN"
    assert not any(p.endswith("/recipients/acme") for _, p in writes(workspace_env))


def test_token_expiry_is_set_at_creation_and_not_reset_by_a_reapply(
    cli: Any, workspace_env: Any, client: Any, applied: Path
) -> None:
    import time

    acme = client.recipients.get("acme")
    expiry = max(t.expiration_time for t in acme.tokens)
    days = (expiry - time.time() * 1000) / 86_400_000
    assert 89 < days <= 90
    assert cli("apply", str(applied), "--auto-approve").code == 0
    assert writes(workspace_env) == []
    assert max(t.expiration_time for t in client.recipients.get("acme").tokens) == expiry


def test_select_plans_and_applies_only_the_named_share_and_recipient(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    plan = cli("plan", str(pack), "--select", "inventory", "--output", "json")
    assert changes_of(json.loads(plan.stdout)) == [
        ("share", "inventory", "create"),
        ("share_objects", "inventory", "create"),
    ]
    # The grant needs a recipient this selection would not create: said, not attempted.
    assert "add --select analytics" in plan.output
    result = cli("apply", str(pack), "--auto-approve", "--select", "inventory", "--select", "analytics")
    assert result.code == 0, result.output
    assert share_names(client) == {"inventory"}
    assert recipient_names(client) == {"analytics"}
    assert grantees(client, "inventory") == {"analytics"}
    assert cli("apply", str(pack), "--auto-approve").code == 0
    # Two edits; selecting the recipient plans its change only.
    text = pack_text(ips=("203.0.113.7",)).replace("Daily sales, orders", "Sales, orders")
    write_pack(tmp_path, text, "retail.yaml")
    assert changes_of(plan_json(cli, pack, "--select", "acme")) == [("recipient", "acme", "update")]
    assert changes_of(plan_json(cli, pack)) == [
        ("recipient", "acme", "update"),
        ("share", "retail", "update"),
    ]


def test_prune_deletes_an_undeclared_share_and_recipient_of_ours_only_when_asked(
    cli: Any, workspace_env: Any, client: Any, applied: Path, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import AuthenticationType

    client.shares.create("hand_made_share")
    client.recipients.create("hand_made_recipient", AuthenticationType.TOKEN)
    write_pack(tmp_path, pack_text(with_inventory=False, with_acme=False), "retail.yaml")
    plan = cli("plan", str(applied))
    assert "1 recipient(s) of this SharePack are no longer declared (acme)" in plan.output
    assert cli("apply", str(applied), "--auto-approve").code == 0
    assert "inventory" in share_names(client) and "acme" in recipient_names(client)
    # acme is no longer among retail's recipients: as with objects, the grant goes with it.
    assert grantees(client, "retail") == {"analytics"}
    pruned = cli("apply", str(applied), "--auto-approve", "--prune")
    assert pruned.code == 0, pruned.output
    assert share_names(client) == {"retail", "hand_made_share"}
    assert recipient_names(client) == {"analytics", "hand_made_recipient"}
    workspace_env.reset_log()
    assert cli("apply", str(applied), "--auto-approve", "--prune").code == 0
    assert writes(workspace_env) == []


def test_properties_others_set_on_a_recipient_survive_our_update(
    cli: Any, workspace_env: Any, client: Any, applied: Path, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import SecurablePropertiesKvPairs

    ours = client.recipients.get("acme").properties_kvpairs.properties
    client.recipients.update(
        "acme", properties_kvpairs=SecurablePropertiesKvPairs(properties={**ours, "cost_center": "4711"})
    )
    write_pack(tmp_path, pack_text(ips=("203.0.113.7",)), "retail.yaml")
    assert cli("apply", str(applied), "--auto-approve").code == 0
    properties = client.recipients.get("acme").properties_kvpairs.properties
    assert properties["cost_center"] == "4711"
    assert properties["sharepack_pack"] == "retail"
    assert client.recipients.get("acme").ip_access_list.allowed_ip_addresses == ["203.0.113.7"]


def test_a_hand_made_recipient_is_adopted_keeping_its_properties(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.sharing import AuthenticationType, SecurablePropertiesKvPairs

    client.recipients.create(
        "analytics",
        AuthenticationType.DATABRICKS,
        data_recipient_global_metastore_id=ANALYTICS_METASTORE,
        properties_kvpairs=SecurablePropertiesKvPairs(properties={"owner_team": "analytics"}),
    )
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    plan = plan_json(cli, pack)
    assert ("recipient", "analytics", "adopt") in changes_of(plan)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    properties = client.recipients.get("analytics").properties_kvpairs.properties
    assert properties["owner_team"] == "analytics" and properties["sharepack_pack"] == "retail"
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_the_activation_link_is_never_in_the_plan_json(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(), "retail.yaml")
    result = cli("apply", str(pack), "--auto-approve", "--output", "json")
    assert result.code == 0, result.output
    link = client.recipients.get("acme").tokens[0].activation_url
    assert link and link not in result.stdout
    assert re.search(r"retrieve_config\.html\?", result.stdout) is None


def test_a_changed_shared_as_is_a_remove_then_an_add_in_a_second_patch(
    cli: Any, workspace_env: Any, client: Any, applied: Path, tmp_path: Path
) -> None:
    # shared_as cannot be updated in place; history can. Databricks refuses a REMOVE and an ADD
    # of one object in one PATCH (terraform-provider-databricks #3517): the ADD goes second.
    tables = [
        *TABLES[:3],
        "{name: main.products.items, shared_as: catalog.items}",
        "{name: main.products.categories, history: true}",
    ]
    write_pack(tmp_path, pack_text(tables), "retail.yaml")
    assert changes_of(plan_json(cli, applied)) == [("share_objects", "retail", "update")]
    workspace_env.reset_log()
    assert cli("apply", str(applied), "--auto-approve").code == 0
    assert sharing_writes(workspace_env) == [("PATCH", "/api/2.1/unity-catalog/shares/retail")] * 2
    objects = share_objects(client, "retail")
    assert sorted(objects) == sorted(TABLES)
    assert objects["main.products.items"].shared_as == "catalog.items"
    assert objects["main.products.categories"].history_data_sharing_status.value == "ENABLED"
    assert cli("plan", str(applied), "--detailed-exitcode").code == 0
