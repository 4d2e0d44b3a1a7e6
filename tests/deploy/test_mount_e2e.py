"""D2D end to end between two local workspaces in two metastores: the provider's pack shares a
table with the recipient's metastore and mounts the share there as a read-only catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import analytics_global_id, write_pack


def _pack(recipient_org: str) -> str:
    return f"""
metadata: {{name: retail_d2d}}
recipient:
  - name: analytics_ws
    type: D2D
    recipient_databricks_org: "{recipient_org}"
share:
  - name: retail_d2d_share
    share_assets: [main.sales.daily_sales, main.sales.orders]
    recipients: [analytics_ws]
    mount: {{target: analytics, catalog: retail_from_provider}}
targets:
  local:
    default: true
    workspace: {{host: local}}
  analytics:
    workspace: {{host: "local:analytics"}}
"""


def test_a_share_is_mounted_in_the_recipients_workspace_and_reapply_sends_nothing(
    cli: Any, tmp_path: Path, analytics: Any
) -> None:
    org = analytics_global_id()
    pack = write_pack(tmp_path, _pack(org))
    applied = cli("apply", str(pack), "--target", "local", "--auto-approve")
    assert applied.code == 0, applied.output
    assert "Created catalog: retail_from_provider" in applied.stdout

    client = analytics()
    catalog = client.catalogs.get("retail_from_provider")
    assert catalog.catalog_type is not None and catalog.catalog_type.value == "DELTASHARING_CATALOG"
    assert catalog.share_name == "retail_d2d_share"
    assert (catalog.properties or {}).get("sharepack_pack") == "retail_d2d"

    again = cli("plan", str(pack), "--target", "local", "--detailed-exitcode")
    assert again.code == 0, again.output


def test_destroy_unmounts_the_catalog_in_the_recipients_workspace(
    cli: Any, tmp_path: Path, analytics: Any
) -> None:
    from databricks.sdk.errors import NotFound

    org = analytics_global_id()
    pack = write_pack(tmp_path, _pack(org))
    assert cli("apply", str(pack), "--target", "local", "--auto-approve").code == 0
    destroyed = cli("destroy", str(pack), "--target", "local", "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    with pytest.raises(NotFound):
        analytics().catalogs.get("retail_from_provider")


def test_a_mount_whose_share_never_reaches_that_metastore_is_a_plan_error(cli: Any, tmp_path: Path) -> None:
    other_metastore = "aws:us-west-2:0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"
    pack = write_pack(tmp_path, _pack(other_metastore))
    planned = cli("plan", str(pack), "--target", "local")
    assert planned.code == 1, planned.output
    expected = analytics_global_id()
    assert f"set recipient_databricks_org: {expected}" in planned.output


def test_a_hand_made_catalog_of_that_name_is_left_alone_when_it_mounts_something_else(
    cli: Any, tmp_path: Path, analytics: Any
) -> None:
    org = analytics_global_id()
    pack = write_pack(tmp_path, _pack(org))
    analytics().catalogs.create("retail_from_provider", comment="made by hand")
    planned = cli("plan", str(pack), "--target", "local")
    assert planned.code == 1, planned.output
    assert "cannot change in place" in planned.output
    applied = cli("apply", str(pack), "--target", "local", "--auto-approve")
    assert applied.code == 1
    catalog = analytics().catalogs.get("retail_from_provider")
    assert catalog.comment == "made by hand"


def test_status_says_where_a_share_is_mounted(cli: Any, tmp_path: Path, analytics: Any) -> None:
    import json

    org = analytics_global_id()
    pack = write_pack(tmp_path, _pack(org))
    before = cli("status", str(pack), "--target", "local", "--output", "json")
    share = next(r for r in json.loads(before.stdout) if r.get("kind") == "share")
    assert share["mount"] == {"where": "analytics/retail_from_provider", "state": "not mounted"}
    assert cli("apply", str(pack), "--target", "local", "--auto-approve").code == 0
    after = cli("status", str(pack), "--target", "local")
    assert "analytics/retail_from_provider: mounted" in after.stdout


def test_a_renamed_mount_warns_of_its_old_catalog_and_deletes_it_under_prune(
    cli: Any, tmp_path: Path, analytics: Any
) -> None:
    from databricks.sdk.errors import NotFound

    org = analytics_global_id()
    pack = write_pack(tmp_path, _pack(org))
    assert cli("apply", str(pack), "--target", "local", "--auto-approve").code == 0
    write_pack(tmp_path, _pack(org).replace("catalog: retail_from_provider", "catalog: retail_v2"))
    planned = cli("plan", str(pack), "--target", "local")
    assert planned.code == 0, planned.output
    assert "retail_from_provider (target analytics)" in planned.output and "--prune" in planned.output
    assert cli("apply", str(pack), "--target", "local", "--auto-approve").code == 0
    assert analytics().catalogs.get("retail_from_provider").share_name == "retail_d2d_share"  # kept
    pruned = cli("apply", str(pack), "--target", "local", "--auto-approve", "--prune")
    assert pruned.code == 0, pruned.output
    with pytest.raises(NotFound):
        analytics().catalogs.get("retail_from_provider")
    assert analytics().catalogs.get("retail_v2").share_name == "retail_d2d_share"


def test_destroy_releases_a_catalog_the_pack_adopted_as_its_mount(
    cli: Any, tmp_path: Path, analytics: Any
) -> None:
    org = analytics_global_id()
    pack = write_pack(tmp_path, _pack(org))
    assert cli("apply", str(pack), "--target", "local", "--auto-approve").code == 0
    client = analytics()
    # As if the catalog had been made by hand and then adopted: the mark says "adopted".
    properties = dict(client.catalogs.get("retail_from_provider").properties or {})
    client.catalogs.update("retail_from_provider", properties={**properties, "sharepack_adopted": "true"})
    destroyed = cli("destroy", str(pack), "--target", "local", "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    assert "catalog retail_from_provider" in destroyed.output and "released" in destroyed.output
    kept = analytics().catalogs.get("retail_from_provider")
    assert "sharepack_pack" not in (kept.properties or {})
