"""convert: a share-pack workbook to YAML (to review in git), or YAML to a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sharepack.cli.app import app


@app.command()
def convert(
    source: Annotated[
        Path,
        typer.Argument(help="A SharePack workbook (.xlsx) or YAML file.", metavar="FILE", show_default=False),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="FILE", help="Where to write: .yaml for a workbook, .xlsx for YAML."
        ),
    ],
) -> None:
    """Convert a SharePack between an Excel workbook and YAML (both plan the same)."""
    from sharepack.pack.convert import convert as run

    run(source, out)
    typer.echo(f"Wrote {out}")
