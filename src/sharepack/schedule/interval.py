"""`every: 6h` and friends: what an interval becomes in Databricks, and how to say it.

Databricks' periodic trigger (`trigger.periodic`) counts in HOURS, DAYS or WEEKS, measured from
the start of the previous run. The SDK's enum also lists MINUTES, but the public Jobs API
documentation and the job UI's simple schedule only offer hours, days and weeks, so sharepack
does not send MINUTES: a sub-hour interval that divides an hour (1, 2, 3, 4, 5, 6, 10, 12, 15,
20, 30 minutes) becomes the equivalent Quartz cron in UTC, which fires on the clock (`:00, :15,
:30, :45`) rather than relative to the previous run. Other sub-hour intervals (`45m`, `90m`) are
refused with the nearest ones that work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EVERY = re.compile(r"^\s*(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)\s*$")
_SECONDS_PER = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NAMES = {"m": "minute", "h": "hour", "d": "day", "w": "week"}
_UNIT_OF = {"h": "HOURS", "d": "DAYS", "w": "WEEKS"}
MINUTE_DIVISORS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)

INTERVAL_BASIS = (
    "Databricks measures the interval from the start of the previous run, not from a clock time; "
    "the first run starts when the trigger is created or resumed."
)


@dataclass(frozen=True)
class Interval:
    """An `every:` value, understood."""

    text: str  # as written
    seconds: int
    periodic: tuple[int, str] | None = None  # (interval, "HOURS" | "DAYS" | "WEEKS")
    quartz: str | None = None  # sub-hour intervals: an equivalent cron, evaluated in UTC

    @property
    def description(self) -> str:
        if self.quartz is not None:
            minutes = self.seconds // 60
            return (
                f"every {_plural(minutes, 'minute')}, on the clock (at minute 0/{minutes} of every hour, UTC)"
            )
        assert self.periodic is not None
        count, unit = self.periodic
        word = {"HOURS": "hour", "DAYS": "day", "WEEKS": "week"}[unit]
        return f"every {_plural(count, word)}, measured from the start of the previous run"


def _plural(count: int, word: str) -> str:
    return f"{word}" if count == 1 else f"{count} {word}s"


def parse_interval(every: str) -> Interval:
    """Understand `every:` ("6h", "30m", "1d", "2w"), or raise ValueError saying what would work."""
    match = _EVERY.match(every)
    if not match:
        raise ValueError(f"{every!r} is not an interval; write a number and a unit: 15m, 6h, 1d, 2w")
    count, unit = int(match.group(1)), match.group(2)[0]
    seconds = count * _SECONDS_PER[unit]
    if seconds == 0:
        raise ValueError("an interval of zero never ends; write a positive number such as 15m or 6h")
    if seconds < 60:
        raise ValueError(
            f"every {every.strip()} is under a minute; Databricks does not schedule runs that often. "
            "To run back to back, use `schedule: continuous`"
        )
    if unit in _UNIT_OF:
        return Interval(every, seconds, periodic=(count, _UNIT_OF[unit]))
    if seconds % 3600 == 0:
        return Interval(every, seconds, periodic=(seconds // 3600, "HOURS"))
    if seconds % 60 != 0:
        raise ValueError(f"every {every.strip()} is not a whole number of minutes; write minutes or hours")
    minutes = seconds // 60
    if minutes < 60 and 60 % minutes == 0:
        return Interval(every, seconds, quartz=f"0 0/{minutes} * * * ?")
    lower = max((d for d in MINUTE_DIVISORS if d < minutes), default=None)
    options = [f"{lower}m"] if lower else []
    if minutes > 30:
        options.append(f"{max(1, round(minutes / 60))}h")
    divisors = ", ".join(f"{d}m" for d in MINUTE_DIVISORS)
    raise ValueError(
        f"every {every.strip()} cannot be scheduled: Databricks' periodic trigger counts in hours, days "
        f"or weeks, and under an hour only intervals that divide 60 minutes ({divisors}) map to a cron; "
        f"try {' or '.join(options)}, or a cron expression"
    )
