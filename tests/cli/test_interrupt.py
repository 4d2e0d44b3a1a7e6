"""Ctrl-C, simulated deterministically: a patched function raises KeyboardInterrupt where the real
one would have been interrupted. Every command exits 130 and says what was left undone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOKEN
from tests.deploy.test_apply_e2e import SEED
from tests.helpers import write_pack


@pytest.fixture
def token_only(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A token in the environment, the host given as a flag: hints must carry --host."""
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    return emulator


def _interrupt_first_job_create(monkeypatch: pytest.MonkeyPatch) -> None:
    from sharepack.workspace.write import Writer

    def interrupted(self: Writer, settings: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(Writer, "create_job", interrupted)


def test_ctrl_c_during_apply_exits_130_with_a_plainly_partial_summary(
    cli: Any, token_only: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    args = ("apply", str(pack), "--host", token_only.url, "--auto-approve", "--parallelism", "1")
    with monkeypatch.context() as patch:
        _interrupt_first_job_create(patch)
        result = cli(*args)
    assert result.code == 130, result.output
    assert "Applied" not in result.output
    assert "Interrupted: written before Ctrl-C" in result.stdout
    # One write at a time, and a job starts as soon as its own pipeline exists: the share and
    # its objects, then the first pipeline's code and the pipeline are written, its job is
    # interrupted, the rest never starts.
    assert "Written before the interrupt: 4" in result.stdout
    assert "✓ pipeline sales_daily_sync: created" in result.stdout
    assert "Not started: 4" in result.stdout
    assert "schedule job sales_daily_sync_schedule: create not sent" in result.stdout
    assert "pipeline sales_orders_sync: create not sent" in result.stdout
    finish = f"sharepack apply {pack} --host {token_only.url} --auto-approve --parallelism 1"
    assert f"To finish, run: {finish}" in result.stderr
    # ... and that command does finish it.
    again = cli(*finish.split()[1:])
    assert again.code == 0, again.output
    assert cli("plan", str(pack), "--host", token_only.url, "--detailed-exitcode").code == 0


def test_ctrl_c_during_apply_json_says_interrupted(
    cli: Any, token_only: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    pack = write_pack(tmp_path, SEED, "sales.yaml")
    _interrupt_first_job_create(monkeypatch)
    result = cli("apply", str(pack), "--host", token_only.url, "-y", "-o", "json", "--parallelism", "1")
    assert result.code == 130
    data = json.loads(result.stdout)
    assert data["interrupted"] is True and data["exit_code"] == 130
    assert {c["name"] for c in data["not_started"]} == {
        "/Workspace/Shared/.sharepack/sales/pipelines/sales_orders_sync.py",
        "sales_daily_sync_schedule",
        "sales_orders_sync",
        "sales_orders_sync_schedule",
    }


def test_ctrl_c_during_plan_and_status_says_interrupted_and_exits_130(
    cli: Any, token_only: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sharepack.flow.deployment import Deployment

    pack = write_pack(tmp_path, SEED, "sales.yaml")

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Deployment, "read", interrupted)
    for command in ("plan", "status"):
        result = cli(command, str(pack), "--host", token_only.url)
        assert result.code == 130, result.output
        assert result.stderr == "interrupted\n"
    detailed = cli("plan", str(pack), "--host", token_only.url, "--detailed-exitcode")
    assert detailed.code == 130


def test_ctrl_c_during_run_wait_says_the_runs_go_on_and_how_to_follow_them(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sharepack.emulator import Emulator, EmulatorConfig

    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    # Runs that outlive the command, as real ones do when the user stops waiting.
    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=3600)) as slow:
        url = slow.url
        assert cli("apply", str(pack), "--host", url, "-y").code == 0

        def interrupted(*args: Any, **kwargs: Any) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr("sharepack.ops.run.wait_all", interrupted)
        result = cli("run", str(pack), "sales_daily_sync", "--wait", "--host", url)
    assert result.code == 130, result.output
    assert "interrupted: 1 run keeps going in the workspace: sales_daily_sync_schedule (run " in result.stderr
    assert f"sharepack status {pack} --host {url}" in result.stderr
    assert f"sharepack history {pack} sales_daily_sync_schedule --host {url}" in result.stderr
