"""The README's exit-code table, row by row, for each command it applies to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deploy.test_apply_e2e import SEED
from tests.helpers import write_pack

WORKSPACE_COMMANDS = ("plan", "apply", "destroy", "status", "run", "pause", "resume")


def _readme_codes() -> set[str]:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8").split("## Exit codes", 1)[1]
    return {
        line.split("|")[1].strip()
        for line in text.splitlines()
        if line.startswith("| ") and "---" not in line
    }


def test_the_readme_table_lists_exactly_the_codes_tested_here() -> None:
    assert _readme_codes() - {"code"} == {"0", "1", "2", "130"}


def test_success_is_0(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("validate", str(pack)).code == 0
    assert cli("plan", str(pack)).code == 0
    assert cli("apply", str(pack), "-y").code == 0
    for command in ("status", "run", "pause", "resume"):
        assert cli(command, str(pack)).code == 0, command
    assert cli("history", str(pack), "sales_daily_sync").code == 0
    assert cli("cron", "0 0 2 * * ?").code == 0
    assert cli("destroy", str(pack), "-y").code == 0


def test_detailed_exitcode_changes_2_none_0(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("plan", str(pack), "--detailed-exitcode").code == 2
    assert cli("apply", str(pack), "-y").code == 0
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("missing.yaml",),  # a file that is not there
        ("pack.yaml", "--no-such-flag"),  # a bad flag
        ("pack.yaml", "--parallelism", "0"),  # a bad value
        ("pack.yaml", "--var", "novalue"),  # a --var that is not name=value
        (),  # no file at all
    ],
)
def test_detailed_exitcode_errors_are_1_never_2(
    cli: Any, workspace_env: Any, tmp_path: Path, args: Any
) -> None:
    write_pack(tmp_path, SEED, "pack.yaml")
    result = cli("plan", *args, "--detailed-exitcode")
    assert result.code == 1, result.output
    without = cli("plan", *args)
    assert without.code == 2, without.output  # bad flags or arguments, as the README says


def test_errors_are_1(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    broken = write_pack(tmp_path, "share: [", "broken.yaml")
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("validate", str(broken)).code == 1
    assert cli("plan", str(broken)).code == 1
    assert cli("apply", str(broken), "-y").code == 1
    assert cli("status", str(pack)).code == 0
    assert cli("run", str(pack)).code == 1  # nothing deployed yet
    assert cli("history", str(pack), "sales_daily_sync").code == 1
    assert cli("cron", "not a cron").code == 1
    assert cli("cron", "0 0 2 30 2 ?").code == 1


@pytest.mark.parametrize("command", [*WORKSPACE_COMMANDS, "validate", "history", "backfill", "cron"])
def test_bad_flags_are_2(cli: Any, tmp_path: Path, command: str) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli(command, str(pack), "--no-such-flag")
    assert result.code == 2, result.output
    assert "No such option" in result.stderr


@pytest.mark.parametrize("command", ["plan", "apply", "destroy", "status", "run", "pause", "history"])
def test_interrupted_is_130(
    cli: Any, workspace_env: Any, tmp_path: Path, command: str, monkeypatch: Any
) -> None:
    from sharepack.flow.deployment import Deployment

    pack = write_pack(tmp_path, SEED, "sales.yaml")

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Deployment, "read", interrupted)
    extra = (
        ("sales_daily_sync",) if command == "history" else ("-y",) if command in ("apply", "destroy") else ()
    )
    result = cli(command, str(pack), *extra)
    assert result.code == 130, result.output
    assert result.stderr.startswith("interrupted")
