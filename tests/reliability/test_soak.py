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


# Issue 24: the first five findings, 20 trials each — 0 grants on anything not applied, 0 double
# adoptions. Races run two applies at once; failures are injected with the emulator's fail_matching.
TRIALS = range(int(os.environ.get("SHAREPACK_SOAK_TRIALS", "20")))


@pytest.mark.parametrize("trial", TRIALS)
def test_soak_two_packs_racing_for_one_recipient_grant_only_as_its_owner(
    trial: int, client: Any, emulator: Any, tmp_path: Path
) -> None:
    from tests.reliability.races import race_for_one_recipient

    race_for_one_recipient(client, emulator, tmp_path)


@pytest.mark.parametrize("trial", TRIALS)
def test_soak_a_grant_never_follows_a_failed_objects_change(
    trial: int, cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from tests.deploy.test_dependent_writes import (
        test_a_grant_waits_for_the_shares_objects_and_a_failed_remove_stops_it as objects_failed,
    )

    objects_failed(cli, workspace_env, client, tmp_path)


@pytest.mark.parametrize("trial", TRIALS)
def test_soak_two_packs_adopting_one_share_never_both_adopt(
    trial: int, client: Any, emulator: Any, tmp_path: Path
) -> None:
    from tests.reliability.races import race_adoptions

    race_adoptions(client, emulator, tmp_path)


@pytest.mark.parametrize("trial", TRIALS)
def test_soak_no_pipeline_or_schedule_follows_a_failed_code_upload(
    trial: int, cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from tests.deploy.test_dependent_writes import (
        test_a_pipeline_and_its_schedule_are_not_made_when_their_code_failed_to_upload as code_failed,
    )

    code_failed(cli, workspace_env, client, tmp_path)


@pytest.mark.parametrize("trial", TRIALS)
def test_soak_the_loser_of_a_race_for_one_share_fails_and_grants_nothing(
    trial: int, client: Any, emulator: Any, tmp_path: Path
) -> None:
    from tests.reliability.races import race_new_share

    race_new_share(client, emulator, tmp_path)
