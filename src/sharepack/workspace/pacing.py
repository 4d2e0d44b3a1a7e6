"""Requests paced to Databricks' published per-workspace rate limits, once the workspace throttles.

Sending as fast as the parallelism allows and retrying the 429s (the SDK waits what Retry-After
says) finishes, but a big destroy then spends a third of its time being refused: hundreds of 429s,
each a wasted round trip and a backoff. So from an endpoint's first 429 on, its requests are paced
below its published limit and each is sent once. Until then nothing waits: a workspace that does
not throttle (or grants more than the published limits) is written at full speed. Each endpoint
has its own budget (a `jobs/delete` does not use up a `pipelines/delete`'s), kept per workspace
host for the whole process, since the limit is the workspace's, not a thread's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

# Requests a second, by endpoint or endpoint prefix: the Jobs API's and the Pipelines API's
# published per-workspace limits (the emulator's realistic profile holds the same).
PUBLISHED_LIMITS = {
    "jobs/create": 20.0,
    "jobs/reset": 20.0,
    "jobs/delete": 10.0,
    "jobs/update": 10.0,
    "pipelines/": 20.0,
}
HEADROOM = 0.9  # below the limit: the workspace's clock and ours do not tick together


class Pacer:
    """Token buckets, one per endpoint: `wait` returns when the endpoint may be called."""

    def __init__(self, limits: dict[str, float] | None = None, headroom: float = HEADROOM) -> None:
        self._limits = dict(PUBLISHED_LIMITS if limits is None else limits)
        self._headroom = headroom
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # endpoint: (tokens, when counted)
        self._refused: set[str] = set()

    def refused(self, endpoint: str) -> None:
        """The workspace answered 429 to `endpoint`: pace it from now on, starting with an empty
        budget (the workspace's is empty too)."""
        with self._lock:
            if endpoint not in self._refused:  # later refusals were in flight already: the queue stays
                self._refused.add(endpoint)
                self._buckets[endpoint] = (0.0, time.monotonic())

    def paces(self, endpoint: str) -> bool:
        return self._rate(endpoint) is not None and endpoint in self._refused

    def _rate(self, endpoint: str) -> float | None:
        for key, rate in self._limits.items():
            if endpoint == key or endpoint.startswith(key):
                return rate * self._headroom
        return None

    def delay(self, endpoint: str) -> float:
        """Takes the endpoint's next slot: 0 when it is free now, else the seconds until it is."""
        rate = self._rate(endpoint)
        if rate is None or not self.paces(endpoint):
            return 0.0
        capacity = max(rate, 1.0)
        with self._lock:
            now = time.monotonic()
            tokens, stamp = self._buckets.get(endpoint, (capacity, now))
            tokens = min(capacity, tokens + (now - stamp) * rate) - 1
            self._buckets[endpoint] = (tokens, now)
        # Below zero, the slot is reserved: later callers queue behind it, each at 1/rate.
        return 0.0 if tokens >= 0 else -tokens / rate

    def wait(self, endpoint: str) -> None:
        seconds = self.delay(endpoint)
        if seconds > 0:
            time.sleep(seconds)


T = TypeVar("T")
_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def pacer_for(client: WorkspaceClient) -> Pacer:
    host = str(client.config.host or "")
    with _PACERS_LOCK:
        return _PACERS.setdefault(host, Pacer())


def pace(client: WorkspaceClient, endpoint: str) -> None:
    """Wait for `endpoint`'s next slot on the client's workspace."""
    pacer_for(client).wait(endpoint)


def paced(
    client: WorkspaceClient,
    probe: WorkspaceClient | None,
    endpoint: str,
    call: Callable[[WorkspaceClient], T],
) -> T:
    """`call(client)`, paced once the workspace has refused `endpoint`. Until then it goes through
    `probe` (the same workspace, the SDK's retries off) so that a 429 is seen here, switches the
    pacing on, and the request is sent again paced; any other failure is sent again through
    `client`, with the SDK's retries and ours (the probe has neither), whose answer stands. Only
    for requests that are safe to repeat."""
    from sharepack.workspace.retry import RetrySuppressed, retry_after

    pacer = pacer_for(client)
    if probe is not None and not pacer.paces(endpoint):
        try:
            return call(probe)
        except RetrySuppressed as suppressed:
            cause = suppressed.__context__  # the SDK's error, whose retry was switched off
            if cause is not None and retry_after(cause) is not None:
                pacer.refused(endpoint)
        except Exception:
            pass  # sent again below, through the client that retries
    pacer.wait(endpoint)
    return call(client)
