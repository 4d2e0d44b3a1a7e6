"""Unity Catalog as Databricks runs it (issue 25), end to end through the CLI and the real SDK:
names compared case-insensitively, and a share's object changes sent at most 100 a PATCH, in an
order a crash between two PATCHes cannot leave unfinishable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import analytics_global_id, write_pack

SHARE_PATCH = r"/api/2\.1/unity-catalog/shares/[^/]+$"
TABLE_COUNT = 150


def _mixed_case_pack(recipient_org: str) -> str:
    return f"""
metadata: {{name: finance}}
recipient:
  - name: Analytics_WS
    type: D2D
    recipient_databricks_org: "{recipient_org}"
  - name: Acme_D2O
    type: D2O
    recipient: exchange@acme.example
    recipient_ips: [203.0.113.7]
share:
  - name: Finance_Share
    comment: Month-end figures.
    share_assets: [Main.Finance.Ledger, main.finance.Budgets]
    recipients: [analytics_ws, ACME_d2o]
    mount: {{target: analytics, catalog: Finance_From_Provider}}
targets:
  local:
    default: true
    workspace: {{host: local}}
  analytics:
    workspace: {{host: "local:analytics"}}
"""


def test_a_pack_of_mixed_case_names_applies_and_replans_to_no_change(
    cli: Any, tmp_path: Path, analytics: Any
) -> None:
    org = analytics_global_id()
    pack = write_pack(tmp_path, _mixed_case_pack(org))
    planned = cli("plan", str(pack), "--target", "local", "--output", "json")
    grants = {c["name"] for c in json.loads(planned.stdout)["changes"] if c["resource_type"] == "grant"}
    # Named as the recipients' own blocks spell them: each grant waits on that recipient's change.
    assert grants == {"Finance_Share:Analytics_WS", "Finance_Share:Acme_D2O"}, grants
    applied = cli("apply", str(pack), "--target", "local", "--auto-approve")
    assert applied.code == 0, applied.output
    # Said as the pack wrote them, although Databricks keeps them lower-case.
    assert "Finance_Share" in applied.stdout and "Acme_D2O" in applied.stdout
    catalog = analytics().catalogs.get("finance_from_provider")
    assert (catalog.name, catalog.share_name) == ("finance_from_provider", "finance_share")

    again = cli("plan", str(pack), "--target", "local", "--detailed-exitcode")
    assert again.code == 0, again.output
    reapplied = cli("apply", str(pack), "--target", "local", "--auto-approve")
    assert reapplied.code == 0, reapplied.output
    assert "Created" not in reapplied.stdout


def test_select_names_a_share_in_any_case_as_unity_catalog_does(cli: Any, tmp_path: Path) -> None:
    org = analytics_global_id()
    pack = write_pack(tmp_path, _mixed_case_pack(org))
    planned = cli("plan", str(pack), "--target", "local", "--select", "finance_share", "--output", "json")
    assert planned.code == 0, planned.output
    shares = {c["name"] for c in json.loads(planned.stdout)["changes"] if c["resource_type"] == "share"}
    assert shares == {"Finance_Share"}, shares


def test_two_names_that_differ_only_in_case_are_an_error_at_their_line(cli: Any, tmp_path: Path) -> None:
    text = _mixed_case_pack("aws:eu-west-1:0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3").replace(
        "  - name: Acme_D2O\n", "  - name: analytics_ws\n"
    )
    pack = write_pack(tmp_path, text)
    planned = cli("plan", str(pack), "--target", "local")
    assert planned.code == 1
    assert f"{pack}:7:" in planned.output, planned.output
    assert "Traceback" not in planned.output


# -- 150 tables: two PATCHes -------------------------------------------------------------------
def _seeded(client: Any) -> list[str]:
    client.catalogs.create("main")
    client.schemas.create("wide", "main")
    for i in range(TABLE_COUNT):
        client.api_client.do(
            "POST",
            "/api/2.1/unity-catalog/tables",
            body={
                "name": f"t{i:03d}",
                "catalog_name": "main",
                "schema_name": "wide",
                "columns": [{"name": "id"}],
            },
        )
    return [f"main.wide.t{i:03d}" for i in range(TABLE_COUNT)]


def _wide_pack(tables: list[str]) -> str:
    assets = "\n".join(f"      - {t}" for t in tables)
    return f"metadata: {{name: wide}}\nshare:\n  - name: Wide_Share\n    share_assets:\n{assets}\n"


def _share_patches(emulator: Any) -> int:
    return sum(
        1
        for r in emulator.request_log()
        if r.method == "PATCH" and r.path.lower().endswith("/shares/wide_share")
    )


def _shared(client: Any) -> set[str]:
    return {o.name for o in client.shares.get("wide_share", include_shared_data=True).objects or []}


def test_a_share_of_150_tables_applies_in_two_patches_and_replans_to_no_change(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    tables = _seeded(client)
    pack = write_pack(tmp_path, _wide_pack(tables))
    workspace_env.reset_log()
    applied = cli("apply", str(pack), "--auto-approve")
    assert applied.code == 0, applied.output
    assert _share_patches(workspace_env) == 2
    assert _shared(client) == set(tables)
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_a_crash_between_two_patches_converges_on_the_next_apply(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    tables = _seeded(client)
    pack = write_pack(tmp_path, _wide_pack(tables))
    # The second PATCH of the share fails as if the process had died before sending it.
    workspace_env.configure(
        fail_matching=[("PATCH", SHARE_PATCH, 400, "INJECTED_CRASH", "Injected crash.")], fail_matching_skip=1
    )
    crashed = cli("apply", str(pack), "--auto-approve")
    assert crashed.code == 1
    assert len(_shared(client)) == 100
    workspace_env.configure(fail_matching=[], fail_matching_skip=0)
    planned = cli("plan", str(pack), "--output", "json")
    assert '"objects[main.wide.t149]"' in planned.stdout  # the rest, to be added
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert _shared(client) == set(tables)
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_replacing_objects_across_two_patches_converges_after_a_crash_between_them(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    tables = _seeded(client)[:3]
    pack = write_pack(tmp_path, _wide_pack(tables))
    assert cli("apply", str(pack), "--auto-approve").code == 0
    aliased = [f"{{name: {t}, shared_as: renamed.{t.rsplit('.', 1)[1]}}}" for t in tables]
    write_pack(tmp_path, _wide_pack(aliased))
    # Removals go first: the crash leaves the objects missing, never a half-replaced share.
    workspace_env.configure(
        fail_matching=[("PATCH", SHARE_PATCH, 400, "INJECTED_CRASH", "Injected crash.")], fail_matching_skip=1
    )
    assert cli("apply", str(pack), "--auto-approve").code == 1
    assert _shared(client) == set()
    workspace_env.configure(fail_matching=[], fail_matching_skip=0)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    objects = client.shares.get("wide_share", include_shared_data=True).objects or []
    assert {o.shared_as for o in objects} == {"renamed.t000", "renamed.t001", "renamed.t002"}
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_a_committed_patch_whose_answer_was_lost_is_done_when_its_retry_finds_it(
    workspace_env: Any, client: Any
) -> None:
    from sharepack.workspace.sharing_write import update_objects

    client.shares.create("sales")
    updates = [{"action": "ADD", "data_object": {"name": "main.s.orders", "data_object_type": "TABLE"}}]
    # The PATCH is committed, its answer lost (503); the SDK sends it again and is told the
    # object is already in the share.
    workspace_env.configure(drop_rate=1.0)
    workspace_env.reset_log()
    update_objects(client, "sales", updates)
    workspace_env.configure(drop_rate=0)
    patches = [r.status for r in workspace_env.request_log() if r.method == "PATCH"]
    assert patches == [503, 400]  # committed and lost, then "already in the share"
    assert [o.name for o in client.shares.get("sales", include_shared_data=True).objects or []] == [
        "main.s.orders"
    ]
