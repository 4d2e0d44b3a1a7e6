"""A second client we did not write: the JavaScript SDK against the emulator.

When `node` and `npm` are on the machine, the pinned `@databricks/sdk-experimental` is installed
once into a cache outside the repository (~/.cache/sharepack-js-sdk/<version>, or
$SHAREPACK_JS_SDK_CACHE) and tests/emulator/js/conformance.mjs runs against an emulator started
here: jobs and pipelines list/get/create/delete, paging, error codes. Skipped, saying why, when
node or npm is missing or the npm registry cannot be reached.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOKEN

PACKAGE = "@databricks/sdk-experimental"
VERSION = "0.17.0"  # pinned: a new version is a deliberate change here
SCRIPT = Path(__file__).parent / "js" / "conformance.mjs"


def _cache_dir() -> Path:
    root = os.environ.get("SHAREPACK_JS_SDK_CACHE") or str(Path.home() / ".cache" / "sharepack-js-sdk")
    return Path(root) / VERSION


def _installed(prefix: Path) -> bool:
    manifest = prefix / "node_modules" / "@databricks" / "sdk-experimental" / "package.json"
    try:
        return json.loads(manifest.read_text())["version"] == VERSION
    except (OSError, ValueError, KeyError):
        return False


def _install(npm: str) -> Path:
    """The cached install, made once (under a file lock: parallel sessions share the cache)."""
    prefix = _cache_dir()
    if _installed(prefix):
        return prefix
    prefix.parent.mkdir(parents=True, exist_ok=True)
    with open(prefix.parent / f".{VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed(prefix):
            return prefix
        staging = Path(tempfile.mkdtemp(prefix=f".{VERSION}-", dir=prefix.parent))
        try:
            done = subprocess.run(
                [
                    npm,
                    "install",
                    "--prefix",
                    str(staging),
                    "--no-audit",
                    "--no-fund",
                    "--no-save",
                    "--loglevel=error",
                    f"{PACKAGE}@{VERSION}",
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode != 0 or not _installed(staging):
                lines = [x for x in done.stderr.splitlines() if x.strip() and "complete log" not in x]
                last = (lines or ["no output"])[0]
                pytest.skip(f"npm could not install {PACKAGE}@{VERSION} (registry unreachable?): {last}")
            shutil.rmtree(prefix, ignore_errors=True)
            staging.rename(prefix)
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm install of {PACKAGE}@{VERSION} timed out (registry unreachable?)")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return prefix


def test_javascript_sdk_conformance() -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the JavaScript SDK suite; not found on PATH")
    prefix = _install(npm)
    from sharepack.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0)) as emu:
        env: dict[str, Any] = {
            **os.environ,
            "DATABRICKS_HOST": emu.url,
            "DATABRICKS_TOKEN": TOKEN,
            "SDK_NODE_MODULES": str(prefix / "node_modules"),
        }
        done = subprocess.run([node, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["failed"] == [], json.dumps(results["failed"], indent=2)
    assert len(results["passed"]) == 11, results
