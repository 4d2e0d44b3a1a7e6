"""Warnings about daylight saving time: runs a clock change skips, and runs in an hour that repeats.

For each offset change in the window, the local times it affects are checked against the
expression as if clocks never changed (the expression evaluated on a plain calendar, UTC):
- clocks go forward: matching local times in the skipped hour have no run that day (Quartz
  skips them, see `quartz_eval`);
- clocks go back: matching local times in the repeated hour run once, at their second
  occurrence, and the first pass through that hour has no run at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sharepack.schedule.quartz_eval import next_fire_epoch
from sharepack.schedule.quartz_parse import QuartzExpression
from sharepack.schedule.zones import transitions, zone

_SHOWN = 3
_UTC = ZoneInfo("UTC")


def dst_warnings(expression: QuartzExpression, tz: str, start: datetime, days: int = 366) -> list[str]:
    """One sentence per clock change in [start, start + days) that skips runs or runs a repeated time once."""
    zone_info = zone(tz)
    warnings: list[str] = []
    end = start + timedelta(days=days)
    for moment, before, after in transitions(zone_info, start, end):
        wall_before = (moment + before).replace(tzinfo=None)  # local time just before the change
        wall_after = (moment + after).replace(tzinfo=None)  # the local time clocks jump to
        if after > before:
            affected = _naive_fires(expression, wall_before, wall_after)
            if affected:
                warnings.append(
                    f"{wall_before:%Y-%m-%d}: clocks in {tz} go forward from {wall_before:%H:%M} to "
                    f"{wall_after:%H:%M}, so {_runs(affected)} {'does' if len(affected) == 1 else 'do'} "
                    "not happen that day"
                )
        else:
            affected = _naive_fires(expression, wall_after, wall_before)
            if affected:
                offset = _offset_text(after)
                warnings.append(
                    f"{wall_after:%Y-%m-%d}: clocks in {tz} go back from {wall_before:%H:%M} to "
                    f"{wall_after:%H:%M}, so {wall_after:%H:%M}-{wall_before:%H:%M} happens twice; "
                    f"{_runs(affected)} {'happens' if len(affected) == 1 else 'happen'} only once, during "
                    f"the second pass (UTC{offset}); nothing runs during the first"
                )
    return warnings


def _naive_fires(expression: QuartzExpression, start: datetime, end: datetime) -> list[datetime]:
    """Local times in [start, end) the expression matches, on a calendar without clock changes."""
    found: list[datetime] = []
    after = int(start.replace(tzinfo=UTC).timestamp()) - 1
    limit = int(end.replace(tzinfo=UTC).timestamp())
    while len(found) <= _SHOWN:
        fire = next_fire_epoch(expression, after, _UTC)
        if fire is None or fire >= limit:
            break
        found.append(datetime.fromtimestamp(fire, UTC).replace(tzinfo=None))
        after = fire
    return found


def _runs(times: list[datetime]) -> str:
    shown = [f"{t:%H:%M:%S}" if t.second else f"{t:%H:%M}" for t in times[:_SHOWN]]
    if len(times) == 1:
        return f"the {shown[0]} run"
    more = " and later ones" if len(times) > _SHOWN else ""
    return "the runs at " + ", ".join(shown) + more


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"
