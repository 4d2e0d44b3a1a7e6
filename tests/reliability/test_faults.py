"""Under injected faults, apply converges: one pipeline and one job per declaration, no more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import write_pack
from tests.reliability.census import assert_exactly_declared, pack_yaml

SEEDS = range(8)
PIPELINES = 50


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
