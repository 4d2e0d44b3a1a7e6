"""Start-up with and without compiled bytecode: `python -m benchmarks.startup`.

Builds two venvs from requirements/lock.txt the way the Makefile does (uv pip sync, the project
editable), one with `--compile-bytecode` and one without (uv's default), and times in each:

- **plan → first request**: from starting `sharepack plan` of a one-pipeline pack to the first
  connection reaching the workspace (a listener on 127.0.0.1 that records the moment and closes);
- **--help**: `sharepack --help`, start to exit.

Each three ways: the first run in a fresh venv (it writes any missing bytecode), later runs,
and runs with PYTHONDONTWRITEBYTECODE=1 on a venv that has none — a read-only install, or a
container that sets it: every run compiles everything it imports, every time. Repeated measures
keep the fastest of --runs (a shared machine's noise only adds). Results go to
benchmarks/startup.json and a table on the terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("startup.json")
PACK = """metadata: {name: startup}
pipelines:
  - {name_prefix: p0, source_asset: c.s.t0, schedule: {every: 1d}}
"""


def build_venv(path: Path, *, compile_bytecode: bool) -> Path:
    uv = ROOT / ".venv" / "bin" / "uv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = str(path / "bin" / "python")
    flags = ["--compile-bytecode"] if compile_bytecode else []
    env = {**os.environ, "UV_LINK_MODE": "copy", "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    lock = str(ROOT / "requirements" / "lock.txt")
    subprocess.run(
        [str(uv), "pip", "sync", "-q", "--python", python, "--require-hashes", *flags, lock],
        check=True,
        env=env,
    )
    editable = ["--no-deps", "--no-build-isolation", *flags, "-e", str(ROOT)]
    subprocess.run([str(uv), "pip", "install", "-q", "--python", python, *editable], check=True, env=env)
    return path / "bin" / "sharepack"


def until_first_request(sharepack: Path, pack: Path, env: dict[str, str]) -> float:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        run_env = {**env, "DATABRICKS_HOST": f"http://127.0.0.1:{port}", "DATABRICKS_TOKEN": "dapi-startup"}
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(sharepack), "plan", str(pack)],
            env=run_env,
            cwd=pack.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server.settimeout(120)
        connection, _ = server.accept()
        elapsed = time.perf_counter() - started
        connection.close()
        process.kill()
        process.wait()
    return elapsed


def help_wall(sharepack: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(sharepack), "--help"], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(sharepack: Path, pack: Path, runs: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "PYTHON"))}
    no_write = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    result: dict[str, float] = {}
    # Never-written bytecode first, while the venv holds only what its install compiled.
    result["plan_no_write_s"] = min(until_first_request(sharepack, pack, no_write) for _ in range(runs))
    result["help_no_write_s"] = min(help_wall(sharepack, no_write) for _ in range(runs))
    result["plan_first_s"] = until_first_request(sharepack, pack, env)
    result["help_first_s"] = help_wall(sharepack, env)
    result["plan_later_s"] = min(until_first_request(sharepack, pack, env) for _ in range(runs))
    result["help_later_s"] = min(help_wall(sharepack, env) for _ in range(runs))
    return {k: round(v, 3) for k, v in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="runs per measure, the fastest kept (noise only adds)",
    )
    args = parser.parse_args()
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sharepack-startup-") as tmp:
        pack = Path(tmp) / "pack.yaml"
        pack.write_text(PACK, encoding="utf-8")
        for label, compiled in (("uv default (no bytecode)", False), ("--compile-bytecode", True)):
            venv = Path(tmp) / ("compiled" if compiled else "plain")
            started = time.perf_counter()
            sharepack = build_venv(venv, compile_bytecode=compiled)
            install_s = round(time.perf_counter() - started, 1)
            rows[label] = {"install_s": install_s, **measure(sharepack, pack, args.runs)}
            shutil.rmtree(venv)
    heads = ("no .pyc", "1st run", "later")
    print(f"{'venv':<26} {'install':>8} | {'plan → first request':^29} | {'--help':^29}")
    print(
        f"{'':<26} {'':>8} | "
        + " ".join(f"{h:>9}" for h in heads)
        + " | "
        + " ".join(f"{h:>9}" for h in heads)
    )
    for label, r in rows.items():
        plan = " ".join(f"{r[f'plan_{k}_s']:>8}s" for k in ("no_write", "first", "later"))
        helps = " ".join(f"{r[f'help_{k}_s']:>8}s" for k in ("no_write", "first", "later"))
        print(f"{label:<26} {r['install_s']:>7}s | {plan} | {helps}")
    record = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "rows": rows,
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
