"""Messages a person can act on: hints with the user's own flags, no dead links, the missing piece
named, and a destroy that says what it did."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOKEN
from tests.deploy.test_apply_e2e import SEED
from tests.helpers import write_pack


def test_hints_carry_the_users_selection_flags_quoted_for_the_shell(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "my packs").mkdir()
    pack = write_pack(tmp_path / "my packs", SEED, "sales.yaml")
    result = cli("run", str(pack), "sales_daily_sync", "--target", "local")
    assert result.code == 1, result.output
    assert f"`sharepack apply '{pack}' --target local`" in result.stderr
    history = cli("history", str(pack), "sales_daily_sync", "--target", "local")
    assert f"`sharepack apply '{pack}' --target local`" in history.stderr


def test_selection_flags_render_back_as_given() -> None:
    from sharepack.flow.deployment import Selection
    from sharepack.flow.suggest import command

    selection = Selection(target="dev", host="https://x.net", profile="p", variables={"env": "a b"})
    rendered = command("plan", "pack.yaml", flags=selection.flags())
    assert (
        rendered == "sharepack plan pack.yaml --target dev --host https://x.net --profile p --var 'env=a b'"
    )


def test_no_run_page_links_for_the_embedded_emulator(cli: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--target", "local", "-y").code == 0
    run = cli("run", str(pack), "sales_daily_sync", "--target", "local")
    assert run.code == 0, run.output
    assert "▶ Started sales_daily_sync_schedule" in run.stdout
    assert "http" not in run.output
    history = cli("history", str(pack), "sales_daily_sync", "--target", "local")
    assert "Run page" not in history.stdout and "http" not in history.output
    status = cli("status", str(pack), "--target", "local", "--output", "json")
    assert status.code == 0, status.output
    assert "http" not in status.output


def test_a_long_running_emulator_keeps_its_links(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "-y").code == 0
    run = cli("run", str(pack), "sales_daily_sync")
    assert f"— {workspace_env.url}/" in run.stdout


def test_host_without_a_token_says_the_token_is_missing(cli: Any, emulator: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli("plan", str(pack), "--host", emulator.url)
    assert result.code == 1, result.output
    assert "DATABRICKS_TOKEN" in result.stderr
    assert "DATABRICKS_HOST" not in result.stderr


def test_destroy_says_destroyed_not_applied(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "-y").code == 0
    result = cli("destroy", str(pack), "-y")
    assert result.code == 0, result.output
    assert "Destroyed" in result.stdout and "Applied" not in result.output
    assert TOKEN not in result.output


def test_debug_after_the_command_logs_and_shows_tracebacks(cli: Any, tmp_path: Path) -> None:
    from sharepack.cli import main
    from sharepack.errors import SharepackError

    logging.getLogger("sharepack").setLevel(logging.NOTSET)
    assert cli("cron", "0 0 2 * * ?", "--debug").code == 0
    assert logging.getLogger("sharepack").level == logging.DEBUG
    with pytest.raises(SharepackError):
        main(["plan", str(tmp_path / "missing.yaml"), "--debug"])


def test_api_error_hint_repeats_the_command_with_debug(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    from sharepack.flow.suggest import record_argv, same_command

    record_argv(["status", "pack.yaml", "--target", "local"])
    assert same_command(add=["--debug"]) == "sharepack status pack.yaml --target local --debug"
