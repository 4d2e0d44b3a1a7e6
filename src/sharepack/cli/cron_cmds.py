"""cron: explain a cron expression (Quartz, 5-field Unix or a preset) and show when it fires."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import islice
from typing import Annotated, Any

import typer

from sharepack.cli.app import app
from sharepack.cli.options import Output, OutputOpt

_KINDS = {"quartz": "Quartz cron", "unix": "5-field Unix cron", "preset": "preset"}


@app.command()
def cron(
    expression: Annotated[
        str,
        typer.Argument(help="Quartz (6-7 fields), 5-field Unix cron, or a preset.", metavar="EXPRESSION"),
    ],
    tz: Annotated[
        str, typer.Option("--tz", metavar="ZONE", help="IANA timezone the schedule runs in.")
    ] = "UTC",
    count: Annotated[
        int, typer.Option("--count", "-n", min=0, max=1000, metavar="N", help="How many next runs.")
    ] = 5,
    after: Annotated[
        str | None,
        typer.Option(
            "--after", metavar="TIME", help="Start from this ISO-8601 time (default: now; no offset: --tz)."
        ),
    ] = None,
    output: OutputOpt = Output.text,
) -> None:
    """Explain a cron expression: its Quartz form, in words, its next runs. Exit 1 if invalid."""
    from sharepack.schedule.cron import CronError, cron_kind, never_fires, never_fires_message, parse
    from sharepack.schedule.describe import describe_quartz
    from sharepack.schedule.dst import dst_warnings
    from sharepack.schedule.quartz_eval import fire_times
    from sharepack.schedule.quartz_parse import with_one_day_field
    from sharepack.schedule.zones import zone

    timezone = _timezone(tz)
    start = _start(after, tz)
    # As a pack reads it: one `*` day field of two means any day, and is sent as `?`.
    relaxed = with_one_day_field(expression)
    relaxed_note = []
    if relaxed:
        relaxed_note.append(
            f"{expression!r} sets both day fields, which Quartz refuses: "
            f"the '*' one means any day, sent as {relaxed!r}"
        )
    try:
        expression_ = parse(relaxed or expression)
    except CronError as exc:
        _invalid(expression, exc, output)
        raise typer.Exit(1) from None
    if never_fires(expression_.text, timezone, start):
        # Quartz accepts it (30 February, a year gone by), `validate` refuses it: so does cron.
        _invalid(expression, CronError(never_fires_message(expression)), output)
        raise typer.Exit(1)
    runs = list(islice(fire_times(expression_, zone(timezone), start), count))
    result: dict[str, Any] = {
        "input": expression,
        "kind": cron_kind(expression),
        "quartz": expression_.text,
        "valid": True,
        "timezone": timezone,
        "description": describe_quartz(expression_.text),
        "next": [run.isoformat(timespec="seconds") for run in runs],
        "warnings": [*relaxed_note, *dst_warnings(expression_, timezone, start)],
    }
    if output == Output.json:
        typer.echo(json.dumps(result, indent=2))
        return
    _print_text(result)


def _timezone(name: str) -> str:
    from sharepack.errors import UsageError
    from sharepack.schedule.forms import check_timezone

    try:
        return check_timezone(name)
    except ValueError as exc:
        raise UsageError(
            str(exc), "see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones"
        ) from None


def _start(after: str | None, tz: str) -> datetime:
    from sharepack.errors import UsageError
    from sharepack.schedule.zones import zone

    if after is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(after)
    except ValueError:
        raise UsageError(
            f"--after {after!r} is not an ISO-8601 time", "e.g. 2026-03-08T00:00:00-05:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone(tz))


def _invalid(expression: str, exc: Any, output: Output) -> None:
    from sharepack.terminal.console import print_lines

    if output == Output.json:
        typer.echo(
            json.dumps(
                {
                    "input": expression,
                    "quartz": None,
                    "valid": False,
                    "error": exc.message,
                    "field": exc.field,
                    "position": exc.position,
                    "description": None,
                    "next": [],
                },
                indent=2,
            )
        )
        return
    lines = [("bold red", f"error: {exc.message}")]
    if exc.position is not None and 0 < exc.position <= len(expression) + 1:
        lines += [("", f"  {expression}"), ("red", "  " + " " * (exc.position - 1) + "^")]
    print_lines(lines, to_stderr=True)


def _print_text(result: dict[str, Any]) -> None:
    from sharepack.terminal.console import print_lines

    kind = _KINDS[result["kind"]]
    lines = [
        ("bold", f"{result['description']}"),
        ("", f"  written as  {result['input']}  ({kind})"),
        ("", f"  quartz      {result['quartz']}"),
        ("", f"  timezone    {result['timezone']}"),
    ]
    if result["next"]:
        lines.append(("", "  next runs   " + result["next"][0]))
        lines += [("", "              " + run) for run in result["next"][1:]]
    lines += [("yellow", f"  warning: {warning}") for warning in result["warnings"]]
    print_lines(lines)
