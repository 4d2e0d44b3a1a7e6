"""When every job fires over the coming days: counts per hour, as a text heat map or an HTML page.

Counting walks fire *hours*, not fire times, so an every-second schedule costs the same as a
daily one: for each local day the expression fires on and each hour it names, the runs in that
hour are the expression's minute x second combinations, placed at their instants. Hours a clock
change touches are counted by evaluating each run, as Quartz would.
"""

from __future__ import annotations

import html
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sharepack.schedule.quartz_eval import next_fire_epoch
from sharepack.schedule.quartz_parse import QuartzExpression, parse_quartz
from sharepack.schedule.zones import resolve_wall, zone

_SHADES = " .:-=+*#%@"
Slot = tuple[date, int]  # a local day and hour in the calendar's timezone


@dataclass(frozen=True)
class CalendarEntry:
    name: str
    quartz: str
    timezone: str


@dataclass(frozen=True)
class FireCounts:
    """Runs per job and per hour of the calendar's timezone, over `days` days from `start`."""

    start: datetime  # aware, in `tz`, on the hour
    days: int
    tz: str
    names: tuple[str, ...]
    per_slot: dict[str, dict[Slot, int]] = field(default_factory=dict)

    @property
    def dates(self) -> list[date]:
        return [(self.start + timedelta(days=i)).date() for i in range(self.days)]

    def by_hour(self, name: str) -> list[int]:
        """A job's runs in each hour of the day (0-23), summed over the days."""
        hours = [0] * 24
        for (_, hour), count in self.per_slot.get(name, {}).items():
            hours[hour] += count
        return hours

    def totals_by_hour(self) -> list[int]:
        return [sum(column) for column in zip(*(self.by_hour(n) for n in self.names), strict=True)] or [
            0
        ] * 24

    def busiest_hours(self, top: int = 3) -> list[int]:
        totals = self.totals_by_hour()
        ranked = sorted((h for h in range(24) if totals[h]), key=lambda h: (-totals[h], h))
        return sorted(ranked[:top])


def fire_counts(entries: list[CalendarEntry], start: datetime, days: int, tz: str) -> FireCounts:
    """Count each entry's runs per hour of `tz` in [start, start + days)."""
    display = zone(tz)
    begin = start.astimezone(display).replace(minute=0, second=0, microsecond=0)
    low, high = int(begin.timestamp()), int((begin + timedelta(days=days)).timestamp())
    per_slot: dict[str, dict[Slot, int]] = {}
    for entry in entries:
        counts: dict[Slot, int] = {}
        expression = parse_quartz(entry.quartz)
        for instant, count in _runs(expression, zone(entry.timezone), low, high):
            local = datetime.fromtimestamp(instant, display)
            slot = (local.date(), local.hour)
            counts[slot] = counts.get(slot, 0) + count
        per_slot[entry.name] = counts
    return FireCounts(begin, days, tz, tuple(e.name for e in entries), per_slot)


def _runs(expression: QuartzExpression, tz: ZoneInfo, low: int, high: int) -> list[tuple[int, int]]:
    """(instant, number of runs) groups covering every run in [low, high), each group within one hour."""
    offsets = sorted({m * 60 + s for m in expression.minutes for s in expression.seconds})
    groups: list[tuple[int, int]] = []
    after = low - 1
    while True:
        fire = next_fire_epoch(expression, after, tz)
        if fire is None or fire >= high:
            return groups
        day = datetime.fromtimestamp(fire, tz).date()
        for hour in expression.hours:
            groups.extend(_hour_runs(expression, tz, day, hour, offsets, low, high))
        after = (
            int(resolve_wall(datetime.combine(day + timedelta(days=1), datetime.min.time()), tz).timestamp())
            - 1
        )


def _hour_runs(
    expression: QuartzExpression, tz: ZoneInfo, day: date, hour: int, offsets: list[int], low: int, high: int
) -> list[tuple[int, int]]:
    wall = datetime(day.year, day.month, day.day, hour)
    first = tz.utcoffset(wall.replace(fold=0))
    if (
        first
        == tz.utcoffset(wall.replace(fold=1))
        == tz.utcoffset(wall.replace(minute=59, second=59, fold=1))
    ):
        # An ordinary hour: runs sit at fixed offsets from its start, split where calendar hours change.
        hour_start = int(resolve_wall(wall, tz).timestamp())
        return _split(hour_start, offsets, low, high)
    # A clock change touches this hour: place each run exactly as Quartz would.
    runs: list[tuple[int, int]] = []
    begin = int(resolve_wall(wall - timedelta(hours=1), tz).timestamp())
    end = int(resolve_wall(wall + timedelta(hours=2), tz).timestamp())
    after = max(begin, low - 1)
    while True:
        fire = next_fire_epoch(expression, after, tz)
        if fire is None or fire >= min(end, high):
            return runs
        local = datetime.fromtimestamp(fire, tz)
        if local.date() == day and local.hour == hour:
            runs.append((fire, 1))
        after = fire


def _split(hour_start: int, offsets: list[int], low: int, high: int) -> list[tuple[int, int]]:
    """Group the runs at hour_start + offsets into pieces that each fall in one calendar hour."""
    lo = bisect_left(offsets, low - hour_start)
    hi = bisect_left(offsets, high - hour_start)
    if lo >= hi:
        return []
    groups = []
    # Calendar hours may start at :30 or :45 of this hour (a timezone with a half-hour offset).
    for edge in range(0, 3600 + 1, 900):
        cut = bisect_left(offsets, edge, lo, hi)
        if cut > lo:
            groups.append((hour_start + offsets[lo], cut - lo))
            lo = cut
    if lo < hi:
        groups.append((hour_start + offsets[lo], hi - lo))
    return groups


