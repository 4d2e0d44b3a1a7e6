"""Retrying what the workspace failed to answer, through the SDK's public surface only.

The SDK retries 429, 503 and connection errors in its own loop, pacing with the `Clock` its
`Config` takes; a clock that reports each wait lets us say that a retry happened. It does not
retry 500 or 504, so the retrying client's requests go through one more loop of ours, around
`ApiClient.do` (the public method every service sends through). That client only sends requests
that are safe to repeat: reads, and writes that are idempotent (reset, update, delete); creates
go through a client with retries off (see workspace.write).
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

RETRY_BUDGET_S = 120
# Backoff of our own loop: short first (a 500 under load often clears at once), capped.
FIRST_WAIT_S = 0.25
LONGEST_WAIT_S = 5.0


def retry_budget_s() -> int:
    """How long one request is retried before the command gives up: the SDK's default is five
    minutes of silence, too long for a person (or a CI job) to tell an outage from a slow answer."""
    try:
        return max(1, int(os.environ.get("SHAREPACK_RETRY_BUDGET_S", RETRY_BUDGET_S)))
    except ValueError:
        return RETRY_BUDGET_S


class RetryProgress:
    """Says, now and then, that the workspace keeps failing and the command keeps retrying."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def retried(self, err: BaseException | None) -> None:
        if err is not None and type(err).__name__ == "TooManyRequests":
            return  # throttling is expected and paced by Retry-After; failures are worth a word
        with self.lock:
            self.count += 1
            count = self.count
        if count in (1, 5) or count % 20 == 0:
            print(
                f"… the workspace answered {describe(err)}; retrying ({count} so far, for up to "
                f"{retry_budget_s()} s a request)",
                file=sys.stderr,
            )


def describe(err: BaseException | None) -> str:
    if err is None:
        return "with an error"
    text = str(err).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(err).__name__} ({first[:80]})" if first else type(err).__name__


def reporting_clock(progress: RetryProgress) -> Any:
    """A real clock for the SDK's retry loop that reports each wait before it sleeps.

    The SDK sleeps only between attempts, inside the `except` that caught the failed one, so the
    error being handled is the reason for the retry."""
    from databricks.sdk.clock import RealClock

    class ReportingClock(RealClock):
        def sleep(self, seconds: float) -> None:
            progress.retried(sys.exc_info()[1])
            super().sleep(seconds)

    return ReportingClock()


def _wait(seconds: float) -> None:
    """Back off between attempts (a module function so tests can make it instant)."""
    time.sleep(seconds)


def retry_server_errors(client: WorkspaceClient, progress: RetryProgress) -> None:
    """Also retry 500 and 504 answers on this client, for up to the retry budget a request."""
    from databricks.sdk.errors import DeadlineExceeded, InternalError

    api = client.api_client
    send: Callable[..., Any] = api.do

    def do(*args: Any, **kwargs: Any) -> Any:
        data: Any = kwargs.get("data")
        # A stream can be sent again only from where it started; one we cannot rewind, never.
        seekable = data is None or (hasattr(data, "seekable") and data.seekable())
        start = data.tell() if data is not None and seekable else None
        deadline = time.monotonic() + retry_budget_s()
        attempt = 0
        while True:
            try:
                return send(*args, **kwargs)
            except (InternalError, DeadlineExceeded) as err:
                wait = min(FIRST_WAIT_S * 2**attempt, LONGEST_WAIT_S) * random.uniform(0.5, 1.0)
                if not seekable or kwargs.get("files") is not None:
                    raise
                if time.monotonic() + wait > deadline:
                    # Said the way the SDK's own loop says it, so the CLI reports both alike.
                    raise TimeoutError(f"Timed out after {retry_budget_s()} s") from err
                progress.retried(err)
                _wait(wait)
                attempt += 1
                if start is not None:
                    data.seek(start)

    # An instance attribute: this client's services send through it, no other client's.
    setattr(api, "do", do)  # noqa: B010 (mypy forbids assigning to a method)


class RetrySuppressed(Exception):
    """Raised by `NoRetryClock.sleep` to stop the SDK's own retry loop after one attempt."""


def no_retry_clock() -> Any:
    from databricks.sdk.clock import Clock

    class NoRetryClock(Clock):
        def time(self) -> float:
            return time.time()

        def sleep(self, seconds: float) -> None:
            raise RetrySuppressed

    return NoRetryClock()


def unwrap(exc: BaseException) -> BaseException:
    """The SDK's original error behind a suppressed retry."""
    if isinstance(exc, RetrySuppressed) and exc.__context__ is not None:
        return exc.__context__
    return exc


def retry_after(exc: BaseException) -> float | None:
    from databricks.sdk.errors import TooManyRequests

    if isinstance(exc, TooManyRequests):
        return float(getattr(exc, "retry_after_secs", None) or 1)
    return None
