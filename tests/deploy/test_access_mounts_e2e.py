"""What a mount change means for access (issue 28): the consuming side, between two local
workspaces in two metastores. A mount moves no recipient's access — the grant does — but it
decides whether the share shows as a catalog in the recipient's workspace; the plan says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

from sharepack.workspace.connect import LOCAL_STATE_DIR, local_config


def _org() -> str:
    config = local_config(LOCAL_STATE_DIR, "analytics")
    return f"{config.cloud}:{config.region}:{config.metastore_id}"


def _pack(mounted: bool = True) -> str:
    mount = "    mount: {target: analytics, catalog: retail_from_provider}\n" if mounted else ""
    return f"""
metadata: {{name: retail_d2d}}
recipient:
  - name: analytics_ws
    type: D2D
    recipient_databricks_org: "{_org()}"
share:
  - name: retail_d2d_share
    share_assets: [main.sales.daily_sales, main.sales.orders]
    recipients: [analytics_ws]
{mount}targets:
  local:
    default: true
    workspace: {{host: local}}
  analytics:
    workspace: {{host: "local:analytics"}}
"""


def test_a_new_mount_is_planned_as_the_share_showing_in_the_recipients_workspace(
    cli: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, _pack())
    result = cli("plan", str(pack), "--target", "local", "-o", "json")
    assert result.code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["mount_changes"] == [
        {
            "target": "analytics",
            "catalog": "retail_from_provider",
            "share": "retail_d2d_share",
            "recipient": "analytics_ws",
            "change": "mounts",
            "objects": ["main.sales.daily_sales", "main.sales.orders"],
        }
    ]
    # The recipient's access comes from the grant, once: the mount adds no access of its own.
    assert {(a["recipient"], a["object"], a["change"]) for a in plan["access_changes"]} == {
        ("analytics_ws", "main.sales.daily_sales", "gains"),
        ("analytics_ws", "main.sales.orders", "gains"),
    }
    text = cli("plan", str(pack), "--target", "local").stdout
    assert (
        "+ catalog retail_from_provider in target 'analytics' (recipient analytics_ws) will show share "
        "retail_d2d_share to that workspace's users granted the catalog (2 objects)" in text
    )


def test_a_reapplied_mount_plans_no_access_change(cli: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, _pack())
    assert cli("apply", str(pack), "--target", "local", "--auto-approve").code == 0
    plan = json.loads(cli("plan", str(pack), "--target", "local", "-o", "json").stdout)
    assert plan["access_changes"] == []
    assert "mount_changes" not in plan


def test_destroy_plans_the_unmount_and_every_object_lost(cli: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, _pack())
    assert cli("apply", str(pack), "--target", "local", "--auto-approve").code == 0
    destroyed = cli("destroy", str(pack), "--target", "local", "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    assert (
        "- catalog retail_from_provider in target 'analytics' (recipient analytics_ws) is dropped: "
        "share retail_d2d_share stops showing there" in destroyed.stdout
    )
    assert "- analytics_ws (D2D, another metastore) loses 2 objects through share retail_d2d_share" in (
        destroyed.stdout
    )
