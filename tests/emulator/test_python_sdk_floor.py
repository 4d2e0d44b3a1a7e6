"""The conformance suite again, through the oldest databricks-sdk that pyproject.toml accepts.

The floor version is installed once (no dependencies: the venv's serve) into a cache outside the
repository (~/.cache/sharepack-py-sdk/<version>, or $SHAREPACK_PY_SDK_CACHE) and put ahead of the
venv's SDK on PYTHONPATH for a pytest run in a subprocess. Skipped, saying why, when pip cannot
reach the index.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
CORE = [
    "test_jobs.py",
    "test_pipelines.py",
    "test_runs.py",
    "test_refusals.py",
    "test_behaviour.py",
    "test_like_readings.py",
    "test_service.py",
]
SHARING = ["test_sharing.py", "test_catalogs.py"]
GUARD = "SHAREPACK_SDK_FLOOR_RUN"


def _floor() -> str:
    match = re.search(r'"databricks-sdk>=([0-9.]+)', (REPO / "pyproject.toml").read_text())
    assert match, "pyproject.toml names no databricks-sdk floor"
    return match.group(1)


def _install(version: str) -> Path:
    root = Path(os.environ.get("SHAREPACK_PY_SDK_CACHE") or Path.home() / ".cache" / "sharepack-py-sdk")
    target = root / version
    if (target / "databricks" / "sdk" / "version.py").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "databricks" / "sdk" / "version.py").exists():
            return target
        staging = root / f".{version}.staging"
        shutil.rmtree(staging, ignore_errors=True)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                str(staging),
                f"databricks-sdk=={version}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["no output"]
            pytest.skip(f"pip could not install databricks-sdk=={version} (index unreachable?): {lines[-1]}")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target


def _run(files: list[str]) -> subprocess.CompletedProcess[str]:
    if os.environ.get(GUARD):
        pytest.skip("already inside the floor-version run")
    version = _floor()
    target = _install(version)
    env = {**os.environ, GUARD: "1", "PYTHONPATH": os.pathsep.join([str(target), str(REPO)])}
    args = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-o",
        "addopts=",
        "-q",
        "--import-mode=importlib",
        *[str(REPO / "tests" / "emulator" / f) for f in files],
    ]
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    check = subprocess.run(
        [sys.executable, "-c", "import databricks.sdk.version as v; print(v.__version__)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Version(check.stdout.strip()) == Version(version), check.stdout + check.stderr
    return done


def test_jobs_pipelines_runs_workspace_through_the_floor_sdk() -> None:
    done = _run(CORE)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


@pytest.mark.xfail(
    strict=True,
    reason="sharepack bug: the declared floor (databricks-sdk>=0.50) has no SharesAPI.list_shares, which "
    "sharepack (kinds/sharing_state.py) and these tests call; raise the floor in pyproject.toml",
)
def test_sharing_through_the_floor_sdk() -> None:
    done = _run(SHARING)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
