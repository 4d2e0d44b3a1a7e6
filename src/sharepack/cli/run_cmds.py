"""run: start a pack's schedule jobs (or job-less pipelines) now, optionally waiting for them."""

from __future__ import annotations

import json
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sharepack.cli.app import app
from sharepack.cli.options import File, Host, Output, OutputOpt, Profile, Target, Vars, parse_vars
from sharepack.errors import Interrupted
from sharepack.terminal import console

if TYPE_CHECKING:
    from pathlib import Path

    from sharepack.flow.deployment import Deployment
    from sharepack.ops.run import Started


def _what(run: Started) -> str:
    return f"run {run.run_id}" if run.run_id is not None else f"update {run.update_id}"


class LiveRuns:
    """A line per start and end, and while waiting on a terminal a spinner per run with its state."""

    def __init__(self, *, quiet: bool, live: bool, links: bool = True) -> None:
        self.quiet = quiet
        self.links = links
        self.live = live and not quiet and console.out().is_terminal
        self._progress: Any = None
        self._tasks: dict[int, Any] = {}
        self.runs: list[Started] = []  # every run started, so Ctrl-C can say which go on

    def __enter__(self) -> LiveRuns:
        if self.live:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console.out(),
                transient=True,  # the ✓/✗ lines stay; the spinners are only for while it runs
            )
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _show(self, run: Started) -> None:
        if self._progress is None:
            return
        label = run.state.label if run.state else "PENDING"
        description = f"{run.target.name}  {label}"
        key = id(run)
        if key not in self._tasks:
            self._tasks[key] = self._progress.add_task(description, total=1)
        done = run.state is not None and run.state.terminal
        self._progress.update(self._tasks[key], description=description, completed=1 if done else 0)

    def started(self, run: Started) -> None:
        self.runs.append(run)
        if self.quiet:
            return
        console.out().print(f"▶ Started {run.target.name}: {_what(run)}{self._link(run)}", markup=False)
        self._show(run)

    def changed(self, run: Started) -> None:
        if self.quiet:
            return
        self._show(run)
        state = run.state
        if state is None or not state.terminal:
            return
        if state.succeeded:
            console.out().print(f"✓ {run.target.name} succeeded ({_what(run)})", style="green", markup=False)
        else:
            reason = f": {state.message}" if state.message else ""
            console.err().print(
                f"✗ {run.target.name} {state.label} ({_what(run)}){reason}{self._link(run)}",
                style="red",
                markup=False,
            )

    def _link(self, run: Started) -> str:
        return f" — {run.url}" if self.links and run.url else ""

    def skipped(self, run: Started) -> None:
        if not self.quiet:
            console.err().print(
                f"· {run.target.name} not started: an earlier run failed", style="yellow", markup=False
            )


@app.command()
def run(
    file: File,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Pipelines or jobs to start (default: every declared job).",
            metavar="NAME...",
            show_default=False,
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Show progress until every run ends; exit 1 if one fails.")
    ] = False,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Recompute the pipelines' tables from scratch.")
    ] = False,
    in_order: Annotated[
        bool,
        typer.Option(
            "--in-order", help="One after another, each after the previous succeeded; stop at a failure."
        ),
    ] = False,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: OutputOpt = Output.text,
) -> None:
    """Start the schedule jobs now (a pipeline without a job: its update), as the Run now button does."""
    from sharepack.ops.context import open_ops
    from sharepack.ops.run import run_targets, targets_for

    json_output = output == Output.json
    with open_ops(file, target=target, host=host, profile=profile, variables=parse_vars(var)) as ctx:
        targets = targets_for(ctx, names or [])
        links = ctx.deployment.workspace.links_outlive_command
        watcher = LiveRuns(quiet=json_output, live=wait or in_order, links=links)
        try:
            with watcher:
                runs = run_targets(
                    ctx.client,
                    ctx.host,
                    targets,
                    watcher,
                    full_refresh=full_refresh,
                    wait=wait,
                    in_order=in_order,
                )
        except KeyboardInterrupt:
            raise still_running(ctx.deployment, file, watcher.runs) from None
    waited = wait or in_order
    failed = [r for r in runs if r.failed or not r.started]
    if json_output:
        found = [r.to_json() for r in runs]
        if not links:
            found = [{**r, "url": None} for r in found]
        typer.echo(json.dumps({"runs": found}, indent=2))
    elif waited:
        ok = sum(1 for r in runs if r.state is not None and r.state.succeeded)
        skipped = sum(1 for r in runs if not r.started)
        summary = f"{ok} succeeded, {len(runs) - ok - skipped} failed"
        if skipped:
            summary += f", {skipped} not started"
        console.out().print(summary, style="bold", markup=False)
    if waited and failed:
        raise typer.Exit(1)


def still_running(deployment: Deployment, file: Path, runs: list[Started]) -> Interrupted:
    """Ctrl-C while waiting stops the waiting, not the runs: say which go on and how to follow them."""
    going = [r for r in runs if r.started and not (r.state is not None and r.state.terminal)]
    if not going:
        return Interrupted("stopped waiting; every run it started had already ended")
    names = ", ".join(f"{r.target.name} ({_what(r)})" for r in going)
    plural = "runs keep" if len(going) > 1 else "run keeps"
    follow = [deployment.command("status", file)]
    follow += [deployment.command("history", file, r.target.name) for r in going if r.run_id is not None]
    return Interrupted(
        f"{len(going)} {plural} going in the workspace: {names}",
        hint="follow them with:\n" + "\n".join(f"  {line}" for line in follow),
    )
