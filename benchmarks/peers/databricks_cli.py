"""The Databricks CLI, the peer: found in (or built into) a cache outside the repository.

Nothing of the CLI is committed. The Go toolchain fetches the pinned module from the Go module
proxy and builds it. `go install github.com/databricks/cli@VERSION` would be the one-liner, but
it asks the proxy for the module's version list (to check for a retraction), which the proxy
here refuses; `go mod download` of the exact version and `go build` in the module's directory
need nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

MODULE = "github.com/databricks/cli"
VERSION = "v0.298.0"
BUILD_TIMEOUT_S = 1800


class Unavailable(Exception):
    """The CLI cannot be had on this machine; the message says why, in one line."""


def cache_dir() -> Path:
    explicit = os.environ.get("SHAREPACK_PEERS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sharepack-peers"


def binary_path() -> Path:
    return cache_dir() / f"databricks-cli-{VERSION}" / "databricks"


def ensure_cli() -> Path:
    """The CLI's binary, built first if the cache lacks it; Unavailable when it cannot be."""
    binary = binary_path()
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    go = shutil.which("go")
    if go is None:
        raise Unavailable("Go is not installed: no `go` on PATH to build the Databricks CLI")
    binary.parent.mkdir(parents=True, exist_ok=True)
    log = cache_dir() / "build.log"
    print(f"building the Databricks CLI {VERSION} into {binary} (a few minutes; log: {log})", flush=True)
    with log.open("w", encoding="utf-8") as out:
        download = subprocess.run(
            [go, "mod", "download", "-json", f"{MODULE}@{VERSION}"],
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
        try:
            info = json.loads(download.stdout or "{}")
        except json.JSONDecodeError:
            info = {}
        if download.returncode != 0 or not info.get("Dir"):
            reason = info.get("Error") or _last_line(log) or f"exit {download.returncode}"
            raise Unavailable(f"the Go module proxy did not serve {MODULE}@{VERSION}: {reason}")
        build = subprocess.run(
            [go, "build", "-trimpath", "-o", str(binary), "."],
            cwd=info["Dir"],
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
    if build.returncode != 0:
        raise Unavailable(f"`go build` of {MODULE}@{VERSION} failed: {_last_line(log)} (log: {log})")
    return binary


def _last_line(log: Path) -> str:
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def environment(home: Path) -> dict[str, str]:
    """What the CLI runs with (the emulator's host and token are added by the harness): the
    direct deployment engine (the terraform engine downloads terraform and its provider, which
    cannot happen offline), no telemetry, and no user configuration (HOME is a fresh folder)."""
    return {
        "HOME": str(home),
        "DATABRICKS_CONFIG_FILE": str(home / ".databrickscfg"),
        "DATABRICKS_BUNDLE_ENGINE": "direct",
        "DATABRICKS_CLI_DISABLE_TELEMETRY": "1",
        "DATABRICKS_AUTH_TYPE": "pat",
    }


def measure_startup(binary: Path) -> float:
    """Median of 3 runs of `databricks version`: the process's own start, before any request."""
    times = []
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, **environment(Path(home))}
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([str(binary), "version"], env=env, stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)
