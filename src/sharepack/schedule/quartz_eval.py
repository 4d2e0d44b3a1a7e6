"""Next fire times of a Quartz expression in a timezone, computed the way Quartz computes them.

A port of Quartz 2.3.2's `CronExpression.getTimeAfter` over an emulation of the lenient
`java.util.GregorianCalendar` it works on: fields are set one by one, out-of-range values roll
over (day 32 is the 1st of next month, hour 24 is midnight), and each time a field is read the
local time is resolved to an instant by `zones.resolve_wall`. Following that code exactly is
what gives Databricks' behaviour around daylight saving time:

- Clocks go forward (America/New_York, 2026-03-08, 02:00 -> 03:00): a local time in the skipped
  hour resolves an hour later (02:30 -> 03:30 EDT); `setCalendarHour` then moves to hour 3, where
  the expression's hour no longer matches, so **the 02:30 run is skipped**, not moved to 03:30.
  An hourly-or-finer expression just carries on at 03:00.
- Clocks go back (2026-11-01, 02:00 EDT -> 01:00 EST): a local time in the repeated hour
  resolves to its second occurrence (standard time), so **01:30 fires once, at 01:30 EST**; the
  first pass through 01:00-02:00 (EDT) has no runs at all, even for an every-15-minutes
  expression (00:45 EDT is followed by 01:00 EST, 75 minutes later).

Times are whole seconds: Quartz ignores milliseconds.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sharepack.schedule.quartz_parse import MAX_YEAR, QuartzExpression
from sharepack.schedule.zones import wall_seconds_to_epoch

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SATURDAY, _SUNDAY = 7, 1
_GIVE_UP_YEAR = 2999  # Quartz's guard against expressions that never fire


def _last_day_of_month(month: int, year: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _tail(values: tuple[int, ...], at_least: int) -> int | None:
    """The smallest value >= at_least (TreeSet.tailSet(x).first()), or None."""
    index = bisect_left(values, at_least)
    return values[index] if index < len(values) else None


class _Calendar:
    """Just enough of a lenient java.util.GregorianCalendar: set fields, read them back resolved."""

    __slots__ = ("day", "dirty", "epoch", "hour", "minute", "month", "second", "tz", "year")

    def __init__(self, tz: ZoneInfo, epoch: int) -> None:
        self.tz = tz
        self._load(epoch)

    @classmethod
    def from_fields(
        cls, tz: ZoneInfo, year: int, month0: int, day: int, hour: int, minute: int, second: int
    ) -> _Calendar:
        calendar = cls(tz, 0)
        calendar.year, calendar.month, calendar.day = year, month0, day
        calendar.hour, calendar.minute, calendar.second = hour, minute, second
        calendar.dirty = True
        return calendar

    def _load(self, epoch: int) -> None:
        local = datetime.fromtimestamp(epoch, self.tz)
        self.year, self.month, self.day = local.year, local.month - 1, local.day
        self.hour, self.minute, self.second = local.hour, local.minute, local.second
        self.epoch = epoch
        self.dirty = False

    def complete(self) -> _Calendar:
        if self.dirty:
            year = self.year + self.month // 12
            if not 1 <= year <= 9998:
                raise OverflowError("year out of range")
            ordinal = date(year, self.month % 12 + 1, 1).toordinal() + self.day - 1
            extra_days, seconds = divmod(self.hour * 3600 + self.minute * 60 + self.second, 86400)
            wall = (ordinal + extra_days - _EPOCH_ORDINAL) * 86400 + seconds
            self._load(wall_seconds_to_epoch(wall, self.tz))
        return self

    def day_of_week(self) -> int:
        """1 = Sunday ... 7 = Saturday, as Calendar.DAY_OF_WEEK."""
        self.complete()
        return (date(self.year, self.month + 1, self.day).weekday() + 1) % 7 + 1

    def set(
        self,
        *,
        second: int | None = None,
        minute: int | None = None,
        hour: int | None = None,
        day: int | None = None,
        month0: int | None = None,
        year: int | None = None,
    ) -> None:
        if second is not None:
            self.second = second
        if minute is not None:
            self.minute = minute
        if hour is not None:
            self.hour = hour
        if day is not None:
            self.day = day
        if month0 is not None:
            self.month = month0
        if year is not None:
            self.year = year
        self.dirty = True

    def add_year(self, amount: int) -> None:
        """Calendar.add(YEAR, n): resolve, move the year, keep the day within the month."""
        self.complete()
        self.year += amount
        self.day = min(self.day, _last_day_of_month(self.month + 1, self.year))
        self.dirty = True

    def set_hour(self, hour: int) -> None:
        """Quartz's setCalendarHour: if the hour does not exist (clocks skip it), take the next."""
        self.set(hour=hour)
        if self.complete().hour != hour and hour != 24:
            self.set(hour=hour + 1)


