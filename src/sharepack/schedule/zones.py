"""Local time to instant, the way java.util.GregorianCalendar (and so Quartz) resolves it.

A lenient Calendar turns its fields into an instant with `ZoneInfo.getOffsetsByWall`, which
finds the last transition whose local time, counted in the offset that starts with it, is not
after the wall time. In the hour that clocks skip (spring forward) that is the transition
before, so 02:30 in New York on 2026-03-08 is read with the old offset, -05:00, and lands at
07:30Z, shown as 03:30 EDT. In the hour that happens twice (fall back) it is the transition
itself, so 01:30 on 2026-11-01 is read with the new offset, -05:00: the second 01:30. Both rules
pick the later of the two candidate instants, i.e. the smaller UTC offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1)


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def wall_offset(wall: datetime, tz: ZoneInfo) -> timedelta:
    """The UTC offset Java applies to the naive local time `wall`."""
    first = tz.utcoffset(wall.replace(fold=0))
    second = tz.utcoffset(wall.replace(fold=1))
    assert first is not None and second is not None
    return min(first, second)


def resolve_wall(wall: datetime, tz: ZoneInfo) -> datetime:
    """The instant (aware, UTC) a Quartz Calendar assigns to the naive local time `wall`."""
    return (wall - wall_offset(wall, tz)).replace(tzinfo=UTC, fold=0)


def wall_seconds_to_epoch(wall_seconds: int, tz: ZoneInfo) -> int:
    """Seconds since the epoch of a local time given as seconds since 1970-01-01T00:00 local."""
    wall = _EPOCH + timedelta(seconds=wall_seconds)
    return wall_seconds - int(wall_offset(wall, tz).total_seconds())


def epoch_to_wall_seconds(epoch: int, tz: ZoneInfo) -> int:
    offset = datetime.fromtimestamp(epoch, tz).utcoffset()
    assert offset is not None
    return epoch + int(offset.total_seconds())


def transitions(tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, timedelta, timedelta]]:
    """Offset changes in [start, end): (instant in UTC, offset before, offset after)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    found: list[tuple[datetime, timedelta, timedelta]] = []
    for year in range(start.year, end.year + 1):
        found.extend(t for t in _year_transitions(tz, year) if start <= t[0] < end)
    return found


@lru_cache(maxsize=256)
def _year_transitions(tz: ZoneInfo, year: int) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    # Searching a year costs ~1,500 offset lookups; a plan asks for the same zone for every job.
    return tuple(
        _search_transitions(tz, datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC))
    )


def _search_transitions(
    tz: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, timedelta, timedelta]]:
    found: list[tuple[datetime, timedelta, timedelta]] = []
    step = timedelta(hours=6)
    t = start.astimezone(UTC)
    end = end.astimezone(UTC)
    before = t.astimezone(tz).utcoffset()
    while t < end:
        nxt = min(t + step, end)
        after = nxt.astimezone(tz).utcoffset()
        if after != before:
            lo, hi = t, nxt  # offset(lo) == before, offset(hi) != before
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid.astimezone(tz).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            assert before is not None and after is not None
            found.append((hi, before, after))
        before = after
        t = nxt
    return found
