"""Building schedules the way the spec does, with a fixed "now"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter

from sharepack.schedule.forms import AnySchedule, Schedule

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
_ADAPTER: TypeAdapter[AnySchedule] = TypeAdapter(Schedule)


def schedule(value: Any, now: datetime = NOW) -> AnySchedule:
    """A schedule as written in YAML (a string or a mapping), validated as the spec validates it."""
    return _ADAPTER.validate_python(value, context={"now": now})
