"""Share packs in the format users already hold, applied to the emulator through the real SDK:
change lists converge and then send nothing, an unapproved pack sends nothing, UPDATE creates
nothing, DELETE destroys only what the pack owns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import list_shares, write_pack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "sharepacks" / "deltashare_format.yaml"

FULL = """\
metadata: {name: changes}
recipient:
  - name: partner
    type: D2O
    recipient_ips: [203.0.113.1, 203.0.113.2]
  - name: other
    type: D2O
share:
  - name: sales
    share_assets: [main.sales.a, main.sales.b]
    recipients: [partner, other]
"""

CHANGES = """\
metadata: {name: changes}
recipient:
  - name: partner
    type: D2O
    recipient_ips_to_add: 203.0.113.3
    recipient_ips_to_remove: [203.0.113.1]
  - name: other
    type: D2O
share:
  - name: sales
    share_assets_to_add: [main.sales.c]
    share_assets_to_remove: [main.sales.a]
    recipients_to_remove: [other]
"""


def _example(emulator: Any, directory: Path, name: str = "example.yaml", **replace: str) -> Path:
    """The example pack pointed at the emulator (its metadata names a real-looking workspace)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("https://adb-1234567890123456.7.azuredatabricks.net", emulator.url)
    for old, new in replace.items():
        text = text.replace(old.replace("__", ": "), new)
    return write_pack(directory, text, name)


def _apply(cli: Any, pack: Path, *flags: str) -> Any:
    result = cli("apply", str(pack), "--auto-approve", *flags)
    assert result.code == 0, result.output
    return result


def test_the_example_applies_and_reapplies_with_no_write(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    example = _example(workspace_env, tmp_path)
    _apply(cli, example)
    before = workspace_env.mutating_count()
    result = _apply(cli, example)
    assert "No changes" in result.stdout
    assert workspace_env.mutating_count() == before


def test_the_ticket_and_requestor_are_tags_of_pipelines_and_jobs(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    _apply(cli, _example(workspace_env, tmp_path))
    pipeline = next(p for p in client.pipelines.list_pipelines() if p.name == "leases_sync")
    spec = client.pipelines.get(pipeline.pipeline_id).spec
    assert spec.tags["sharepack_ticket"] == "RITM0012345"
    assert spec.tags["sharepack_requestor"] == "jane.doe@example.com"
    assert spec.configuration["pipelines.keys"] == "lease_id,version"
    assert spec.configuration["pipelines.scd_type"] == "2"
    job = next(j for j in client.jobs.list() if j.settings.name == "leases_sync_schedule")
    assert job.settings.tags["sharepack_ticket"] == "RITM0012345"


def test_change_lists_touch_exactly_what_they_name_and_then_send_nothing(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    _apply(cli, write_pack(tmp_path, FULL, "full.yaml"))
    changes = write_pack(tmp_path, CHANGES, "changes.yaml")
    _apply(cli, changes)
    share = client.shares.get("sales", include_shared_data=True)
    assert sorted(o.name for o in share.objects) == ["main.sales.b", "main.sales.c"]
    grants = client.shares.share_permissions("sales").privilege_assignments or []
    assert sorted(g.principal for g in grants if g.privileges) == ["partner"]
    ips = client.recipients.get("partner").ip_access_list.allowed_ip_addresses
    assert sorted(ips) == ["203.0.113.2", "203.0.113.3"]
    before = workspace_env.mutating_count()
    assert "No changes" in _apply(cli, changes).stdout
    assert workspace_env.mutating_count() == before


def test_an_object_added_by_hand_is_left_alone_by_change_lists(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    _apply(cli, write_pack(tmp_path, FULL, "full.yaml"))
    added = {"action": "ADD", "data_object": {"name": "main.sales.z", "data_object_type": "TABLE"}}
    client.api_client.do("PATCH", "/api/2.1/unity-catalog/shares/sales", body={"updates": [added]})
    _apply(cli, write_pack(tmp_path, CHANGES, "changes.yaml"))
    share = client.shares.get("sales", include_shared_data=True)
    assert sorted(o.name for o in share.objects) == ["main.sales.b", "main.sales.c", "main.sales.z"]


def test_an_unapproved_pack_plans_with_the_status_first_and_apply_sends_nothing(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pending = _example(workspace_env, tmp_path, approver_status__approved="approver_status: pending")
    plan = cli("plan", str(pending))
    assert plan.code == 0, plan.output
    assert plan.stdout.splitlines()[0].startswith(
        "✗ SharePack deltashare_format is not approved (approver_status: pending)"
    )
    markdown = cli("plan", str(pending), "--output", "markdown")
    assert "not approved (approver_status: pending)" in markdown.stdout.splitlines()[0]
    assert (
        json.loads(cli("plan", str(pending), "--output", "json").stdout)["governance"]["approver_status"]
        == "pending"
    )
    refused = cli("apply", str(pending), "--auto-approve")
    assert refused.code == 1
    assert "not approved: deltashare_format (approver_status: pending); nothing was sent" in refused.stderr
    assert "--ignore-approval" in refused.stderr
    assert workspace_env.mutating_count() == 0
    _apply(cli, pending, "--ignore-approval")
    assert workspace_env.mutating_count() > 0


def test_update_refuses_to_create_and_names_each_missing_resource(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    update = _example(workspace_env, tmp_path, "update.yaml", strategy__NEW="strategy: UPDATE")
    plan = cli("plan", str(update))
    assert plan.code == 1
    for name in (
        "recipient leasing_analytics",
        "share leasing_share",
        "pipeline leases_sync",
        "job leases_sync_schedule",
    ):
        assert f"strategy UPDATE: {name} does not exist yet" in plan.stdout, plan.stdout
    assert cli("apply", str(update), "--auto-approve").code == 1
    assert workspace_env.mutating_count() == 0
    _apply(cli, _example(workspace_env, tmp_path))  # NEW creates; then UPDATE converges what exists
    before = workspace_env.mutating_count()
    assert cli("plan", str(update)).code == 0
    assert workspace_env.mutating_count() == before


def test_delete_destroys_only_what_the_pack_owns(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    _apply(cli, _example(workspace_env, tmp_path))
    other = write_pack(tmp_path, FULL, "other.yaml")
    _apply(cli, other)
    delete = _example(workspace_env, tmp_path, "delete.yaml", strategy__NEW="strategy: DELETE")
    plan = cli("plan", str(delete), "--output", "json")
    assert plan.code == 0, plan.output
    actions = {c["action"] for c in json.loads(plan.stdout)["changes"]}
    assert actions == {"delete"}
    result = _apply(cli, delete)
    assert "Destroyed" in result.stdout
    assert sorted(s.name for s in list_shares(client)) == ["sales"]
    assert sorted(r.name for r in client.recipients.list()) == ["other", "partner"]
    assert [p.name for p in client.pipelines.list_pipelines()] == []
