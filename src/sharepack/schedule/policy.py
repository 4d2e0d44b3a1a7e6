"""`policy.min_interval`: the closest two runs of a schedule can ever be.

A year of `0 * * * * ?` is 525,600 fire times; walking them all is too slow for a plan. The
gaps between consecutive fires of a Quartz expression come in three kinds, each found cheaply:

1. Within a day, fires are the product hours x minutes x seconds, the same every day, so the
   smallest gap is the smallest step between neighbouring seconds, minutes (last second to first
   second) or hours (last minute to first minute): arithmetic on three small sets.
2. Between days: the last fire of one fire day to the first fire of the next. One evaluation per
   fire day over the horizon (at most ~400).
3. Around a DST change: the instant where the UTC offset changes is the only place a gap differs
   from its wall-clock length (clocks going forward make 01:30 -> 03:30 one hour, and Quartz's
   skips and single fall-back runs only ever widen gaps), so the one gap spanning each change is
   computed exactly from the fires on either side of it.

The result names two real fire times (timezone-aware), so the message can show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sharepack.schedule.durations import duration_seconds
from sharepack.schedule.forms import (
    AnySchedule,
    ContinuousSchedule,
    CronSchedule,
    EventSchedule,
    IntervalSchedule,
    OneTimeSchedule,
)
from sharepack.schedule.quartz_eval import next_fire_epoch
from sharepack.schedule.quartz_parse import QuartzExpression, parse_quartz
from sharepack.schedule.zones import resolve_wall, transitions, zone

HORIZON_DAYS = 400  # a full year of weekdays, month ends and DST changes, with margin
_SEARCH_BACK = 2 * 86400


@dataclass(frozen=True)
class Gap:
    first: datetime
    second: datetime

    @property
    def seconds(self) -> int:
        # Not `second - first`: aware datetimes sharing a tzinfo subtract as wall times, ignoring DST.
        return int(self.second.timestamp() - self.first.timestamp())


def min_gap(
    quartz: str, tz: str, start: datetime, horizon_days: int = HORIZON_DAYS
) -> tuple[datetime, datetime] | None:
    """The two consecutive fire times closest together in [start, start + horizon), or None."""
    gap = closest_fires(parse_quartz(quartz), zone(tz), start, horizon_days)
    return (gap.first, gap.second) if gap else None


def closest_fires(
    expression: QuartzExpression,
    tz: ZoneInfo,
    start: datetime,
    horizon_days: int = HORIZON_DAYS,
    *,
    stop_below: int | None = None,
) -> Gap | None:
    """The closest pair of consecutive fires; with `stop_below`, any pair closer than that will do."""
    begin = int(start.timestamp())
    end = begin + horizon_days * 86400
    best: tuple[int, int] | None = None

    def consider(first: int | None, second: int | None) -> bool:
        nonlocal best
        if first is None or second is None or not begin < first < second <= end:
            return False
        if best is None or second - first < best[1] - best[0]:
            best = (first, second)
        return stop_below is not None and second - first < stop_below

    days = _fire_days(expression, tz, begin, end)
    if _within_day(expression, tz, days, consider):
        return _as_gap(best, tz)
    for first, second in _between_days(expression, tz, days):
        if consider(first, second):
            return _as_gap(best, tz)
    for moment, _, _ in transitions(tz, datetime.fromtimestamp(begin, UTC), datetime.fromtimestamp(end, UTC)):
        if consider(*_spanning(expression, tz, int(moment.timestamp()))):
            return _as_gap(best, tz)
    return _as_gap(best, tz)


def _as_gap(pair: tuple[int, int] | None, tz: ZoneInfo) -> Gap | None:
    if pair is None:
        return None
    return Gap(datetime.fromtimestamp(pair[0], tz), datetime.fromtimestamp(pair[1], tz))


def _fire_days(expression: QuartzExpression, tz: ZoneInfo, begin: int, end: int) -> list[tuple[date, int]]:
    """(local date, first fire) of every day with a fire in the window: one evaluation per such day."""
    days: list[tuple[date, int]] = []
    after = begin
    while True:
        fire = next_fire_epoch(expression, after, tz)
        if fire is None or fire > end:
            return days
        day = datetime.fromtimestamp(fire, tz).date()
        days.append((day, fire))
        after = (
            int(resolve_wall(datetime.combine(day + timedelta(days=1), datetime.min.time()), tz).timestamp())
            - 1
        )


def _last_fire_of_day(expression: QuartzExpression, tz: ZoneInfo, day: date, first: int) -> int:
    e = expression
    wall = datetime(day.year, day.month, day.day, e.hours[-1], e.minutes[-1], e.seconds[-1])
    candidate = int(resolve_wall(wall, tz).timestamp())
    # A matching local time that exists fires (in the repeated hour, at its second occurrence).
    if candidate >= first and datetime.fromtimestamp(candidate, tz).replace(tzinfo=None) == wall:
        return candidate
    day_end = int(
        resolve_wall(datetime.combine(day + timedelta(days=1), datetime.min.time()), tz).timestamp()
    )
    return _last_fire_before(e, tz, day_end, first - 1) or first


def _last_fire_before(expression: QuartzExpression, tz: ZoneInfo, moment: int, low: int) -> int | None:
    """The last fire strictly before `moment`, searching no earlier than `low` (bisection)."""
    fire = next_fire_epoch(expression, low, tz)
    if fire is None or fire >= moment:
        return None
    lo, hi = low, moment - 1  # next_fire(lo) < moment; find the largest such start
    while lo < hi:
        mid = (lo + hi + 1) // 2
        probe = next_fire_epoch(expression, mid, tz)
        if probe is not None and probe < moment:
            lo = mid
        else:
            hi = mid - 1
    return next_fire_epoch(expression, lo, tz)


def _within_day(
    expression: QuartzExpression,
    tz: ZoneInfo,
    days: list[tuple[date, int]],
    consider: Callable[[int | None, int | None], bool],
) -> bool:
    """The smallest gap inside one day, on the first day where it is a real pair of fires."""
    pattern = _intra_day_pair(expression)
    if pattern is None:
        return False
    (a_time, b_time), _ = pattern
    for day, first in days:
        a = int(resolve_wall(datetime.combine(day, a_time), tz).timestamp())
        b = int(resolve_wall(datetime.combine(day, b_time), tz).timestamp())
        # The window may open between a and b (a plan made at 09:10 of a 09:00/09:40 day):
        # that day's pair is not in the window, the next day's is.
        if a < first:
            continue
        if next_fire_epoch(expression, a - 1, tz) == a and next_fire_epoch(expression, a, tz) == b:
            return consider(a, b)
    return False


def _intra_day_pair(expression: QuartzExpression) -> tuple[tuple[time, time], int] | None:
    """Wall times (a, b) of the smallest gap within a day, and its length in seconds."""
    e = expression
    best: tuple[int, time, time] | None = None

    def offer(gap: int, a: time, b: time) -> None:
        nonlocal best
        if best is None or gap < best[0]:
            best = (gap, a, b)

    h0, m0 = e.hours[0], e.minutes[0]
    for s1, s2 in zip(e.seconds, e.seconds[1:], strict=False):
        offer(s2 - s1, time(h0, m0, s1), time(h0, m0, s2))
    for m1, m2 in zip(e.minutes, e.minutes[1:], strict=False):
        offer(
            (m2 - m1) * 60 + e.seconds[0] - e.seconds[-1],
            time(h0, m1, e.seconds[-1]),
            time(h0, m2, e.seconds[0]),
        )
    first_of_hour = e.minutes[0] * 60 + e.seconds[0]
    last_of_hour = e.minutes[-1] * 60 + e.seconds[-1]
    for g1, g2 in zip(e.hours, e.hours[1:], strict=False):
        offer(
            (g2 - g1) * 3600 + first_of_hour - last_of_hour,
            time(g1, e.minutes[-1], e.seconds[-1]),
            time(g2, e.minutes[0], e.seconds[0]),
        )
    if best is None:
        return None
    return (best[1], best[2]), best[0]


def _between_days(
    expression: QuartzExpression, tz: ZoneInfo, days: list[tuple[date, int]]
) -> list[tuple[int, int]]:
    single = _intra_day_pair(expression) is None
    pairs = []
    for (day, first), (_, next_first) in pairwise(days):
        last = first if single else _last_fire_of_day(expression, tz, day, first)
        pairs.append((last, next_first))
    pairs.sort(key=lambda pair: pair[1] - pair[0])
    return pairs


def _spanning(expression: QuartzExpression, tz: ZoneInfo, moment: int) -> tuple[int | None, int | None]:
    """The fires on either side of an offset change: the one gap DST can shorten."""
    after = next_fire_epoch(expression, moment - 1, tz)
    before = _last_fire_before(expression, tz, moment, moment - _SEARCH_BACK)
    return before, after


def _words(seconds: int) -> str:
    from sharepack.schedule.durations import duration_words

    return duration_words(seconds)


def check_min_interval(schedule: AnySchedule, min_interval_seconds: int, now: datetime) -> str | None:
    """Why `schedule` can run more often than `min_interval_seconds` allows, or None when it cannot."""
    limit = _words(min_interval_seconds)
    if isinstance(schedule, ContinuousSchedule):
        return f"a continuous schedule starts a new run as soon as one ends, more often than every {limit}"
    if isinstance(schedule, IntervalSchedule):
        from sharepack.schedule.interval import parse_interval

        every = parse_interval(schedule.every).seconds
        if every < min_interval_seconds:
            return f"runs every {_words(every)}, more often than every {limit}"
        return None
    if isinstance(schedule, EventSchedule):
        return _event_problem(schedule, min_interval_seconds, limit)
    if isinstance(schedule, OneTimeSchedule):
        return None
    assert isinstance(schedule, CronSchedule)
    gap = closest_fires(
        parse_quartz(schedule.quartz), zone(schedule.timezone), now, stop_below=min_interval_seconds
    )
    if gap is None or gap.seconds >= min_interval_seconds:
        return None
    return (
        f"can run {_words(gap.seconds)} apart ({gap.first.isoformat()} and {gap.second.isoformat()}), "
        f"more often than every {limit}"
    )


def _event_problem(schedule: EventSchedule, min_interval_seconds: int, limit: str) -> str | None:
    trigger = schedule.on
    if trigger.pipeline_updated is not None:
        # It runs once per update of that pipeline, whose own schedule the policy checks.
        return None
    debounce: str | int | None = None
    if trigger.file_arrival is not None:
        debounce = trigger.file_arrival.debounce
    elif trigger.table_update is not None:
        debounce = trigger.table_update.debounce
    seconds = duration_seconds(debounce) if debounce is not None else 60
    if seconds >= min_interval_seconds:
        return None
    said = f"with debounce {_words(seconds)}" if debounce is not None else "without a debounce"
    return (
        f"an event trigger {said} can start a run every {_words(seconds)}, more often than every {limit}; "
        f"set `debounce: {_short(min_interval_seconds)}` (or more)"
    )


def _short(seconds: int) -> str:
    for size, unit in ((604800, "w"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
