"""history: a job's recent runs, how each was triggered and how it ended."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from sharepack.cli.app import app
from sharepack.cli.options import File, Host, Output, OutputOpt, Profile, Target, Vars, parse_vars
from sharepack.terminal import console
from sharepack.terminal.tables import Column, FitTable

if TYPE_CHECKING:
    from sharepack.ops.history import History

_COLUMNS = (
    Column("Run", one_line=True),
    Column("Trigger"),
    Column("State"),
    Column("Started"),
    Column("Duration"),
    # A URL cut in two cannot be clicked; `--output json` has it whole.
    Column("Run page", one_line=True, drop=0),
)
_STATE_STYLE = {"SUCCESS": "green", "FAILED": "red", "TIMEDOUT": "red", "CANCELED": "yellow"}


@app.command()
def history(
    file: File,
    name: Annotated[str, typer.Argument(help="Pipeline or job name.", metavar="NAME", show_default=False)],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=10_000, metavar="N", help="How many runs to show.")
    ] = 20,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: OutputOpt = Output.text,
) -> None:
    """Recent runs of one job, newest first: trigger (scheduled, manual, backfill, event), state, start,
    duration and the run page."""
    from sharepack.ops.context import open_ops
    from sharepack.ops.history import read_history

    with open_ops(file, target=target, host=host, profile=profile, variables=parse_vars(var)) as ctx:
        found = read_history(ctx, name, limit=limit)
        links = ctx.deployment.workspace.links_outlive_command
    if output == Output.json:
        entries = [e.to_dict() for e in found.entries]
        typer.echo(json.dumps([e if links else {**e, "url": None} for e in entries], indent=2))
        return
    _print_table(found, links=links)


def _print_table(found: History, *, links: bool) -> None:
    from rich.text import Text

    from sharepack.ops.runs_read import duration_words

    if not found.entries:
        console.out().print(f"{found.name} (job {found.job_id}) has not run yet", markup=False)
        return
    # No run page for the embedded emulator: its port is gone when the command ends.
    columns = _COLUMNS if links else _COLUMNS[:-1]
    table = FitTable(
        columns, title=f"{found.name} (job {found.job_id})", dropped_hint="`--output json` has them"
    )
    for entry in found.entries:
        run = entry.run
        cells: list[str | Text] = [
            str(run.run_id),
            entry.trigger,
            Text(run.state, style=_STATE_STYLE.get(run.state, "")),
            run.start_local() or "—",
            duration_words(run.duration_s),
        ]
        if links:
            cells.append(Text(run.url or "—"))
        table.add_row(*cells)
    console.out().print(table)
