"""The generated code as a resource, through the real SDK against the emulator: uploaded before
its pipeline and referenced by it, rewritten only when it changes (with the diff in the plan),
and deleted only by its own pack."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

PACK = """\
metadata: {name: leasing}
pipelines:
  - name_prefix: leases_sync
    source_asset: main.leasing.leases
    target_asset: leases
    scd_type: "2"
    key_columns: lease_id
    schedule: {every: 1h}
  - name_prefix: payments_sync
    source_asset: main.leasing.payments
    scd_type: 1
    key_columns: [payment_id]
"""
FOLDER = "/Workspace/Shared/.sharepack/leasing/pipelines"


def _file(client: Any, path: str) -> str:
    return base64.b64decode(client.workspace.export(path).content or "").decode()


def _pipeline(client: Any, name: str) -> Any:
    pipeline_id = next(p.pipeline_id for p in client.pipelines.list_pipelines() if p.name == name)
    return client.pipelines.get(pipeline_id).spec


def _apply(cli: Any, pack: Path, *flags: str) -> Any:
    result = cli("apply", str(pack), "--auto-approve", *flags)
    assert result.code == 0, result.output
    return result


def test_apply_uploads_the_code_each_pipeline_runs(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK)
    _apply(cli, pack)
    for name in ("leases_sync", "payments_sync"):
        path = f"{FOLDER}/{name}.py"
        assert [lib.file.path for lib in _pipeline(client, name).libraries] == [path]
        assert _file(client, path) == cli("render", str(pack), name).stdout
    again = cli("plan", str(pack), "--detailed-exitcode")
    assert again.code == 0, again.output


def test_a_key_change_shows_the_code_diff_and_rewrites_one_file_and_one_pipeline(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    _apply(cli, write_pack(tmp_path, PACK))
    changed = write_pack(
        tmp_path, PACK.replace("key_columns: lease_id", "key_columns: lease_id, version"), "c.yaml"
    )
    plan = cli("plan", str(changed))
    assert "-KEYS = ['lease_id']" in plan.stdout and "+KEYS = ['lease_id', 'version']" in plan.stdout
    data = json.loads(cli("plan", str(changed), "--output", "json").stdout)
    updated = sorted((c["resource_type"], c["name"]) for c in data["changes"] if c["action"] == "update")
    assert updated == [
        ("job", "leases_sync_schedule"),  # it carries the pipeline's settings digest
        ("pipeline", "leases_sync"),
        ("workspace_file", f"{FOLDER}/leases_sync.py"),
    ]
    _apply(cli, changed)
    assert "KEYS = ['lease_id', 'version']" in _file(client, f"{FOLDER}/leases_sync.py")
    assert cli("plan", str(changed), "--detailed-exitcode").code == 0


def test_a_file_edited_by_hand_is_put_back(cli: Any, workspace_env: Any, client: Any, tmp_path: Path) -> None:
    from databricks.sdk.service.workspace import ImportFormat

    pack = write_pack(tmp_path, PACK)
    _apply(cli, pack)
    path = f"{FOLDER}/payments_sync.py"
    edited = _file(client, path).replace("stored_as_scd_type=1", "stored_as_scd_type=2")
    client.workspace.import_(
        path, content=base64.b64encode(edited.encode()).decode(), format=ImportFormat.RAW, overwrite=True
    )
    plan = cli("plan", str(pack))
    assert "-    stored_as_scd_type=2," in plan.stdout and "+    stored_as_scd_type=1," in plan.stdout
    _apply(cli, pack)
    assert "stored_as_scd_type=1" in _file(client, path)


def test_prune_and_destroy_delete_only_the_files_the_pack_owns(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.workspace import ImportFormat

    pack = write_pack(tmp_path, PACK)
    _apply(cli, pack)
    # Someone's own file in our folder, without our mark: never deleted.
    theirs = f"{FOLDER}/notes.py"
    client.workspace.import_(theirs, content=base64.b64encode(b"# notes\n").decode(), format=ImportFormat.RAW)
    fewer = write_pack(tmp_path, PACK.split("  - name_prefix: payments_sync")[0], "fewer.yaml")
    plan = cli("plan", str(fewer), "--prune")
    assert f"- workspace_file {FOLDER}/payments_sync.py (id {FOLDER}/payments_sync.py): delete" in plan.stdout
    assert "notes.py" not in plan.stdout
    _apply(cli, fewer, "--prune")
    # A workspace lists /Workspace/Shared/... as /Shared/...: it drops the prefix.
    listed = {"/Workspace" + o.path for o in client.workspace.list(FOLDER)}
    assert listed == {f"{FOLDER}/leases_sync.py", theirs}
    result = cli("destroy", str(fewer), "--auto-approve")
    assert result.code == 0, result.output
    assert {"/Workspace" + o.path for o in client.workspace.list(FOLDER)} == {theirs}


def test_a_target_chooses_where_the_code_goes(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    root = "/Workspace/Teams/leasing/.deploy"
    text = PACK + f"targets:\n  prod:\n    default: true\n    workspace: {{root_path: {root}}}\n"
    pack = write_pack(tmp_path, text)
    _apply(cli, pack)
    path = "/Workspace/Teams/leasing/.deploy/leasing/pipelines/leases_sync.py"
    assert [lib.file.path for lib in _pipeline(client, "leases_sync").libraries] == [path]
    assert _file(client, path).startswith("# managed by sharepack, pack leasing\n")
    assert f"# ---- {path}" in cli("render", str(pack)).stdout
    assert cli("destroy", str(pack), "--auto-approve").code == 0
    # Everything in the pack's code folder was its own: the folder went in one recursive delete.
    assert [o.path for o in client.workspace.list("/Workspace/Teams/leasing/.deploy/leasing")] == []
