"""A deploy lock left by a process that provably died on this machine is cleared; any other is kept."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import write_pack
from tests.reliability.census import assert_exactly_declared, pack_yaml


def _leave_lock(client: Any, holder: dict[str, Any]) -> None:
    from databricks.sdk.service.workspace import ImportFormat

    from sharepack.flow.lock import LOCK_DIR, lock_path

    client.workspace.mkdirs(LOCK_DIR)
    client.workspace.import_(
        lock_path("reliable"),
        content=base64.b64encode(json.dumps(holder).encode()).decode(),
        format=ImportFormat.AUTO,
    )


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_lock_whose_holder_died_on_this_machine_is_cleared(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    # A destroy killed just after it finished: its lock stays, and its process is gone.
    holder = {
        "id": "dead",
        "user": "ci",
        "host": socket.gethostname(),
        "pid": _dead_pid(),
        "acquired_at": "x",
    }
    _leave_lock(client, holder)
    pack = write_pack(tmp_path, pack_yaml(2))
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "cleared the deploy lock" in result.stderr and "no longer running" in result.stderr
    assert_exactly_declared(client, 2)


@pytest.mark.parametrize(
    "holder",
    [
        {"host": "ci-runner-7", "pid": 999_999},  # another machine: its process cannot be checked
        {"host": socket.gethostname(), "pid": 1},  # this machine, a process that is running
        {"host": socket.gethostname()},  # no PID recorded
    ],
)
def test_a_lock_whose_holder_may_be_alive_is_kept(
    holder: dict[str, Any], cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    _leave_lock(client, {"id": "other", "user": "alice", "acquired_at": "x", **holder})
    pack = write_pack(tmp_path, pack_yaml(2))
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 1
    assert "holds the deploy lock" in result.stderr and "--force-lock" in result.stderr
    assert list(client.pipelines.list_pipelines()) == []
