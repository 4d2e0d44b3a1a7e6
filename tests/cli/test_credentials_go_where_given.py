"""Credentials given for one host never go to another: a pack naming a host other than the one
DATABRICKS_HOST (or a profile) names is refused before any connection is made."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOKEN
from tests.helpers import write_pack
from tests.reliability.census import pack_yaml

# Nothing listens there, and nothing may try: the refusal comes before any connection.
PACK_HOST = "http://127.0.0.1:9"


def _pack(tmp_path: Path, host: str = PACK_HOST) -> Path:
    text = pack_yaml(1).replace(
        "metadata: {name: reliable}", f"metadata: {{name: reliable, workspace_url: '{host}'}}"
    )
    return write_pack(tmp_path, text)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every TCP connection the command opens (to anything)."""
    opened: list[Any] = []
    real = socket.create_connection

    def record(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        opened.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", record)
    return opened


@pytest.mark.parametrize(
    "command",
    [
        ("plan",),
        ("apply", "--auto-approve"),
        ("destroy", "--auto-approve"),
        ("status",),
        ("doctor",),
        ("rotate-token", "r"),
        ("run", "p000"),
        ("history", "p000"),
        ("pause",),
    ],
)
def test_a_pack_naming_another_host_than_DATABRICKS_HOST_is_refused_before_connecting(
    command: tuple[str, ...],
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    connections: list[Any],
) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", "https://ci-workspace.example.com")
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    pack = _pack(tmp_path)
    result = cli(command[0], str(pack), *command[1:])
    assert result.code == 1, result.output
    assert "https://ci-workspace.example.com (DATABRICKS_HOST)" in result.stderr
    assert PACK_HOST in result.stderr
    assert "--host https://ci-workspace.example.com" in result.stderr  # how to choose
    assert "Traceback" not in result.output
    assert connections == []
    assert TOKEN not in result.output


def test_a_profile_for_another_host_is_refused_too(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, connections: list[Any]
) -> None:
    config = tmp_path / "databrickscfg"
    config.write_text(f"[prod]\nhost = https://prod.example.com\ntoken = {TOKEN}\n", encoding="utf-8")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    result = cli("plan", str(_pack(tmp_path)), "--profile", "prod")
    assert result.code == 1, result.output
    assert "https://prod.example.com (profile prod)" in result.stderr
    assert PACK_HOST in result.stderr
    assert connections == []


def test_an_explicit_host_wins_over_the_pack_and_the_plan_header_shows_it(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    result = cli("plan", str(_pack(tmp_path)), "--host", workspace_env.url)
    assert result.code == 0, result.output
    assert workspace_env.url in result.stdout.splitlines()[0] or workspace_env.url in result.stdout[:300]
    assert PACK_HOST not in result.output


def test_the_same_host_spelt_differently_is_the_same_host(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    spelt = workspace_env.url.replace("127.0.0.1", "127.0.0.1.").upper().replace("HTTP://", "http://") + "/"
    pack = _pack(tmp_path, spelt.replace("127.0.0.1.", "127.0.0.1"))
    assert cli("plan", str(pack)).code == 0


@pytest.mark.parametrize("host", ["http://127.0.0.1:abc", "http://127.0.0.1:70000", "ftp://127.0.0.1"])
def test_a_host_with_a_bad_port_or_scheme_is_a_clear_error(cli: Any, tmp_path: Path, host: str) -> None:
    result = cli("plan", str(_pack(tmp_path)), "--host", host)
    assert result.code == 2, result.output
    assert f"{host!r} is not a workspace URL" in result.stderr
    assert "Traceback" not in result.output
