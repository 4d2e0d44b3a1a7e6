"""Readable schedules that stand for a Quartz expression, usable as `cron:` or as the whole schedule.

The grammar is small on purpose (case and extra spaces do not matter; times are 24-hour HH:MM,
or 2am / 2:30pm):

| written | Quartz |
|---|---|
| `@yearly`, `@annually`, `yearly` | `0 0 0 1 1 ?` |
| `@monthly`, `monthly` | `0 0 0 1 * ?` |
| `@weekly`, `weekly` | `0 0 0 ? * SUN` |
| `@daily`, `@midnight`, `daily` | `0 0 0 * * ?` |
| `@hourly`, `hourly`, `every hour` | `0 0 * * * ?` |
| `hourly at :15` | `0 15 * * * ?` |
| `daily at 02:00`, `every day at 02:00` | `0 0 2 * * ?` |
| `weekdays at 09:30` | `0 30 9 ? * MON-FRI` |
| `weekends at 10:00` | `0 0 10 ? * SAT,SUN` |
| `every monday at 01:00`, `every mon, wed and fri at 06:00` | `0 0 1 ? * MON` ... |
| `monthly on day 15 at 06:00` | `0 0 6 15 * ?` |
| `monthly on the last day at 23:00` | `0 0 23 L * ?` |
| `every minute`, `every 15 minutes` (a divisor of 60) | `0 0/15 * * * ?` |
| `every 6 hours` (a divisor of 24) | `0 0 0/6 * * ?` |
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sharepack.schedule.errors import CronError
from sharepack.schedule.quartz_parse import DAY_NAMES

_FIXED = {
    "@yearly": "0 0 0 1 1 ?",
    "@annually": "0 0 0 1 1 ?",
    "yearly": "0 0 0 1 1 ?",
    "@monthly": "0 0 0 1 * ?",
    "monthly": "0 0 0 1 * ?",
    "@weekly": "0 0 0 ? * SUN",
    "weekly": "0 0 0 ? * SUN",
    "@daily": "0 0 0 * * ?",
    "@midnight": "0 0 0 * * ?",
    "daily": "0 0 0 * * ?",
    "@hourly": "0 0 * * * ?",
    "hourly": "0 0 * * * ?",
    "every hour": "0 0 * * * ?",
    "every minute": "0 * * * * ?",
}
_TIME = r"(?P<time>\d{1,2}(?::\d{2})?\s*(?:am|pm)?)"
_DAY_WORDS = {
    **{name.lower(): name for name in DAY_NAMES},
    "sunday": "SUN",
    "monday": "MON",
    "tuesday": "TUE",
    "wednesday": "WED",
    "thursday": "THU",
    "friday": "FRI",
    "saturday": "SAT",
}
EXAMPLES = (
    "@daily",
    "daily at 02:00",
    "weekdays at 09:30",
    "every monday at 01:00",
    "hourly at :15",
    "every 15 minutes",
    "monthly on day 1 at 06:00",
)


def looks_like_preset(text: str) -> bool:
    """Presets start with '@' or a word; cron expressions start with a number, '*' or '/'."""
    stripped = text.strip()
    return bool(stripped) and (stripped[0] == "@" or stripped[0].isalpha())


def preset_to_quartz(text: str) -> str:
    """The Quartz expression a preset stands for, or CronError listing what is understood."""
    normal = " ".join(text.strip().lower().split())
    if normal in _FIXED:
        return _FIXED[normal]
    for pattern, build in _PATTERNS:
        match = pattern.fullmatch(normal)
        if match:
            return build(match)
    raise CronError(
        f"{text.strip()!r} is neither a cron expression nor a preset; presets look like: "
        + ", ".join(EXAMPLES)
        + " (see docs/schedules.md)",
        position=1,
    )


def _time(match: re.Match[str]) -> tuple[int, int]:
    written = match.group("time").replace(" ", "")
    suffix = written[-2:] if written.endswith(("am", "pm")) else ""
    clock = written[: -len(suffix)] if suffix else written
    hour_text, _, minute_text = clock.partition(":")
    hour, minute = int(hour_text), int(minute_text or 0)
    if suffix:
        if not 1 <= hour <= 12:
            raise CronError(f"{written!r} is not a time: with am/pm the hour is 1-12")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise CronError(f"{written!r} is not a time of day: write HH:MM from 00:00 to 23:59")
    return hour, minute


def _at(days: str, dom: str = "?") -> Callable[[re.Match[str]], str]:
    def build(match: re.Match[str]) -> str:
        hour, minute = _time(match)
        return f"0 {minute} {hour} {dom} * {days}" if dom == "?" else f"0 {minute} {hour} {dom} * ?"

    return build


def _daily(match: re.Match[str]) -> str:
    hour, minute = _time(match)
    return f"0 {minute} {hour} * * ?"


def _on_days(match: re.Match[str]) -> str:
    words = [w for w in re.split(r"\s*,\s*|\s+and\s+|\s+", match.group("days")) if w]
    days: list[str] = []
    for word in words:
        name = _DAY_WORDS.get(word.rstrip("s") if word.rstrip("s") in _DAY_WORDS else word)
        if name is None:
            raise CronError(f"{word!r} is not a day of the week; write monday ... sunday or mon ... sun")
        if name not in days:
            days.append(name)
    days.sort(key=DAY_NAMES.index)
    return _at(",".join(days))(match)


def _hourly_at(match: re.Match[str]) -> str:
    minute = int(match.group("minute"))
    if minute > 59:
        raise CronError(f"':{minute}' is not a minute: write :00 to :59")
    return f"0 {minute} * * * ?"


def _every_minutes(match: re.Match[str]) -> str:
    count = int(match.group("n"))
    if count < 1 or 60 % count:
        raise CronError(
            f"every {count} minutes does not divide an hour; use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30"
        )
    return "0 * * * * ?" if count == 1 else f"0 0/{count} * * * ?"


def _every_hours(match: re.Match[str]) -> str:
    count = int(match.group("n"))
    if count < 1 or 24 % count:
        raise CronError(f"every {count} hours does not divide a day; use 1, 2, 3, 4, 6, 8 or 12")
    return "0 0 * * * ?" if count == 1 else f"0 0 0/{count} * * ?"


def _monthly_on(match: re.Match[str]) -> str:
    day = match.group("day")
    if day in ("the last day", "last day"):
        return _at("?", "L")(match)
    number = int(re.sub(r"\D", "", day))
    if not 1 <= number <= 31:
        raise CronError(f"day {number} of the month does not exist: write 1-31, or 'the last day'")
    return _at("?", str(number))(match)


_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(rf"(?:daily|every day) at {_TIME}"), _daily),
    (re.compile(rf"(?:weekdays|every weekday) at {_TIME}"), _at("MON-FRI")),
    (re.compile(rf"(?:weekends|every weekend) at {_TIME}"), _at("SAT,SUN")),
    (re.compile(rf"(?:every|on) (?P<days>[a-z, ]+?) at {_TIME}"), _on_days),
    (re.compile(r"hourly at :(?P<minute>\d{1,2})"), _hourly_at),
    (re.compile(r"every (?P<n>\d+) minutes?"), _every_minutes),
    (re.compile(r"every (?P<n>\d+) hours?"), _every_hours),
    (
        re.compile(
            r"monthly on (?P<day>the last day|last day|day \d{1,2}|the \d{1,2}(?:st|nd|rd|th))"
            rf" at {_TIME}"
        ),
        _monthly_on,
    ),
)
