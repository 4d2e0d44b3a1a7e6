"""backfill: one run of a job per logical date, resumable after an interruption."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sharepack.cli.app import app
from sharepack.cli.options import File, Host, Output, OutputOpt, Profile, Target, Vars, parse_vars
from sharepack.errors import Interrupted, SharepackError, UsageError
from sharepack.terminal import console

if TYPE_CHECKING:
    from sharepack.ops.backfill import BackfillRecord, DateEntry
    from sharepack.ops.context import OpsContext


def _dates_from_flags(start: str | None, end: str | None, every: str) -> list[str]:
    from sharepack.ops.backfill import logical_dates, needs_time, parse_every, parse_when

    if start is None or end is None:
        raise UsageError("backfill needs --from and --to", hint="e.g. --from 2024-01-01 --to 2024-01-31")
    step = parse_every(every)
    first, last = parse_when("--from", start), parse_when("--to", end)
    return logical_dates(first, last, step, with_time=needs_time(first, last, step))


def _job_of(ctx: OpsContext, name: str, *, must_exist: bool) -> tuple[str, int | None]:
    named = ctx.resolve([name])[0]
    ctx.refuse_unowned([named])
    if named.job is None:
        raise UsageError(
            f"{name} has no schedule job of its own to backfill: only jobs pass the run_date parameter",
            hint=ctx.no_job_hint(name),
        )
    if named.actual_job is None and must_exist:
        raise SharepackError(
            f"job {named.job.name} is not in the workspace yet",
            hint=f"create it first with `{ctx.deployment.command('apply', ctx.deployment.pack.path)}`",
        )
    return named.job.name, named.actual_job.job_id if named.actual_job else None


class BackfillProgress:
    """A progress bar on a terminal; failed dates as lines either way."""

    def __init__(self, record: BackfillRecord, *, quiet: bool) -> None:
        self.quiet = quiet
        self.done = sum(1 for e in record.dates.values() if e.state == "succeeded")
        self.total = len(record.dates)
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> BackfillProgress:
        if not self.quiet and console.out().is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("backfill"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console.out(),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("backfill", total=self.total, completed=self.done)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def changed(self, day: str, entry: DateEntry) -> None:
        if entry.state not in ("succeeded", "failed"):
            return
        if self._progress is not None:
            self._progress.advance(self._task)
        if entry.state == "failed" and not self.quiet:
            console.err().print(f"✗ {day}: run {entry.run_id} failed", style="red", markup=False)


@app.command()
def backfill(
    file: File,
    name: Annotated[
        str, typer.Argument(help="The pipeline or job to backfill.", metavar="NAME", show_default=False)
    ],
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="First logical date, YYYY-MM-DD (or YYYY-MM-DDTHH:MM)."),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Last logical date, included.")
    ] = None,
    every: Annotated[
        str, typer.Option("--every", metavar="STEP", help="Step between dates: Nd, Nw or Nh.")
    ] = "1d",
    max_parallel: Annotated[
        int, typer.Option("--max-parallel", min=1, max=100, metavar="N", help="Runs in flight at once.")
    ] = 5,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the dates and start nothing.")] = False,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume", metavar="ID", help="Finish an interrupted backfill: its ID.", show_default=False
        ),
    ] = None,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: OutputOpt = Output.text,
) -> None:
    """Run a job once per logical date, passing the date as its `run_date` parameter."""
    from sharepack.ops.backfill import BACKFILLS_DIR, load_record, new_record, run_backfill
    from sharepack.ops.context import open_ops

    json_output = output == Output.json
    record: BackfillRecord | None = None
    if resume is not None:
        if start is not None or end is not None:
            raise UsageError("--resume takes its dates from the saved backfill", hint="drop --from and --to")
        record = load_record(resume, BACKFILLS_DIR)
        dates = [d for d, e in record.dates.items() if e.state != "succeeded"]
    else:
        dates = _dates_from_flags(start, end, every)
    with open_ops(file, target=target, host=host, profile=profile, variables=parse_vars(var)) as ctx:
        job, job_id = _job_of(ctx, name, must_exist=not dry_run)
        if record is not None:
            _check_same_job(record, job, job_id)
        if dry_run:
            _print_dry_run(job, dates, json_output=json_output)
            return
        assert job_id is not None
        if record is None:
            record = new_record(ctx.deployment.pack.name, job, job_id, dates, BACKFILLS_DIR)
            record.save()
        resume_command = ctx.deployment.command("backfill", file, name, "--resume", record.id)
        if not json_output:
            _print_header(record, resume_command, len(dates), max_parallel)
        try:
            with BackfillProgress(record, quiet=json_output) as progress:
                run_backfill(ctx.client, record, max_parallel=max_parallel, on_change=progress.changed)
        except KeyboardInterrupt:
            raise Interrupted(f"progress is saved; finish with `{resume_command}`") from None
    counts = record.counts()
    if json_output:
        typer.echo(json.dumps({**record.to_json(), "record": str(record.path), **counts}, indent=2))
    else:
        style = "bold red" if counts["failed"] else "bold"
        console.out().print(
            f"{counts['succeeded']} succeeded, {counts['failed']} failed (of {len(record.dates)})",
            style=style,
            markup=False,
        )
        if counts["failed"]:
            console.err().print(
                f"hint: fix the job, then re-run only the failed dates with `{resume_command}`",
                markup=False,
            )
    if counts["failed"]:
        raise typer.Exit(1)


def _check_same_job(record: BackfillRecord, job: str, job_id: int | None) -> None:
    if record.job != job:
        raise UsageError(
            f"backfill {record.id} ran job {record.job}, not {job}",
            hint=f"resume it with NAME {record.job}",
        )
    if job_id is not None and job_id != record.job_id:
        raise SharepackError(
            f"job {job} is now job {job_id}, but backfill {record.id} ran job {record.job_id}",
            hint="the job was re-created: start a new backfill for the dates still missing",
        )


def _print_dry_run(job: str, dates: list[str], *, json_output: bool) -> None:
    if json_output:
        typer.echo(json.dumps({"job": job, "dry_run": True, "count": len(dates), "dates": dates}, indent=2))
        return
    console.out().print(f"Would start {len(dates)} runs of {job} (nothing sent):", markup=False)
    for day in dates:
        console.out().print(f"  run_date={day}", markup=False)


def _print_header(record: BackfillRecord, resume_command: str, count: int, max_parallel: int) -> None:
    first, last = (min(record.dates), max(record.dates)) if record.dates else ("", "")
    console.out().print(
        f"Backfill {record.id}: {count} runs of {record.job} ({first} … {last}), "
        f"at most {max_parallel} at once",
        style="bold",
        markup=False,
    )
    console.out().print(
        f"  progress saved in {record.path}; if interrupted: {resume_command}",
        markup=False,
    )
