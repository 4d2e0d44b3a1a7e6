"""The typer application and its global options."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from sharepack import __version__
from sharepack.cli.command import DEBUG_HELP, SharepackTyper

app = SharepackTyper(
    name="sharepack",
    help=(
        "Provision Databricks Delta Sharing (recipients, shares, grants, mounted Unity Catalog catalogs) "
        "and the pipelines and jobs that sync shared tables, from a declarative SharePack YAML."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sharepack {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[
        bool,
        typer.Option("--debug", help=DEBUG_HELP),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Provision Databricks DLT pipelines and the jobs that schedule them from a SharePack YAML."""
    if debug:
        enable_debug()


def enable_debug() -> None:
    """--debug, wherever it is given (before or after the command): log every request."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # The SDK logs request and response bodies at DEBUG; headers (and so tokens) only
    # when debug_headers is set, which sharepack never does.
    logging.getLogger("databricks.sdk").setLevel(logging.DEBUG)
    logging.getLogger("sharepack").setLevel(logging.DEBUG)
    from sharepack.workspace.redaction import install

    install()
