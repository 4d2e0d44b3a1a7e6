"""The emulator in its own process (so it never competes with the measured tool for the GIL),
and a small client for its admin endpoints."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

TOKEN = "dapi-bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class EmulatorProcess:
    process: subprocess.Popen[bytes]
    url: str

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/admin/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {TOKEN}")  # admin endpoints take the API's token
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def requests(self) -> list[dict[str, Any]]:
        data = self.admin("GET", "requests")
        return list(data["requests"] if isinstance(data, dict) else data)

    def reset_log(self) -> None:
        self.admin("POST", "reset-log", {})

    def configure(self, **changes: Any) -> None:
        self.admin("POST", "config", changes)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(*flags: str) -> EmulatorProcess:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "sharepack.cli",
        "emulator",
        "--port",
        str(port),
        "--state",
        ":memory:",
        "--token",
        TOKEN,
        *flags,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/.well-known/databricks-config", timeout=1):
                return EmulatorProcess(process, url)
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the emulator exited with {process.returncode}") from None
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the emulator did not start within 30 s")
