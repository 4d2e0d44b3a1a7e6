"""From a routed request to its answer: injected latency, rate limits, faults and crashes around
the endpoint's handler, and the handler's exceptions as answers in Databricks' shape."""

from __future__ import annotations

import math
import time
from typing import Any

from sharepack.emulator.errors import ApiError
from sharepack.emulator.server.context import Context
from sharepack.emulator.server.routes import route

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# POSTs that change nothing in the workspace: not counted as writes (nor crashed by
# fail_after_mutations).
NOT_WRITES = frozenset({"telemetry"})


def answer(
    ctx: Context, method: str, path: str, query: dict[str, str], body: Any
) -> tuple[int, Any, dict[str, str]]:
    """(status, body, headers) of an authenticated API request."""
    faults = ctx.faults
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    found = route(method, path)
    if found is None:
        return (
            404,
            {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for '{method} {path}'"},
            {},
        )
    name, handler, args = found
    mutating = method in MUTATING and name not in NOT_WRITES
    wait_s = faults.wait_for(name)
    if wait_s:
        return (
            429,
            {
                "error_code": "TOO_MANY_REQUESTS",
                "message": f"Too many requests to {name}. Please try again later.",
            },
            # Whole seconds, rounded up: a client that waits this long is admitted.
            {"Retry-After": str(max(1, math.ceil(wait_s)))},
        )
    if faults.fault_rate and faults.roll() < faults.fault_rate:
        status = 503 if faults.roll() < 0.5 else 500
        code = "TEMPORARILY_UNAVAILABLE" if status == 503 else "INTERNAL_ERROR"
        return (
            status,
            {"error_code": code, "message": "Injected fault: the service is unavailable."},
            {"Retry-After": "1"} if status == 503 else {},
        )
    rule = faults.failing_rule(method, path)
    if rule is not None:
        return rule[2], {"error_code": rule[3], "message": rule[4]}, {}
    if mutating:
        with ctx.lock:
            ctx.mutations += 1
            crashed = faults.fail_after_mutations is not None and ctx.mutations > faults.fail_after_mutations
        if crashed:
            # As if the client process had died: nothing more is written, and the
            # answer is one that no client retries.
            return 400, {"error_code": "INJECTED_CRASH", "message": "Injected crash."}, {}
    try:
        result = handler(ctx, body, query, args)
    except ApiError as exc:
        return exc.status, exc.body(), {}
    except (KeyError, TypeError, ValueError) as exc:
        return (
            400,
            {"error_code": "INVALID_PARAMETER_VALUE", "message": f"Invalid request: {exc}"},
            {},
        )
    except OverflowError:
        # An id or page token past 64 bits (SQLite's integers): Databricks' ids are int64.
        return (
            400,
            {
                "error_code": "INVALID_PARAMETER_VALUE",
                "message": "Invalid request: a number is out of range",
            },
            {},
        )
    except Exception as exc:  # an answer, not a dropped connection the SDK retries for minutes
        return 500, {"error_code": "INTERNAL_ERROR", "message": f"Emulator error: {exc!r}"}, {}
    stall_s = faults.take_stall(name) if mutating else 0.0
    if stall_s:
        time.sleep(stall_s)
    if mutating and faults.drop_rate and faults.roll() < faults.drop_rate:
        return (
            503,
            {
                "error_code": "TEMPORARILY_UNAVAILABLE",
                "message": "Injected fault: the response was lost.",
            },
            {"Retry-After": "1"},
        )
    return 200, result, {}
