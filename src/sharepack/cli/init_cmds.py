"""init: a starter pack and the tables it syncs, to try sharepack on the local emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sharepack.cli.app import app
from sharepack.errors import UsageError
from sharepack.terminal import console

# Package data (src/sharepack/starter): the wheel carries it, so a pip install has it too.
STARTER_FILES = ("seed_example.yaml", "tables/seed_example.yaml")
SCHEMA_FILE = "sharepack.schema.json"


@app.command()
def init(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Where to write the starter pack (created if missing).",
            show_default="the current folder",
            metavar="[DIR]",
        ),
    ] = Path("."),
) -> None:
    """Write a starter SharePack, the tables it syncs and the JSON Schema for editors."""
    from importlib.resources import files

    from sharepack.pack.schema import pack_json_schema_text

    starter = files("sharepack") / "starter"
    contents = {name: (starter / name).read_text(encoding="utf-8") for name in STARTER_FILES}
    contents[SCHEMA_FILE] = pack_json_schema_text()
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file, not a folder")
    taken = [name for name in contents if (directory / name).exists()]
    if taken:
        raise UsageError(
            f"{', '.join(str(directory / n) for n in taken)} already exist(s); nothing was written",
            hint="choose an empty folder: sharepack init DIR",
        )
    for name, text in contents.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    pack, tables = (directory / n for n in STARTER_FILES)
    console.out().print(
        f"Wrote {pack}, {tables} and {directory / SCHEMA_FILE}. Try it on the local emulator:\n"
        f"  sharepack emulator --seed-tables {tables} --seed-only\n"
        f"  sharepack apply {pack} --target local --auto-approve\n"
        f"  sharepack plan {pack} --target local --detailed-exitcode",
        markup=False,
        soft_wrap=True,
    )
