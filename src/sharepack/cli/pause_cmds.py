"""pause and resume: stop a pack's schedules from firing, and let them fire again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sharepack.cli.app import app
from sharepack.cli.options import File, Host, Output, OutputOpt, Profile, Target, Vars, parse_vars
from sharepack.terminal import console

Names = Annotated[
    list[str] | None,
    typer.Argument(
        help="Pipelines or jobs (default: every job the pack declares).",
        metavar="NAME...",
        show_default=False,
    ),
]


@app.command()
def pause(
    file: File,
    names: Names = None,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: OutputOpt = Output.text,
) -> None:
    """Pause the schedules of a pack's jobs (only pause_status changes; `plan` then shows the drift)."""
    _run(file, names, target, host, profile, var, output, paused=True)


@app.command()
def resume(
    file: File,
    names: Names = None,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: OutputOpt = Output.text,
) -> None:
    """Resume paused schedules of a pack's jobs."""
    _run(file, names, target, host, profile, var, output, paused=False)


def _run(
    file: Path,
    names: list[str] | None,
    target: str | None,
    host: str | None,
    profile: str | None,
    var: list[str] | None,
    output: Output,
    *,
    paused: bool,
) -> None:
    from sharepack.ops.context import open_ops
    from sharepack.ops.pause import set_paused

    with open_ops(file, target=target, host=host, profile=profile, variables=parse_vars(var)) as ctx:
        results = set_paused(ctx, names or [], paused=paused)
        plan_command = ctx.deployment.command("plan", file)
    if output == Output.json:
        typer.echo(json.dumps({"jobs": [r.as_dict() for r in results]}, indent=2))
        return
    styles = {"paused": "yellow", "resumed": "green"}
    lines = [(styles.get(r.outcome, ""), f"{r.job} (job {r.job_id}): {_words(r.outcome)}") for r in results]
    console.print_lines(lines)
    changed = sum(r.changed for r in results)
    verb = "paused" if paused else "resumed"
    summary = f"{changed} job{'s' if changed != 1 else ''} {verb}, {len(results) - changed} unchanged."
    if paused and changed:
        summary += f" `{plan_command}` shows them as differing from the pack until you resume them."
    console.out().print(summary, style="bold", markup=False)


def _words(outcome: str) -> str:
    return {
        "already paused": "already paused, nothing sent",
        "already active": "already active, nothing sent",
        "no schedule": "has no schedule or trigger to pause, nothing sent",
    }.get(outcome, outcome)
