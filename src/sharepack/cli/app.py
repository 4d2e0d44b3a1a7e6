"""The typer application and the one place where errors become messages and exit codes."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sharepack",
    help="Provision Databricks DLT pipelines and the jobs that schedule them from a SharePack YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