def next_fire_epoch(expression: QuartzExpression, after: int, tz: ZoneInfo) -> int | None:
    """The first fire time strictly after `after` (seconds since the epoch), or None if there is none."""
    try:
        return _time_after(expression, after, tz)
    except OverflowError:
        return None


def _time_after(e: QuartzExpression, after: int, tz: ZoneInfo) -> int | None:
    after_time = after + 1
    cl = _Calendar(tz, after_time)
    while True:
        cl.complete()
        if cl.year > _GIVE_UP_YEAR:
            return None
        sec, minute = cl.second, cl.minute
        found = _tail(e.seconds, sec)
        if found is not None:
            sec = found
        else:
            sec = e.seconds[0]
            minute += 1
            cl.set(minute=minute)
        cl.set(second=sec)

        cl.complete()
        minute, hour = cl.minute, cl.hour
        t = -1
        found = _tail(e.minutes, minute)
        if found is not None:
            t = minute
            minute = found
        else:
            minute = e.minutes[0]
            hour += 1
        if minute != t:
            cl.set(second=0, minute=minute)
            cl.set_hour(hour)
            continue
        cl.set(minute=minute)

        cl.complete()
        hour, day = cl.hour, cl.day
        t = -1
        found = _tail(e.hours, hour)
        if found is not None:
            t = hour
            hour = found
        else:
            hour = e.hours[0]
            day += 1
        if hour != t:
            cl.set(second=0, minute=0, day=day)
            cl.set_hour(hour)
            continue
        cl.set(hour=hour)

        cl.complete()
        day, month = cl.day, cl.month + 1
        t = -1
        t_month = month
        if e.day_of_month_set:
            day, month, t, t_month = _day_of_month_rule(e, cl, day, month, sec, minute, hour, after_time, tz)
            if day != t or month != t_month:
                cl.set(second=0, minute=0, hour=0, day=day, month0=month - 1)
                continue
        elif not _day_of_week_rule(e, cl, day, month):
            continue
        else:
            day = cl.day
        cl.set(day=day)

        cl.complete()
        month, year = cl.month + 1, cl.year
        t = -1
        if year > MAX_YEAR:
            return None
        found = _tail(e.months, month)
        if found is not None:
            t = month
            month = found
        else:
            month = e.months[0]
            year += 1
        if month != t:
            cl.set(second=0, minute=0, hour=0, day=1, month0=month - 1, year=year)
            continue
        cl.set(month0=month - 1)

        cl.complete()
        year = cl.year
        t = -1
        found = _tail(e.years, year)
        if found is None:
            return None
        t = year
        year = found
        if year != t:
            cl.set(second=0, minute=0, hour=0, day=1, month0=0, year=year)
            continue
        cl.set(year=year)
        return cl.complete().epoch


