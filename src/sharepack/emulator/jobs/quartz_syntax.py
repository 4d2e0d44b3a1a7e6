"""A syntax check of Quartz cron expressions, as strict as the Jobs API is about them."""

from __future__ import annotations

import re

_FIELDS = (  # (name, low, high, names)
    ("seconds", 0, 59, ()),
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day-of-week", 1, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
    ("year", 1970, 2199, ()),
)
_ITEM = re.compile(r"^(\*|[A-Z0-9]+(-[A-Z0-9]+)?)(/\d+)?$")


def _value(text: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if text in names:
        return True
    return text.isdigit() and low <= int(text) <= high


def quartz_error(expression: str) -> str | None:
    """None when valid, else what is wrong."""
    fields = expression.upper().split()
    if len(fields) not in (6, 7):
        return f"Invalid Quartz Cron Expression: '{expression}' must have 6 or 7 fields"
    if (fields[3] == "?") == (fields[5] == "?"):
        return (
            f"Invalid Quartz Cron Expression: '{expression}': "
            "use '?' in exactly one of day-of-month and day-of-week"
        )
    for text, (name, low, high, names) in zip(fields, _FIELDS, strict=False):
        for item in text.split(","):
            if item == "?" and name in ("day-of-month", "day-of-week"):
                continue
            if name == "day-of-month" and re.fullmatch(r"L(-\d+)?|LW|\d+W", item):
                continue
            if name == "day-of-week" and re.fullmatch(r"[1-7A-Z]{1,3}(L|#[1-5])", item):
                continue
            match = _ITEM.match(item)
            if not match:
                return f"Invalid Quartz Cron Expression: '{expression}': bad {name} '{item}'"
            for part in match.group(1).split("-"):
                if part != "*" and not _value(part, low, high, names):
                    return (
                        f"Invalid Quartz Cron Expression: '{expression}': {name} value '{part}' out of range"
                    )
    return None
