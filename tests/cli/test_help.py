"""Help a person can read: plain metavars, never Python types, on every command."""

from __future__ import annotations

import re
from typing import Any

import pytest

PYTHON_TYPES = re.compile(r"<list\[|<int|<float|<str>|<path>|<bool>|\{[a-z_]+\}")


def _commands() -> list[str]:
    import typer.main

    from sharepack.cli import _register_commands
    from sharepack.cli.app import app

    _register_commands()
    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", _commands())
def test_help_shows_plain_metavars(cli: Any, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0, result.output
    assert not PYTHON_TYPES.search(result.stdout), result.stdout
    assert "--debug" in result.stdout


@pytest.mark.parametrize("command", ["plan", "apply", "run", "validate"])
def test_repeatable_options_say_they_repeat(cli: Any, command: str) -> None:
    text = " ".join(cli(command, "--help").stdout.split())
    assert "--var KEY=VALUE Set a variable. Repeat it for each variable" in text
    if command in ("plan", "apply"):
        assert "--select NAME" in text and "Repeat it for more: --select a --select b" in text
    if command == "run":
        assert "[NAME...]" in text


def test_program_help_and_version(cli: Any) -> None:
    assert "--debug" in cli("--help").stdout
    assert cli("--version").code == 0


def test_program_help_says_what_the_tool_does_today(cli: Any) -> None:
    text = " ".join(cli("--help").stdout.split())
    for word in ("Delta Sharing", "recipients", "shares", "Unity Catalog", "SharePack"):
        assert word in text, text


def test_emulator_help_says_it_serves_unity_catalog_and_delta_sharing(cli: Any) -> None:
    text = " ".join(cli("emulator", "--help").stdout.split())
    for word in ("Unity Catalog", "Delta Sharing", "recipients", "shares", "Jobs", "Pipelines"):
        assert word in text, text