def _shade(count: int, peak: int) -> str:
    if count == 0 or peak == 0:
        return " "
    return _SHADES[max(1, round(count / peak * (len(_SHADES) - 1)))]


def render_text(counts: FireCounts, width: int | None = None) -> str:
    """A heat map: one row per job, one column per hour of the day, busiest hours marked with ^.

    Within `width` columns: a job name, its 24 hour cells and its total share a line when they fit;
    else the name goes on a line of its own above narrower cells.
    """
    end = counts.start + timedelta(days=counts.days)
    title = (
        f"Runs per hour, {counts.start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({counts.tz}), "
        f"{counts.days} day{'s' if counts.days != 1 else ''}"
    )
    grid = _side_by_side(counts)
    if width is not None and max(len(line) for line in grid) > width:
        grid = _stacked(counts)
    totals = counts.totals_by_hour()
    busiest = counts.busiest_hours()
    if busiest:
        described = ", ".join(f"{h:02d}:00 ({totals[h]} runs)" for h in busiest)
        notes = [f"Busiest hours: {described}.", f"Shades, fewest to most runs in an hour: {_SHADES[1:]}"]
    else:
        notes = ["No runs in this period."]
    lines = [*wrap_words(title, width), "", *grid, "", *(w for n in notes for w in wrap_words(n, width))]
    return "\n".join(lines) + "\n"


def wrap_words(text: str, width: int | None, indent: str = "") -> list[str]:
    """`text` in lines of at most `width` columns, broken between words only."""
    if width is None:
        return [text]
    import textwrap

    return textwrap.wrap(
        text, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    ) or [""]


def _side_by_side(counts: FireCounts) -> list[str]:
    width = max([len(n) for n in counts.names] + [8])
    rows = {name: counts.by_hour(name) for name in counts.names}
    peak = max([max(r) for r in rows.values()] + [0])
    lines = [f"{'':{width}}  " + "".join(f"{h:<3d}" if h % 3 == 0 else "   " for h in range(24)).rstrip()]
    for name, hours in rows.items():
        cells = "".join(f" {_shade(c, peak)} " for c in hours)
        lines.append(f"{name:{width}}  {cells.rstrip()}   {sum(hours)} runs")
    busiest = counts.busiest_hours()
    lines.append(
        f"{'busiest':{width}}  " + "".join(" ^ " if h in busiest else "   " for h in range(24)).rstrip()
    )
    return lines


def _stacked(counts: FireCounts) -> list[str]:
    """Each name on its own line, its hours below in two columns each: 50 columns wide."""
    rows = {name: counts.by_hour(name) for name in counts.names}
    peak = max([max(r) for r in rows.values()] + [0])
    lines = ["  " + "".join(f"{h:<6d}" for h in range(0, 24, 3)).rstrip()]
    for name, hours in rows.items():
        lines.append(f"{name}: {sum(hours)} runs")
        lines.append("  " + "".join(f"{_shade(c, peak)} " for c in hours).rstrip())
    busiest = counts.busiest_hours()
    lines.append("busiest:")
    lines.append("  " + "".join("^ " if h in busiest else "  " for h in range(24)).rstrip())
    return lines


def render_html(counts: FireCounts) -> str:
    """A self-contained page: for each day, a table of jobs by hour, busiest hours highlighted."""
    peak = max([c for slots in counts.per_slot.values() for c in slots.values()] + [0])
    busiest = set(counts.busiest_hours())
    sections = []
    for day in counts.dates:
        head = "".join(f'<th class="{"busy" if h in busiest else ""}">{h:02d}</th>' for h in range(24))
        body = []
        for name in counts.names:
            slots = counts.per_slot.get(name, {})
            cells = []
            for hour in range(24):
                count = slots.get((day, hour), 0)
                level = 0 if not count else max(1, round(count / peak * 9))
                title = f"{name}: {count} run{'s' if count != 1 else ''} at {day} {hour:02d}:00"
                cells.append(f'<td class="l{level}" title="{html.escape(title)}">{count or ""}</td>')
            body.append(f'<tr><th class="job">{html.escape(name)}</th>{"".join(cells)}</tr>')
        sections.append(f"<h2>{day:%A %Y-%m-%d}</h2><table><tr><th></th>{head}</tr>{''.join(body)}</table>")
    shades = "".join(
        f".l{i}{{background:hsl(210,80%,{100 - i * 7}%);color:{'#fff' if i > 5 else '#123'}}}"
        for i in range(10)
    )
    title = f"When the jobs run ({html.escape(counts.tz)})"
    busy = ", ".join(f"{h:02d}:00" for h in sorted(busiest)) or "none"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em;color:#123}"
        "table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #dde;padding:2px 6px;text-align:center;font-size:12px;min-width:1.6em}"
        "th.job{text-align:left;white-space:nowrap}th.busy{background:#fc6}"
        f"{shades}</style></head><body><h1>{title}</h1>"
        f"<p>{counts.days} day{'s' if counts.days != 1 else ''} from {counts.start:%Y-%m-%d %H:%M}. "
        f"Busiest hours (highlighted): {busy}.</p>" + "".join(sections) + "</body></html>\n"
    )
