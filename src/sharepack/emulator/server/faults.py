"""Injected latency, rate limits and faults, replayable from a seed."""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field

# Databricks' published per-workspace limits (requests/s); pipelines are unpublished: 20/s.
REALISTIC_LIMITS = {
    "jobs/create": 20.0,
    "jobs/get": 20.0,
    "jobs/list": 20.0,
    "jobs/reset": 20.0,
    "jobs/run-now": 20.0,
    "jobs/delete": 10.0,
    "jobs/update": 10.0,
    "jobs/runs/get": 100.0,
    "pipelines": 20.0,
}


class TokenBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        # At least one token, or a limit under 1/s would refuse every request.
        self.capacity = max(rate, 1.0)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one will be there."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class Faults:
    latency_ms: float = 0
    rate_limit_per_s: float | None = None
    rate_limits: dict[str, float] = field(default_factory=dict)
    fault_rate: float = 0
    drop_rate: float = 0
    seed: int = 0
    fail_after_mutations: int | None = None
    fail_matching: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    # How many requests matching a fail_matching rule pass before the rules fail them: 1 fails
    # the second share PATCH of an apply, a crash between two PATCHes.
    fail_matching_skip: int = 0
    _matched: int = 0
    # A write that commits, then answers only after `stall_s`: past a client's timeout, as a
    # stalled gateway does. Applies to the next `stall_count` writes to endpoints matching
    # `stall_endpoint` (a regular expression such as "jobs/create").
    stall_s: float = 0
    stall_endpoint: str = ""
    stall_count: int = 0
    _random: random.Random = field(default_factory=random.Random)
    _buckets: dict[str, TokenBucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take_stall(self, endpoint: str) -> float:
        """Seconds to hold this committed write's answer (0: answer at once)."""
        with self._lock:
            if self.stall_count <= 0 or not self.stall_s or not re.search(self.stall_endpoint, endpoint):
                return 0.0
            self.stall_count -= 1
            return self.stall_s

    def failing_rule(self, method: str, path: str) -> tuple[str, str, int, str, str] | None:
        """The fail_matching rule that fails this request, once `fail_matching_skip` have passed."""
        for rule in self.fail_matching:
            if rule[0] == method and re.search(rule[1], path):
                with self._lock:
                    self._matched += 1
                    return rule if self._matched > self.fail_matching_skip else None
        return None

    def reset_matches(self) -> None:
        with self._lock:
            self._matched = 0

    def reseed(self) -> None:
        self._random = random.Random(self.seed)
        self._buckets = {}

    def roll(self) -> float:
        with self._lock:
            return self._random.random()

    def limit_for(self, endpoint: str) -> float | None:
        for key, rate in self.rate_limits.items():
            if endpoint == key or endpoint.startswith(key):
                return rate
        return self.rate_limit_per_s

    def admit(self, endpoint: str) -> bool:
        return self.wait_for(endpoint) == 0

    def wait_for(self, endpoint: str) -> float:
        """0 when the request is admitted, else the seconds until the endpoint has room again."""
        rate = self.limit_for(endpoint)
        if rate is None:
            return 0.0
        with self._lock:
            bucket = self._buckets.get(endpoint)
            if bucket is None or bucket.rate != rate:
                bucket = self._buckets[endpoint] = TokenBucket(rate)
            return bucket.take()
