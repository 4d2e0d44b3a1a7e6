"""Run one command as a child process and measure it: wall time, peak memory, API requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
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


def _endpoint(record: dict[str, Any]) -> str:
    return str(record.get("endpoint") or f"{record['method']} {record['path']}")


def run_measured(
    emulator: EmulatorProcess,
    args: list[str],
    *,
    module: str = "sharepack.cli",
    cwd: Path | None = None,
) -> Measurement:
    """`cwd`: where the command runs (and leaves its .sharepack/, e.g. activation-link files)."""
    emulator.reset_log()
    env = {**os.environ, "DATABRICKS_HOST": emulator.url, "DATABRICKS_TOKEN": TOKEN, "COLUMNS": "160"}
    for name in ("DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"):
        env.pop(name, None)
    root = str(Path(__file__).resolve().parents[1])  # `-m benchmarks.…` from any cwd
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    timings = Path(tempfile.mkstemp(suffix=".json")[1])
    env["SHAREPACK_TIMINGS"] = str(timings)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
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
    )
