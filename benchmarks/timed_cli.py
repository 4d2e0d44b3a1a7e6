"""`python -m benchmarks.timed_cli ARGS...`: sharepack's CLI, timed from inside the process.

On a shared machine the start-up measured in a separate process (`run.STARTUP_S`) varies by
seconds from run to run, which swamps a plan that spends under a second on the network. Here
the imports happen first, then the command is timed (`command_s`), and every HTTP request the
SDK sends is timed too: `network_s` is from the first request sent to the last answer received,
the part of the command a floor made of requests × latency describes. Both go, as JSON, to the
file named by SHAREPACK_TIMINGS.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

import databricks.sdk  # noqa: F401  (imported before the clock starts, as in a real start-up)
from databricks.sdk import _base_client

from sharepack.cli import main

_spans: list[tuple[float, float]] = []
_lock = threading.Lock()
_perform = _base_client._BaseClient._perform


def _timed_perform(self: Any, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    try:
        return _perform(self, *args, **kwargs)
    finally:
        ended = time.perf_counter()
        with _lock:
            _spans.append((started, ended))


def run(argv: list[str]) -> int:
    _base_client._BaseClient._perform = _timed_perform  # type: ignore[method-assign]
    started = time.perf_counter()
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    command = time.perf_counter() - started
    network = max(e for _, e in _spans) - min(s for s, _ in _spans) if _spans else 0.0
    target = os.environ.get("SHAREPACK_TIMINGS")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump({"command_s": round(command, 3), "network_s": round(network, 3)}, out)
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
