"""Fixtures for fault, crash and concurrency tests: back-off without real waiting."""

from __future__ import annotations

import time

import pytest


@pytest.fixture(autouse=True)
def instant_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK waits Retry-After (≥ 1 s) and sharepack backs off between create attempts; here
    both wait a few milliseconds so that many seeds run in seconds. What is retried, and how
    often, is unchanged."""
    from databricks.sdk.clock import RealClock

    real_sleep = time.sleep
    monkeypatch.setattr(RealClock, "sleep", lambda self, seconds: real_sleep(min(seconds, 0.005)))
    monkeypatch.setattr("sharepack.workspace.write._wait", lambda seconds: real_sleep(min(seconds, 0.005)))
