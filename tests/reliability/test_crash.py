"""A crash at any point of an apply: the re-run converges to exactly the declared set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import TOKEN
from tests.helpers import write_pack
from tests.reliability.census import (
    assert_exactly_declared,
    assert_sharing_exactly_declared,
    pack_yaml,
    sharing_pack_yaml,
)

PIPELINES = 4


def _mutations_of_a_whole_apply(cli: Any, tmp_path: Path, text: str | None = None) -> int:
    from sharepack.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0)) as emulator:
        pack = write_pack(tmp_path, text or pack_yaml(PIPELINES))
        assert cli("apply", str(pack), "--auto-approve", "--quiet", "--host", emulator.url).code == 0
        return int(emulator.mutating_count())


def test_rerun_after_a_crash_at_every_mutating_request_converges(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from databricks.sdk import WorkspaceClient

    from sharepack.emulator import Emulator, EmulatorConfig

    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    total = _mutations_of_a_whole_apply(cli, tmp_path)
    assert total >= 2 * PIPELINES
    for k in range(total + 1):
        with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0)) as emulator:
            pack = write_pack(tmp_path, pack_yaml(PIPELINES))
            emulator.configure(fail_after_mutations=k)  # the process "dies" after k writes
            cli("apply", str(pack), "--auto-approve", "--quiet", "--host", emulator.url)
            emulator.configure(fail_after_mutations=None)
            rerun = cli(
                "apply", str(pack), "--auto-approve", "--quiet", "--force-lock", "--host", emulator.url
            )
            assert rerun.code == 0, f"crash after {k} writes: {rerun.output}"
            client = WorkspaceClient(host=emulator.url, token=TOKEN, auth_type="pat")
            assert_exactly_declared(client, PIPELINES)
            assert cli("plan", str(pack), "--detailed-exitcode", "--host", emulator.url).code == 0


def test_rerun_after_a_crash_at_every_write_of_a_sharing_apply_converges(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # Two shares (objects, grants), three recipients and one pipeline: a crash between a share
    # and its objects, or between the objects and the grants, is what the re-run must finish.
    from databricks.sdk import WorkspaceClient

    from sharepack.emulator import Emulator, EmulatorConfig

    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    text = sharing_pack_yaml(2, 2, pipelines=1)
    total = _mutations_of_a_whole_apply(cli, tmp_path, text)
    assert total >= 3 + 2 * 2 + 3  # recipients, shares and their objects, grants
    for k in range(total + 1):
        with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0)) as emulator:
            pack = write_pack(tmp_path, text)
            emulator.configure(fail_after_mutations=k)  # the process "dies" after k writes
            cli("apply", str(pack), "--auto-approve", "--quiet", "--host", emulator.url)
            emulator.configure(fail_after_mutations=None)
            rerun = cli(
                "apply", str(pack), "--auto-approve", "--quiet", "--force-lock", "--host", emulator.url
            )
            assert rerun.code == 0, f"crash after {k} writes: {rerun.output}"
            client = WorkspaceClient(host=emulator.url, token=TOKEN, auth_type="pat")
            assert_sharing_exactly_declared(client, 2, 2, pipelines=1)
            emulator.reset_log()
            again = cli("apply", str(pack), "--auto-approve", "--quiet", "--host", emulator.url)
            assert again.code == 0 and emulator.mutating_count() == 0, f"crash after {k} writes"
