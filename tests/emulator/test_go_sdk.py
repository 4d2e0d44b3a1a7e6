"""A third client: the Go SDK (databricks-sdk-go, pinned in tests/emulator/go/go.mod).

When `go` is on the machine, tests/emulator/go/main.go is built once into a cache outside the
repository (~/.cache/sharepack-go-sdk/<hash of the sources>, or $SHAREPACK_GO_SDK_CACHE; the
module and build caches are Go's own) and run against an emulator started here. Skipped, saying
why, when go is missing or the module proxy cannot be reached. The first build downloads and
compiles the SDK (minutes); later runs take seconds.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import TOKEN

SOURCES = Path(__file__).parent / "go"
FILES = ("go.mod", "go.sum", "main.go")


def _build(go: str) -> Path:
    digest = hashlib.sha256(b"".join((SOURCES / f).read_bytes() for f in FILES)).hexdigest()[:16]
    root = Path(os.environ.get("SHAREPACK_GO_SDK_CACHE") or Path.home() / ".cache" / "sharepack-go-sdk")
    work = root / digest
    binary = work / "conformance"
    if binary.exists():
        return binary
    work.mkdir(parents=True, exist_ok=True)
    with open(root / f".{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists():
            return binary
        for name in FILES:
            shutil.copyfile(SOURCES / name, work / name)
        env = {**os.environ, "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local"}
        try:
            fetched = subprocess.run(
                [go, "mod", "download"], cwd=work, env=env, capture_output=True, text=True, timeout=600
            )
        except subprocess.TimeoutExpired:
            pytest.skip("go mod download timed out (module proxy unreachable?)")
        if fetched.returncode != 0:
            reason = (fetched.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"go could not download databricks-sdk-go (module proxy unreachable?): {reason}")
        built = subprocess.run(
            [go, "build", "-o", str(binary) + ".tmp", "."],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if built.returncode != 0 and "go.mod requires go" in built.stderr:
            pytest.skip(f"this Go is older than go.mod asks: {built.stderr.strip().splitlines()[-1]}")
        assert built.returncode == 0, built.stderr
        os.replace(str(binary) + ".tmp", binary)
    return binary


def test_go_sdk_conformance() -> None:
    if not os.environ.get("SHAREPACK_GO_CONFORMANCE"):
        # Its first build takes minutes (the Go SDK and its modules): not in every `make test`.
        pytest.skip("the Go SDK suite runs with `make test-clients`")
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is needed for the Go SDK suite; not found on PATH")
    binary = _build(go)
    from sharepack.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0)) as emu:
        env = {**os.environ, "DATABRICKS_HOST": emu.url, "DATABRICKS_TOKEN": TOKEN}
        done = subprocess.run([str(binary)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["failed"] == [], json.dumps(results["failed"], indent=2)
    assert len(results["passed"]) == 9, results
