"""Two packs racing for one share: one wins, the other loses cleanly and grants nothing.

The deterministic tests place the rival's apply exactly inside the window that matters; the
concurrent ones run both for real (more trials under `make soak`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.reliability.races import (
    apply_process,
    assert_one_owner_and_only_its_access,
    grants_of,
    owner_of,
    race_adoptions,
    two_claims,
)


def test_an_adopt_that_loses_to_another_pack_just_before_its_write_stops_cleanly(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sharepack.workspace import sharing_write

    client.shares.create("orders")
    first, second = two_claims(tmp_path)
    original = sharing_write.mark_share

    def rival_adopts_first(client_: Any, name: str, pack: str, comment: str | None) -> None:
        rival = apply_process(second, workspace_env.url)
        assert rival.wait(timeout=120) == 0, rival.stderr.read() if rival.stderr else ""
        original(client_, name, pack, comment)

    monkeypatch.setattr(sharing_write, "mark_share", rival_adopts_first)
    result = cli("apply", str(first), "--auto-approve")
    assert result.code == 1, result.output
    assert "share orders was adopted by SharePack 'beta' meanwhile" in result.stderr
    assert "Adopted share" not in result.output and "Created grant" not in result.output
    assert owner_of(client, "orders") == "beta"
    assert_one_owner_and_only_its_access(client)


def test_the_loser_of_the_deploy_lock_race_says_what_it_left_alone_and_fails(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sharepack.flow import lock

    client.shares.create("orders")
    first, second = two_claims(tmp_path)
    original = lock.deploy_lock

    def deploy_lock_after_a_rival(client_: Any, name: str, *, force: bool = False) -> Any:
        rival = apply_process(second, workspace_env.url)
        assert rival.wait(timeout=120) == 0, rival.stderr.read() if rival.stderr else ""
        return original(client_, name, force=force)

    monkeypatch.setattr(lock, "deploy_lock", deploy_lock_after_a_rival)
    result = cli("apply", str(first), "--auto-approve")
    assert result.code == 1, result.output
    assert "re-planned" in result.stderr
    assert "share orders left alone: share orders belongs to SharePack 'beta'" in result.stderr
    assert "Applied\n" not in result.stdout and "applied in part" in result.stdout
    assert "alpha_partner" not in grants_of(client, "orders")


def test_two_packs_of_one_run_claiming_one_share_are_refused_before_anything_is_written(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    client.shares.create("orders")
    first, second = two_claims(tmp_path)
    workspace_env.reset_log()
    result = cli("apply", str(first), str(second), "--auto-approve")
    assert result.code == 1, result.output
    # Both files named, and no pack of the run wrote anything: the share is still nobody's.
    assert str(first) in result.output and str(second) in result.output
    assert "waiting for the deploy lock" not in result.output
    assert not [r for r in workspace_env.request_log() if r.method != "GET"]
    assert owner_of(client, "orders") is None
    assert grants_of(client, "orders") == set()


@pytest.mark.parametrize("trial", range(2))
def test_two_packs_adopting_one_share_at_once_never_both_adopt(
    trial: int, client: Any, emulator: Any, tmp_path: Path
) -> None:
    race_adoptions(client, emulator, tmp_path)


def test_two_packs_creating_one_share_at_once_leave_it_to_one_of_them(
    client: Any, emulator: Any, tmp_path: Path
) -> None:
    from tests.reliability.races import race_new_share

    race_new_share(client, emulator, tmp_path)


def test_two_packs_declaring_one_recipient_at_once_grant_only_as_its_owner(
    client: Any, emulator: Any, tmp_path: Path
) -> None:
    from tests.reliability.races import race_for_one_recipient

    race_for_one_recipient(client, emulator, tmp_path)
