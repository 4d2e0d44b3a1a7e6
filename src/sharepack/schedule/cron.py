"""Any accepted cron form to Quartz: a Quartz expression, a 5-field Unix one, or a preset.

`to_quartz` is what the schedule models validate with and what the Jobs settings carry.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sharepack.schedule.errors import CronError
from sharepack.schedule.presets import looks_like_preset, preset_to_quartz
from sharepack.schedule.quartz_parse import QuartzExpression, parse_quartz
from sharepack.schedule.unix_cron import unix_to_quartz


@lru_cache(maxsize=1024)
def to_quartz(expression: str) -> str:
    """The canonical Quartz expression for a Quartz, 5-field or preset expression, or raise CronError."""
    text = expression.strip()
    if not text:
        raise CronError("the cron expression is empty", position=1)
    if looks_like_preset(text):
        return parse_quartz(preset_to_quartz(text)).text
    if len(text.split()) == 5:
        return unix_to_quartz(text)
    return parse_quartz(text).text


@lru_cache(maxsize=1024)
def parse(expression: str) -> QuartzExpression:
    """The parsed Quartz expression for any accepted form."""
    return parse_quartz(to_quartz(expression))


def never_fires(quartz: str, timezone: str, now: datetime) -> bool:
    """True when no moment after `now` matches (30 February, a year gone by): Quartz accepts
    such an expression, and Databricks would deploy a job that never runs."""
    return _never_fires(quartz, timezone, now.replace(minute=0, second=0, microsecond=0))


def never_fires_message(expression: str) -> str:
    """What `validate` and `cron` both say of such an expression, word for word."""
    return (
        f"{expression!r} never fires: no date from now on matches it (a day the month "
        "does not have, or only years gone by)"
    )


@lru_cache(maxsize=1024)
def _never_fires(quartz: str, timezone: str, hour: datetime) -> bool:
    from sharepack.schedule.quartz_eval import fire_times
    from sharepack.schedule.zones import zone

    return next(fire_times(parse_quartz(quartz), zone(timezone), hour), None) is None


def cron_kind(expression: str) -> str:
    """'preset', 'unix' or 'quartz': how the expression was written."""
    text = expression.strip()
    if looks_like_preset(text):
        return "preset"
    return "unix" if len(text.split()) == 5 else "quartz"


__all__ = ["CronError", "cron_kind", "never_fires", "parse", "to_quartz"]