def _day_of_month_rule(
    e: QuartzExpression,
    cl: _Calendar,
    day: int,
    month: int,
    sec: int,
    minute: int,
    hour: int,
    after_time: int,
    tz: ZoneInfo,
) -> tuple[int, int, int, int]:
    """Quartz 2.3.2's day-of-month step: (day, month, t, t_month); a change means "move and retry"."""
    t, t_month = -1, month
    if e.last_day_of_month:
        t = day
        day = _last_day_of_month(month, cl.year) - e.last_day_offset
        if not e.nearest_weekday:
            if t > day:
                month += 1
                if month > 12:
                    month = 1
                    t_month = 3333  # forces "moved"
                    cl.add_year(1)
                day = 1
        else:
            day, fire = _nearest_weekday_time(cl, day, month, sec, minute, hour, tz)
            if fire < after_time:
                day, month = 1, month + 1
    elif e.nearest_weekday:
        t = day
        target = e.days_of_month[0]
        adjusted, fire = _nearest_weekday_time(cl, target, month, sec, minute, hour, tz)
        if fire < after_time:
            day, month = target, month + 1
        else:
            day = adjusted
    else:
        found = _tail(e.days_of_month, day)
        if found is not None:
            t = day
            day = found
            if day > _last_day_of_month(month, cl.year):
                day, month = e.days_of_month[0], month + 1
        else:
            day, month = e.days_of_month[0], month + 1
    return day, month, t, t_month


def _nearest_weekday_time(
    cl: _Calendar, day: int, month: int, sec: int, minute: int, hour: int, tz: ZoneInfo
) -> tuple[int, int]:
    """The W rule: Saturday moves to Friday, Sunday to Monday, never across the month's edges."""
    probe = _Calendar.from_fields(tz, cl.year, month - 1, day, 0, 0, 0)
    last = _last_day_of_month(month, cl.year)
    weekday = probe.day_of_week()
    if weekday == _SATURDAY and day == 1:
        day += 2
    elif weekday == _SATURDAY:
        day -= 1
    elif weekday == _SUNDAY and day == last:
        day -= 2
    elif weekday == _SUNDAY:
        day += 1
    probe.set(second=sec, minute=minute, hour=hour, day=day, month0=month - 1)
    return day, probe.complete().epoch


def _day_of_week_rule(e: QuartzExpression, cl: _Calendar, day: int, month: int) -> bool:
    """Quartz's day-of-week step; False when it moved the calendar and the search must restart."""
    wanted = e.days_of_week[0]
    current = cl.day_of_week()
    last_day = _last_day_of_month(month, cl.year)
    if e.last_day_of_week:
        days_to_add = _days_until(current, wanted)
        if day + days_to_add > last_day:
            cl.set(second=0, minute=0, hour=0, day=1, month0=month)
            return False
        while day + days_to_add + 7 <= last_day:
            days_to_add += 7
        if days_to_add > 0:
            cl.set(second=0, minute=0, hour=0, day=day + days_to_add, month0=month - 1)
            return False
        return True
    if e.nth_day_of_week:
        days_to_add = _days_until(current, wanted)
        shifted = days_to_add > 0
        day += days_to_add
        week_of_month = day // 7 + (1 if day % 7 > 0 else 0)
        days_to_add = (e.nth_day_of_week - week_of_month) * 7
        day += days_to_add
        if days_to_add < 0 or day > last_day:
            cl.set(second=0, minute=0, hour=0, day=1, month0=month)
            return False
        if days_to_add > 0 or shifted:
            cl.set(second=0, minute=0, hour=0, day=day, month0=month - 1)
            return False
        return True
    next_wanted = _tail(e.days_of_week, current)
    days_to_add = _days_until(current, wanted if next_wanted is None else next_wanted)
    if day + days_to_add > last_day:
        cl.set(second=0, minute=0, hour=0, day=1, month0=month)
        return False
    if days_to_add > 0:
        cl.set(second=0, minute=0, hour=0, day=day + days_to_add, month0=month - 1)
        return False
    return True


def _days_until(current: int, wanted: int) -> int:
    if current < wanted:
        return wanted - current
    if current > wanted:
        return wanted + (7 - current)
    return 0


def fire_times(expression: QuartzExpression, tz: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """Fire times strictly after `after`, as aware datetimes in `tz`, until the expression ends."""
    epoch = math.floor(after.timestamp())
    while True:
        nxt = next_fire_epoch(expression, epoch, tz)
        if nxt is None:
            return
        yield datetime.fromtimestamp(nxt, UTC).astimezone(tz)
        epoch = nxt
