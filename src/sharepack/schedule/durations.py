"""Durations as a pack writes them ("90s", "30m", "6h", "1d", "2w") and as sharepack says them
("90 minutes")."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration_seconds(text: str | int) -> int:
    """Seconds in a duration such as "90s", "30m", "6h", "1d", "2w" (an int is taken as seconds)."""
    if isinstance(text, int):
        return text
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration; write a number and a unit: 30s, 15m, 6h, 1d, 2w")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def duration_words(seconds: int) -> str:
    """3600 -> "1 hour", 5400 -> "90 minutes", 90 -> "90 seconds"."""
    for size, word in ((604800, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {word}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"
