"""`at: 2026-12-24T18:00`: a Quartz expression pinned to one moment by its year field.

A time without an offset is local time in the schedule's timezone. A time with an offset is
converted to that timezone. Quartz resolves a local time the way java.util.Calendar does (see
`quartz_eval`): a local time that does not exist (clocks go forward) is refused here, and a
local time that happens twice (clocks go back) fires at its second occurrence, so a moment given
with the offset of the first occurrence is refused too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sharepack.schedule.zones import resolve_wall


def local_moment(at: datetime, timezone: str) -> datetime:
    """`at` as a naive local time in `timezone`, or ValueError when Quartz cannot fire at that moment."""
    zone = ZoneInfo(timezone)
    if at.tzinfo is None:
        wall = at.replace(microsecond=0)
    else:
        wall = at.astimezone(zone).replace(tzinfo=None, microsecond=0, fold=0)
    instant = resolve_wall(wall, zone)
    shown = instant.astimezone(zone).replace(tzinfo=None)
    if shown != wall:
        raise ValueError(
            f"{wall:%Y-%m-%d %H:%M:%S} does not exist in {timezone}: clocks go forward over it; "
            "choose a time outside the skipped hour"
        )
    if at.tzinfo is not None and instant != at.replace(microsecond=0).astimezone(UTC):
        raise ValueError(
            f"{wall:%Y-%m-%d %H:%M:%S} happens twice in {timezone} (clocks go back) and Databricks "
            f"fires only at the second one, {instant.astimezone(zone).isoformat()}; give that moment "
            "or another time"
        )
    return wall


def one_time_instant(at: datetime, timezone: str) -> datetime:
    """The moment a one-time schedule fires, timezone-aware in its timezone."""
    zone = ZoneInfo(timezone)
    return resolve_wall(local_moment(at, timezone), zone).astimezone(zone)


def one_time_quartz(at: datetime, timezone: str) -> str:
    wall = local_moment(at, timezone)
    return f"{wall.second} {wall.minute} {wall.hour} {wall.day} {wall.month} ? {wall.year}"


def one_time_problem(at: datetime, timezone: str, now: datetime, *, allow_past: bool = False) -> str | None:
    """Why a one-time schedule cannot be deployed (in the past, or a local time Quartz skips), or None."""
    try:
        instant = one_time_instant(at, timezone)
    except ValueError as exc:
        return str(exc)
    if instant <= now and not allow_past:
        shown_now = now.astimezone(instant.tzinfo).replace(microsecond=0)
        return (
            f"{instant.isoformat()} is in the past (now is {shown_now.isoformat()}); "
            "a one-time schedule must be in the future"
        )
    return None


def clock() -> datetime:
    """Now, for validating `at:` when the caller gives no `now` (tests pass one in the context)."""
    return datetime.now(UTC)
