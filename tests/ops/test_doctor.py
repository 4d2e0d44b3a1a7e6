"""doctor end to end: all checks pass against the emulator; a bad token or a dead host fails fast."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOKEN
from tests.helpers import write_pack


def _statuses(result: Any) -> dict[str, str]:
    return {c["check"]: c["status"] for c in json.loads(result.stdout)["checks"]}


def test_all_checks_pass_against_the_emulator(cli: Any, workspace_env: Any) -> None:
    result = cli("doctor", "--output", "json")
    assert result.code == 0, result.output
    statuses = _statuses(result)
    for check in ("host", "host reachable", "auth", "token works", "jobs", "pipelines"):
        assert statuses[check] == "OK", statuses
    details = {c["check"]: c["detail"] for c in json.loads(result.stdout)["checks"]}
    assert details["auth"].startswith("method pat")
    assert "databricks-sdk" in details["versions"]
    assert "can list and create jobs" in details["jobs"]
    assert "dry-run create" in details["pipelines"]
    assert TOKEN not in result.output


def test_doctor_leaves_nothing_behind(cli: Any, workspace_env: Any, client: Any) -> None:
    before_jobs, before_pipelines = list(client.jobs.list()), list(client.pipelines.list_pipelines())
    text = cli("doctor")
    assert text.code == 0, text.output
    assert "All checks passed." in text.stdout
    # The create checks ran (a probe job, a dry-run pipeline) and left nothing behind.
    assert any(r.endpoint == "jobs/create" for r in workspace_env.request_log())
    assert any(r.endpoint == "pipelines/create" for r in workspace_env.request_log())
    assert list(client.jobs.list()) == before_jobs
    assert list(client.pipelines.list_pipelines()) == before_pipelines


def test_a_refused_create_fails_the_jobs_check(cli: Any, workspace_env: Any) -> None:
    workspace_env.configure(
        fail_matching=[("POST", "jobs/create$", 403, "PERMISSION_DENIED", "You cannot create jobs.")]
    )
    result = cli("doctor", "--output", "json")
    assert result.code != 0
    assert _statuses(result)["jobs"] == "FAIL" and _statuses(result)["pipelines"] == "OK"


def test_wrong_token_fails_without_printing_it(
    cli: Any, workspace_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "dapi-wrong-secret-987654321"
    monkeypatch.setenv("DATABRICKS_TOKEN", wrong)
    result = cli("doctor", "--output", "json")
    assert result.code != 0
    statuses = _statuses(result)
    assert statuses["host reachable"] == "OK"
    assert statuses["token works"] == "FAIL"
    assert statuses["jobs"] == "SKIP"
    assert wrong not in result.output
    text = cli("doctor")
    assert text.code != 0
    assert "check DATABRICKS_TOKEN" in text.stdout
    assert wrong not in text.output


def test_unreachable_host_fails_fast(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on: the connection is refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DATABRICKS_HOST", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    result = cli("doctor", "--output", "json")
    assert result.code != 0
    statuses = _statuses(result)
    assert statuses["host reachable"] == "FAIL"
    assert statuses["token works"] == "SKIP"
    assert TOKEN not in result.output


def test_no_credentials_says_how_to_set_them(cli: Any) -> None:
    result = cli("doctor")
    assert result.code != 0
    assert "DATABRICKS_HOST" in result.stdout
    assert "Traceback" not in result.output


def test_local_target_reports_the_emulator_state(cli: Any, tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        "pipelines:\n  - name_prefix: a\n    source_asset: c.s.a\n    schedule: '0 0 2 * * ?'\n",
    )
    before = cli("doctor", "--target", "local", "--output", "json")
    assert before.code == 0, before.output
    assert (
        "does not exist yet"
        in {c["check"]: c["detail"] for c in json.loads(before.stdout)["checks"]}["local emulator state"]
    )
    assert cli("apply", str(pack), "--target", "local", "--auto-approve").code == 0
    after = cli("doctor", str(pack), "--target", "local", "--output", "json")
    assert after.code == 0, after.output
    state = {c["check"]: c for c in json.loads(after.stdout)["checks"]}["local emulator state"]
    assert state["status"] == "OK"
    assert "1 pipeline, 1 job, 0 runs" in state["detail"]
