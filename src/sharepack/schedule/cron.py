"""STUB until the schedule engine lands: normalise any accepted cron form to a Quartz expression."""

from __future__ import annotations

from sharepack.schedule.errors import CronError


def to_quartz(expression: str) -> str:
    """Return the Quartz expression for a Quartz, 5-field or preset expression, or raise CronError."""
    fields = expression.split()
    if len(fields) in (6, 7):
        return " ".join(fields)
    raise CronError(f"expected 6 or 7 fields (Quartz) or 5 (Unix cron), got {len(fields)}")
