"""doctor: is everything in place to talk to the workspace, and if not, what to do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sharepack.cli.app import app
from sharepack.cli.options import Host, Output, OutputOpt, Profile, Target, Vars, parse_vars
from sharepack.terminal import console
from sharepack.terminal.tables import Column, FitTable

if TYPE_CHECKING:
    from sharepack.ops.doctor import Report

_COLUMNS = (Column("check"), Column("status", one_line=True), Column("detail"))
_STYLES = {"OK": "green", "FAIL": "bold red", "SKIP": "dim", "INFO": "cyan"}


@app.command()
def doctor(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="SharePack YAML (optional): check the workspace it deploys to.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: OutputOpt = Output.text,
) -> None:
    """Check auth, host, token, permissions, SDK version and local emulator state; exit 1 if any fails."""
    from sharepack.ops.doctor import run_checks
    from sharepack.workspace.connect import choose_target

    if file is not None:
        from sharepack.flow.deployment import Selection, load, workspace_target

        selection = Selection(target=target, host=host, profile=profile, variables=parse_vars(var))
        chosen = workspace_target(load(file, selection), selection)
    else:
        chosen = choose_target(flag_host=host, flag_profile=profile, target_name=target)
    report = run_checks(chosen)
    if file is not None and report.ok:
        # The pack's sync pipelines and their code, checked as `plan` checks them (reads only).
        from sharepack.flow.deployment import open_deployment
        from sharepack.ops.doctor_sync import code_checks, sync_checks

        deployment = open_deployment(file, selection)
        try:
            report.checks.extend(sync_checks(deployment))
            report.checks.extend(code_checks(deployment))
        finally:
            deployment.close()
    if output == Output.json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print_table(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_table(report: Report) -> None:
    from rich.text import Text

    table = FitTable(_COLUMNS)
    for check in report.checks:
        status = check.status.value
        detail = check.detail + (f"\nfix: {check.hint}" if check.hint and status in ("FAIL", "INFO") else "")
        table.add_row(check.name, Text(status, style=_STYLES[status]), detail)
    console.out().print(table)
    failed = [c.name for c in report.checks if c.status.value == "FAIL"]
    if failed:
        console.out().print(
            f"{len(failed)} check(s) failed: {', '.join(failed)}", style="bold red", markup=False
        )
    else:
        console.out().print("All checks passed.", style="bold green", markup=False)
