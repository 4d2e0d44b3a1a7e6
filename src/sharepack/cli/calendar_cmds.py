"""calendar: when every job of a pack fires over the coming days, as a heat map by hour."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sharepack.cli.app import app
from sharepack.cli.options import File, Target, Vars, parse_vars
from sharepack.terminal import console

if TYPE_CHECKING:
    from sharepack.schedule.calendar import CalendarEntry
    from sharepack.schedule.forms import AnySchedule


class CalendarOutput(StrEnum):
    text = "text"
    html = "html"
    json = "json"


@app.command()
def calendar(
    file: File,
    days: Annotated[
        int, typer.Option("--days", min=1, max=366, metavar="N", help="How many days from now.")
    ] = 7,
    tz: Annotated[
        str, typer.Option("--tz", metavar="ZONE", help="IANA timezone the hours are shown in.")
    ] = "UTC",
    output: Annotated[
        CalendarOutput,
        typer.Option(
            "--output", "-o", metavar="text|html|json", help="text heat map, html page, or json counts."
        ),
    ] = CalendarOutput.text,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write to this file instead of stdout.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="TIME", help="Start at this ISO-8601 time (default: now)."),
    ] = None,
    target: Target = None,
    var: Vars = None,
) -> None:
    """A heat map of when every job fires: rows are jobs, columns hours; busiest hours marked."""
    from sharepack.cli.spec_cmds import _local_user
    from sharepack.desired.build import desired_state
    from sharepack.errors import UsageError
    from sharepack.pack import load_pack
    from sharepack.schedule.calendar import fire_counts, render_html, render_text, wrap_words
    from sharepack.schedule.forms import check_timezone

    try:
        check_timezone(tz)
    except ValueError as exc:
        raise UsageError(f"--tz: {exc}") from None
    begin = _start(start, tz)
    pack = load_pack(file, target=target, variables=parse_vars(var), user=_local_user())
    entries: list[CalendarEntry] = []
    unclocked: dict[str, str] = {}
    for job in desired_state(pack).jobs:
        if job.schedule is None:
            continue
        entry, why = _entry(job.name, job.schedule)
        if entry is not None:
            entries.append(entry)
        else:
            unclocked[job.name] = why
    counts = fire_counts(entries, begin, days, tz)
    if output is CalendarOutput.json:
        text = json.dumps(_as_json(counts, unclocked), indent=2) + "\n"
    elif output is CalendarOutput.html:
        text = render_html(counts)
    else:
        # A file has no terminal to fit; stdout is as wide as the console says.
        width = None if out is not None else console.out().width
        notes = [
            line for name, why in unclocked.items() for line in wrap_words(f"{name}: {why}", width, "  ")
        ]
        text = render_text(counts, width) + "".join(f"{line}\n" for line in notes)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {out}")
    else:
        typer.echo(text, nl=False)


def _entry(name: str, schedule: AnySchedule) -> tuple[CalendarEntry | None, str]:
    """The job as a Quartz expression on the clock, or why it has no fixed fire times."""
    from sharepack.schedule.calendar import CalendarEntry
    from sharepack.schedule.forms import (
        ContinuousSchedule,
        CronSchedule,
        EventSchedule,
        IntervalSchedule,
        OneTimeSchedule,
    )
    from sharepack.schedule.interval import parse_interval
    from sharepack.schedule.once import one_time_quartz

    if schedule.paused:
        return None, "paused, not shown"
    if isinstance(schedule, CronSchedule):
        return CalendarEntry(name, schedule.quartz, schedule.timezone), ""
    if isinstance(schedule, OneTimeSchedule):
        return CalendarEntry(name, one_time_quartz(schedule.at, schedule.timezone), schedule.timezone), ""
    if isinstance(schedule, IntervalSchedule):
        interval = parse_interval(schedule.every)
        if interval.quartz is not None:
            return CalendarEntry(name, interval.quartz, "UTC"), ""
        return None, f"{interval.description}: no fixed clock time, not shown"
    if isinstance(schedule, ContinuousSchedule):
        return None, "continuous, not shown"
    assert isinstance(schedule, EventSchedule)
    return None, "runs on events, not shown"


def _start(after: str | None, tz: str) -> datetime:
    from sharepack.errors import UsageError
    from sharepack.schedule.zones import zone

    if after is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(after)
    except ValueError:
        raise UsageError(f"--start {after!r} is not an ISO-8601 time", hint="e.g. 2026-03-01T00:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone(tz))


def _as_json(counts: Any, unclocked: dict[str, str]) -> dict[str, Any]:
    return {
        "start": counts.start.isoformat(),
        "days": counts.days,
        "timezone": counts.tz,
        "jobs": {
            name: {
                "runs": sum(counts.by_hour(name)),
                "by_hour": counts.by_hour(name),
            }
            for name in counts.names
        },
        "busiest_hours": counts.busiest_hours(),
        "not_shown": unclocked,
    }
