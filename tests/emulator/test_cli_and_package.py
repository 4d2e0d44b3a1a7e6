"""`sharepack emulator` as a user runs it, and the package's independence from the rest of sharepack."""

from __future__ import annotations

import ast
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient

from tests.emulator.helpers import http

SHAREPACK = Path(sys.executable).parent / "sharepack"
PACKAGE = Path(__file__).resolve().parents[2] / "src" / "sharepack" / "emulator"


def _first_lines(process: subprocess.Popen[str], count: int, timeout_s: float = 20) -> list[str]:
    """The first lines the process prints, or fail after timeout_s (a bound, not a timing assert)."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return [lines.get(timeout=timeout_s) for _ in range(count)]


def test_cli_serves_until_terminated(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [str(SHAREPACK), "emulator", "--port", "0", "--state", ":memory:", "--token", "dapi-cli-test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        cwd=tmp_path,
    )
    try:
        output = "".join(_first_lines(process, 4))
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", output)
        assert match, output
        url = match.group(1)
        assert f"DATABRICKS_HOST={url}" in output and "DATABRICKS_TOKEN=dapi-cli-test" in output

        client: Any = WorkspaceClient(host=url, token="dapi-cli-test", auth_type="pat")
        job_id = client.jobs.create(name="from-cli").job_id
        assert client.jobs.get(job_id).settings.name == "from-cli"
        assert http(f"{url}/admin/stats", token="dapi-cli-test")[2]["mutating"] == 1
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert not (tmp_path / ".sharepack").exists()  # :memory: leaves no file behind


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--rate-limit", "abc"], "--rate-limit 'abc'"),
        (["--rate-limit", "0/s"], "--rate-limit"),
        (["--fault-rate", "2"], "--fault-rate"),
        (["--drop-rate", "-0.1"], "--drop-rate"),
    ],
)
def test_bad_flags_exit_2_without_traceback(cli: Any, flags: list[str], message: str) -> None:
    result = cli("emulator", "--state", ":memory:", *flags)
    assert result.code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_busy_port_is_a_clear_error(cli: Any, emulator: Any) -> None:
    port = emulator.url.rsplit(":", 1)[1]
    result = cli("emulator", "--state", ":memory:", "--port", port)
    assert result.code != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            found.add(node.module or "")
    return found


def test_emulator_imports_nothing_else_from_sharepack() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))  # its subpackages too
    assert len(modules) > 3
    for path in modules:
        name = path.relative_to(PACKAGE)
        outside = {
            m
            for m in _imported_modules(path)
            if m.split(".")[0] == "sharepack" and not m.startswith("sharepack.emulator")
        }
        assert not outside, f"{name} imports {outside}"
        third_party = {
            m
            for m in _imported_modules(path)
            if m.split(".")[0] not in sys.stdlib_module_names and m.split(".")[0] != "sharepack"
        }
        assert not third_party, f"{name} needs {third_party}: the emulator runs on the standard library"


def test_importing_the_emulator_loads_no_other_sharepack_module() -> None:
    code = (
        "import sys, sharepack.emulator\n"
        "print(sorted(m for m in sys.modules if m.startswith('sharepack.')"
        " and not m.startswith('sharepack.emulator')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
