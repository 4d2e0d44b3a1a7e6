"""Two applies of one pack at once never create duplicates: the deploy lock serialises them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import TOKEN
from tests.helpers import write_pack
from tests.reliability.census import assert_exactly_declared, pack_yaml


def _apply_process(pack: Path, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABRICKS_HOST": url, "DATABRICKS_TOKEN": TOKEN}
    return subprocess.Popen(
        [sys.executable, "-m", "sharepack.cli", "apply", str(pack), "--auto-approve", "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_simultaneous_applies_create_each_resource_once(
    emulator: Any, client: Any, tmp_path: Path
) -> None:
    emulator.configure(latency_ms=5)
    pack = write_pack(tmp_path, pack_yaml(10))
    first, second = _apply_process(pack, emulator.url), _apply_process(pack, emulator.url)
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in (first, second)]
    codes = sorted(code for code, _ in results)
    assert codes[0] == 0, results
    if codes[1] != 0:  # the loser was told who holds the lock
        assert any("holds the deploy lock" in err for _, err in results), results
    # Whichever way they met — one refused by the lock, or one that planned before the other
    # finished and re-planned once it held the lock — nothing was created twice.
    assert_exactly_declared(client, 10)


def test_a_held_lock_names_its_holder_and_can_be_forced(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    import base64
    import json

    from databricks.sdk.service.workspace import ImportFormat

    from sharepack.flow.lock import LOCK_DIR, lock_path

    client.workspace.mkdirs(LOCK_DIR)
    stale = {"id": "x", "user": "alice", "host": "ci-runner-7", "acquired_at": "2026-11-01T00:00:00+00:00"}
    client.workspace.import_(
        lock_path("reliable"),
        content=base64.b64encode(json.dumps(stale).encode()).decode(),
        format=ImportFormat.AUTO,
    )
    pack = write_pack(tmp_path, pack_yaml(2))
    refused = cli("apply", str(pack), "--auto-approve")
    assert refused.code == 1
    assert "alice on ci-runner-7" in refused.stderr and "--force-lock" in refused.stderr
    assert list(client.jobs.list()) == [] and list(client.pipelines.list_pipelines()) == []
    forced = cli("apply", str(pack), "--auto-approve", "--force-lock")
    assert forced.code == 0, forced.output
    assert_exactly_declared(client, 2)
    from databricks.sdk.errors import NotFound

    try:
        client.workspace.get_status(lock_path("reliable"))
        raise AssertionError("the lock should be released after the apply")
    except NotFound:
        pass


def test_an_apply_that_planned_before_another_finished_replans_under_the_lock(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # Deterministic version of the race: between this apply's read and its lock, another apply
    # creates everything. The stale plan would create every resource a second time.
    from sharepack.flow import lock

    pack = write_pack(tmp_path, pack_yaml(3))
    original = lock.deploy_lock
    raced = []

    def deploy_lock_after_a_rival(client_: Any, name: str, *, force: bool = False) -> Any:
        if not raced:
            raced.append(True)
            rival = _apply_process(pack, workspace_env.url)
            assert rival.wait(timeout=120) == 0, rival.stderr.read() if rival.stderr else ""
        return original(client_, name, force=force)

    monkeypatch.setattr(lock, "deploy_lock", deploy_lock_after_a_rival)
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "re-planned" in result.stderr
    assert_exactly_declared(client, 3)


def test_without_auto_approve_a_moved_workspace_stops_the_apply(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from sharepack.flow import lock

    pack = write_pack(tmp_path, pack_yaml(2))
    original = lock.deploy_lock

    def deploy_lock_after_a_rival(client_: Any, name: str, *, force: bool = False) -> Any:
        rival = _apply_process(pack, workspace_env.url)
        assert rival.wait(timeout=120) == 0
        return original(client_, name, force=force)

    monkeypatch.setattr(lock, "deploy_lock", deploy_lock_after_a_rival)
    # Approving interactively is the same as --auto-approve=False reaching the executor.
    monkeypatch.setattr("sharepack.flow.execute.confirm", lambda plans, auto_approve: None)
    result = cli("apply", str(pack))
    assert result.code == 1
    assert "the workspace changed after the plan was made" in result.stderr
    assert_exactly_declared(client, 2)
