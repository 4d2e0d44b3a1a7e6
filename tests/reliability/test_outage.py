"""A workspace that fails every request: the command says it is retrying, then gives up with a
message — not five silent minutes, not a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import write_pack
from tests.reliability.census import pack_yaml


def test_a_total_outage_is_said_while_retrying_and_ends_in_a_clear_error(
    cli: Any, workspace_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHAREPACK_RETRY_BUDGET_S", "2")
    pack = write_pack(tmp_path, pack_yaml(2))
    workspace_env.configure(fault_rate=1.0, seed=1)
    result = cli("plan", str(pack))
    assert result.code == 1, result.output
    assert "retrying" in result.stderr
    assert "error: the workspace kept failing, gave up" in result.stderr
    assert "Traceback" not in result.output
    assert all(r.method == "GET" for r in workspace_env.request_log())  # a plan writes nothing
