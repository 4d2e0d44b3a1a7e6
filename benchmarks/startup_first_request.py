"""Start-up: from process start to the first request a `plan` of a 5-pipeline pack sends
(`python -m benchmarks.run --only-startup`; `python -m benchmarks.startup` compares venvs built
with and without compiled bytecode).

Timed from outside: the clock starts just before the process is spawned and stops when the
emulator receives the command's first request (its log keeps each request's arrival time), so
everything a user waits for before the network counts: the interpreter, imports, reading the
pack. Run with the venv's bytecode, and without any (PYTHONDONTWRITEBYTECODE with an empty
PYTHONPYCACHEPREFIX: every module compiled again, as in a container that writes none).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import emulator_process
from benchmarks.generate import write_pack

RUNS = 5


def first_request_s(emulator: emulator_process.EmulatorProcess, pack: Path, env: dict[str, str]) -> float:
    emulator.reset_log()
    started = time.time()
    subprocess.run(
        [sys.executable, "-m", "sharepack.cli", "plan", str(pack), "--host", emulator.url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    arrivals = [r["received_at"] for r in emulator.requests() if r.get("received_at")]
    return min(arrivals) - started


def import_s(code: str, env: dict[str, str]) -> float:
    """Median time of a fresh interpreter running `code`: what no command can start faster than."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        times.append(time.perf_counter() - started)
    return sorted(times)[RUNS // 2]


def startup(workdir: Path) -> list[dict[str, Any]]:
    pack = write_pack(workdir, 5, name="startup")
    emulator = emulator_process.start()
    base = {**os.environ, "DATABRICKS_TOKEN": emulator_process.TOKEN}
    base.pop("DATABRICKS_CONFIG_PROFILE", None)
    records = []
    try:
        with tempfile.TemporaryDirectory() as empty_cache:
            variants = {
                "bytecode": base,
                "no_bytecode": {**base, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": empty_cache},
            }
            for variant, env in variants.items():
                first_request_s(emulator, pack, env)  # warm the disk cache (and, with bytecode, the .pyc)
                times = sorted(first_request_s(emulator, pack, env) for _ in range(RUNS))
                floors = {
                    "python": import_s("pass", env),
                    "databricks_sdk_import": import_s("from databricks.sdk import WorkspaceClient", env),
                }
                records.append(
                    {
                        "scenario": "startup_first_request",
                        "regime": "none",
                        "n": 5,
                        "tool": f"sharepack_{variant}",
                        "wall_s": round(times[RUNS // 2], 3),
                        "min_s": round(times[0], 3),
                        "load_average_1m": round(os.getloadavg()[0], 2),
                        # The SDK's package import loads every service module of the workspace
                        # client whatever a command calls: no public import avoids it.
                        "floors_s": {k: round(v, 3) for k, v in floors.items()},
                        "exit_code": 0,
                    }
                )
    finally:
        emulator.stop()
    return records


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for record in startup(Path(tmp)):
            print(record)
