"""Under injected faults, apply converges: one of each declared resource, no more, in ≤ 4 applies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import write_pack
from tests.reliability.census import (
    assert_exactly_declared,
    assert_sharing_exactly_declared,
    pack_yaml,
    sharing_pack_yaml,
)

SEEDS = range(8)
PIPELINES = 50
SHARES, TABLES = 6, 5
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.mark.parametrize("seed", SEEDS)
def test_apply_converges_under_errors_throttling_and_dropped_responses(
    seed: int, cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_yaml(PIPELINES))
    workspace_env.configure(seed=seed, fault_rate=0.2, drop_rate=0.1, rate_limit_per_s=400)
    attempts = 0
    while attempts < 4:
        attempts += 1
        result = cli("apply", str(pack), "--auto-approve", "--quiet", "--force-lock")
        if result.code == 0 and cli("plan", str(pack), "--detailed-exitcode").code == 0:
            break
    workspace_env.configure(fault_rate=0, drop_rate=0, rate_limit_per_s=None)
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0
    assert_exactly_declared(client, PIPELINES)
    log = workspace_env.request_log()
    assert any(r.status in (500, 503) for r in log), "faults were injected"


def test_a_create_whose_response_is_dropped_is_not_repeated(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_yaml(3))
    workspace_env.configure(seed=1, drop_rate=0.5)  # half the writes commit but their answer is lost
    cli("apply", str(pack), "--auto-approve", "--quiet")
    dropped = [r for r in workspace_env.request_log() if r.method == "POST" and r.status == 503]
    assert dropped, "some responses were dropped"
    workspace_env.configure(drop_rate=0)
    assert cli("apply", str(pack), "--auto-approve", "--quiet", "--force-lock").code == 0
    assert_exactly_declared(client, 3)


def test_a_create_that_times_out_after_committing_leaves_one_job(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The incident behind this test: a stalled jobs/create, re-sent by the SDK after its timeout,
    # left two jobs with one name. Here the first job create commits and then answers only after
    # the client gave up waiting.
    from sharepack.workspace import connect

    original = connect._client
    monkeypatch.setattr(connect, "_client", lambda **kw: original(http_timeout_seconds=0.5, **kw))
    pack = write_pack(tmp_path, pack_yaml(2))
    workspace_env.configure(stall_s=1.5, stall_endpoint="jobs/create", stall_count=1)
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert_exactly_declared(client, 2)
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


@pytest.mark.parametrize("seed", range(6))
def test_the_sharing_kinds_converge_under_errors_throttling_and_dropped_responses(
    seed: int, cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    # Recipients, shares, their objects and grants beside pipelines: a create answered 503 after
    # committing must not become a second share or recipient, an object PATCH or a grant re-sent
    # must not add anything twice, and every apply re-reads what the last one left.
    pack = write_pack(tmp_path, sharing_pack_yaml(SHARES, TABLES, pipelines=3))
    workspace_env.configure(seed=seed, fault_rate=0.2, drop_rate=0.15, rate_limit_per_s=400)
    applies = 0
    while applies < 4:  # the bound: converged within four applies
        applies += 1
        result = cli("apply", str(pack), "--auto-approve", "--quiet", "--force-lock")
        if result.code == 0 and cli("plan", str(pack), "--detailed-exitcode").code == 0:
            break
    failed_sharing_writes = [
        r
        for r in workspace_env.request_log()
        if r.status in (500, 503) and r.method in MUTATING and "/unity-catalog/" in r.path
    ]
    assert failed_sharing_writes, "faults were injected into sharing writes"
    workspace_env.configure(fault_rate=0, drop_rate=0, rate_limit_per_s=None)
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0, f"not converged in {applies} applies"
    assert_sharing_exactly_declared(client, SHARES, TABLES, pipelines=3)
    workspace_env.reset_log()
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    assert [r.path for r in workspace_env.request_log() if r.method in MUTATING] == []


@pytest.mark.parametrize("endpoint", ["shares/create", "recipients/create"])
def test_a_share_or_recipient_create_answered_after_the_timeout_is_not_repeated(
    endpoint: str, cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The jobs incident again, for the sharing kinds: the first create commits and answers only
    # after the client gave up waiting; the apply must find its own copy, not make a second.
    from sharepack.workspace import connect

    original = connect._client
    monkeypatch.setattr(connect, "_client", lambda **kw: original(http_timeout_seconds=0.5, **kw))
    pack = write_pack(tmp_path, sharing_pack_yaml(2, 2, pipelines=0))
    workspace_env.configure(stall_s=1.5, stall_endpoint=f"^{endpoint}$", stall_count=1)
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert workspace_env._faults.stall_count == 0, "the create was stalled"
    assert_sharing_exactly_declared(client, 2, 2, pipelines=0)
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0
