"""Fixtures shared by the end-to-end tests: an emulator on 127.0.0.1 and the CLI run in-process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TOKEN = "dapi-test-0123456789abcdef"

# The generated code run on Spark needs Java and PySpark + Delta (.venv-spark): `make test-pipelines`
# collects it, with SHAREPACK_SPARK_PIPELINES=1; the default suite never does.
collect_ignore = [] if os.environ.get("SHAREPACK_SPARK_PIPELINES") == "1" else ["pipelines_spark"]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's Databricks config or leaves files outside tmp_path."""
    for name in list(os.environ):
        if name.startswith("DATABRICKS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def emulator() -> Iterator[Any]:
    from sharepack.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0)) as emu:
        yield emu


@pytest.fixture
def workspace_env(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """DATABRICKS_HOST/TOKEN pointing at the emulator, as a CI job would set them."""
    monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    return emulator


@pytest.fixture
def client(emulator: Any) -> Any:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient(host=emulator.url, token=TOKEN, auth_type="pat")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `sharepack ARGS...` in-process; returns exit code, stdout and stderr."""
    from sharepack.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
