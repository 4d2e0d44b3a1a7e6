"""Run one command as a child process and measure it: wall time, peak memory, API requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.emulator_process import TOKEN, EmulatorProcess

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Measurement:
    wall_s: float
    peak_rss_mb: float
    exit_code: int
    requests: int
    mutating_requests: int
    throttled: int
    failed: int
    by_endpoint: dict[str, int] = field(default_factory=dict)
    mutating_by_endpoint: dict[str, int] = field(default_factory=dict)
    # Timed inside the process (benchmarks.timed_cli): the command after its imports, and from
    # its first request sent to its last answer received. None for other modules.
    command_s: float | None = None
    network_s: float | None = None
    stderr_tail: str = ""  # the end of what the command said on stderr (why it failed)


def _endpoint(record: dict[str, Any]) -> str:
    return str(record.get("endpoint") or f"{record['method']} {record['path']}")


def run_measured(
    emulator: EmulatorProcess,
    args: list[str],
    *,
    module: str = "sharepack.cli",
    cwd: Path | None = None,
    program: list[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdout: Path | None = None,
    timeout_s: float | None = None,
) -> Measurement:
    """`cwd`: where the command runs (and leaves its .sharepack/, e.g. activation-link files).

    `program`: another tool's command line (e.g. the Databricks CLI) run instead of
    `python -m module`, with `env` added to its environment; `stdout`: a file for its output;
    `timeout_s`: a tool that has not finished by then is killed (its exit code is then -9)."""
    emulator.reset_log()
    child_env = {**os.environ, "DATABRICKS_HOST": emulator.url, "DATABRICKS_TOKEN": TOKEN, "COLUMNS": "160"}
    for name in ("DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"):
        child_env.pop(name, None)
    root = str(Path(__file__).resolve().parents[1])  # `-m benchmarks.…` from any cwd
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (root, child_env.get("PYTHONPATH")) if p)
    timings = Path(tempfile.mkstemp(suffix=".json")[1])
    child_env["SHAREPACK_TIMINGS"] = str(timings)
    child_env.update(env or {})
    argv = [*program, *args] if program else [sys.executable, "-m", module, *args]
    out = stdout.open("wb") if stdout else None
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        env=child_env,
        cwd=cwd,
        stdout=out or subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Read stderr while the tool runs: a chatty tool must not block on a full pipe.
    errors = bytearray()
    reader = threading.Thread(target=lambda: errors.extend(process.stderr.read() if process.stderr else b""))
    reader.start()
    killer = threading.Timer(timeout_s, process.kill) if timeout_s else None
    if killer:
        killer.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if killer:
        killer.cancel()
    reader.join()
    if out:
        out.close()
    stderr = errors.decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        print(f"  ! {' '.join(args[:2])} exited {code}: {stderr.strip()[-400:]}", file=sys.stderr)
    timed = json.loads(timings.read_text() or "{}")
    timings.unlink()
    log = emulator.requests()
    real = [r for r in log if not str(r["path"]).startswith("/.well-known")]
    mutating = [r for r in real if r["method"] in MUTATING]
    return Measurement(
        wall_s=round(wall, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        exit_code=code,
        requests=len(real),
        mutating_requests=len(mutating),
        throttled=sum(1 for r in real if r["status"] == 429),
        failed=sum(1 for r in real if int(r["status"]) >= 500),
        by_endpoint=dict(Counter(_endpoint(r) for r in real)),
        mutating_by_endpoint=dict(Counter(_endpoint(r) for r in mutating if r["status"] < 400)),
        command_s=timed.get("command_s"),
        network_s=timed.get("network_s"),
        stderr_tail=stderr.strip()[-2000:],
    )
