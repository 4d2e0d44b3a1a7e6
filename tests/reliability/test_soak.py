"""`make soak`: the fault test over many more seeds and a bigger pack. Skipped in `make test`."""

from __future__ import annotations

import os
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
from tests.reliability.test_takeover import race_two_packs

SOAK = os.environ.get("SHAREPACK_SOAK") == "1"
SEEDS = range(100, 100 + int(os.environ.get("SHAREPACK_SOAK_SEEDS", "40")))
PIPELINES = 120

pytestmark = [pytest.mark.soak, pytest.mark.skipif(not SOAK, reason="soak: run with make soak")]


@pytest.mark.parametrize("seed", SEEDS)
def test_soak_apply_converges_under_heavy_faults(
    seed: int, cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_yaml(PIPELINES))
    workspace_env.configure(seed=seed, fault_rate=0.3, drop_rate=0.15, rate_limit_per_s=300)
    for _ in range(6):
        applied = cli("apply", str(pack), "--auto-approve", "--quiet", "--force-lock").code == 0
        if applied and cli("plan", str(pack), "--detailed-exitcode").code == 0:
            break
    workspace_env.configure(fault_rate=0, drop_rate=0, rate_limit_per_s=None)
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0
    assert_exactly_declared(client, PIPELINES)


@pytest.mark.parametrize("seed", SEEDS)
def test_soak_the_sharing_kinds_converge_under_heavy_faults(
    seed: int, cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    shares, tables = 20, 10
    pack = write_pack(tmp_path, sharing_pack_yaml(shares, tables, pipelines=10))
    workspace_env.configure(seed=seed, fault_rate=0.3, drop_rate=0.15, rate_limit_per_s=300)
    for _ in range(6):
        applied = cli("apply", str(pack), "--auto-approve", "--quiet", "--force-lock").code == 0
        if applied and cli("plan", str(pack), "--detailed-exitcode").code == 0:
            break
    workspace_env.configure(fault_rate=0, drop_rate=0, rate_limit_per_s=None)
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0
    assert_sharing_exactly_declared(client, shares, tables, pipelines=10)


@pytest.mark.parametrize("trial", range(12))
def test_soak_two_packs_sharing_names_applied_at_once(
    trial: int, cli: Any, emulator: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    race_two_packs(cli, emulator, client, tmp_path, monkeypatch)
