"""status: how every declared pipeline and job is doing in the workspace."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from sharepack.cli.app import app
from sharepack.cli.options import File, Host, Output, OutputOpt, Profile, Target, Vars, parse_vars
from sharepack.terminal import console
from sharepack.terminal.tables import Column, FitTable

if TYPE_CHECKING:
    from sharepack.ops.status import StatusRow

_COLUMNS = (
    Column("Name"),
    Column("State"),
    Column("Drift"),
    Column("Schedule"),
    Column("Paused"),
    Column("Next fire"),
    Column("Last run"),
    Column("Runs"),
    # Shortened already, and whole in `--output json`: the first to go when short of room.
    Column("IDs", drop=0),
)


@app.command()
def status(
    file: File,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: OutputOpt = Output.text,
) -> None:
    """One row per declared pipeline and job: exists, drift, schedule, next fire, last run, run counts;
    then each declared recipient (activated? token expiry) and share (objects, grants)."""
    from sharepack.cli.sharing_status_view import print_sharing
    from sharepack.ops.context import open_ops
    from sharepack.ops.sharing_status import read_sharing_status
    from sharepack.ops.status import read_status

    # Drift is what status is for: compare every pipeline's settings, not only the digests.
    with open_ops(
        file, target=target, host=host, profile=profile, variables=parse_vars(var), compare=True
    ) as ctx:
        plan = ctx.deployment.plan(actual=ctx.actual)  # one plan, no request: both halves read it
        rows = read_status(ctx, plan=plan)
        sharing = read_sharing_status(ctx, plan)
        pack = ctx.deployment.pack.name
        apply_command = ctx.deployment.command("apply", file)
    if output == Output.json:
        typer.echo(json.dumps([r.to_dict() for r in rows] + sharing.rows(), indent=2))
        return
    if rows or not sharing:
        _print_table(pack, rows, apply_command)
    print_sharing(pack, sharing, apply_command)


def _print_table(pack: str, rows: list[StatusRow], apply_command: str) -> None:
    from rich.text import Text

    from sharepack.ops.runs_read import duration_words

    if not rows:
        console.out().print(f"{pack}: the pack declares no pipelines or jobs", markup=False)
        return
    table = FitTable(_COLUMNS, title=pack, dropped_hint="`--output json` has them")
    for row in rows:
        last = row.last_run
        last_text = "—"
        if last is not None:
            started = f"{last.start.astimezone():%Y-%m-%d %H:%M}" if last.start else "?"
            last_text = f"{last.state} {started} ({duration_words(last.duration_s)})"
        stats = row.run_stats
        table.add_row(
            Text(row.name),
            _state_text(row),
            "—" if row.drift is None else ("yes" if row.drift else "no"),
            Text(row.schedule),
            "—" if row.paused is None else ("paused" if row.paused else "active"),
            Text(_next_text(row.next_fire)),
            last_text,
            f"{stats.total} ({stats.succeeded} ok, {stats.failed} failed)" if stats.total else "0",
            _ids_text(row),
            style="yellow" if row.missing or row.drift else None,
        )
    console.out().print(table)
    for row in rows:
        for note in row.notes:
            console.err().print(f"⚠ {row.name}: {note}", style="yellow", markup=False)
    missing = sum(1 for r in rows if r.missing)
    if missing:
        console.out().print(f"{missing} of {len(rows)} not (fully) deployed; to deploy, run:", style="bold")
        # On a line of its own, never folded, so that it pastes.
        console.out().print(f"  {apply_command}", markup=False, soft_wrap=True)


def _state_text(row: StatusRow) -> str:
    if not row.missing:
        return "exists"
    expected = 1 + (row.job_name is not None and row.kind == "pipeline")
    return "missing" if len(row.missing) == expected else f"{' and '.join(row.missing)} missing"


def _ids_text(row: StatusRow) -> str:
    parts = []
    if row.pipeline_id:
        # The first block of a UUID is enough to tell pipelines apart; --output json has it whole.
        parts.append(f"pipeline {row.pipeline_id[:8]}…")
    if row.job_id is not None:
        parts.append(f"job {row.job_id}")
    return "\n".join(parts) or "—"


def _next_text(next_fire: str | None) -> str:
    if next_fire is None:
        return "—"
    try:
        moment = datetime.fromisoformat(next_fire)
    except ValueError:
        return next_fire  # continuous, on file arrival, ...
    return f"{moment:%Y-%m-%d %H:%M %z}"
