"""Options shared by every command that reads a SharePack or talks to a workspace."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sharepack.errors import UsageError


class Output(StrEnum):
    text = "text"
    json = "json"


class PlanOutput(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


Files = Annotated[list[Path], typer.Argument(help="SharePack YAML file(s).", show_default=False)]
File = Annotated[Path, typer.Argument(help="SharePack YAML file.", show_default=False)]
Target = Annotated[
    str | None,
    typer.Option(
        "--target", "-t", help="Target from the pack's `targets` (or `local`: the embedded emulator)."
    ),
]
Host = Annotated[
    str | None,
    typer.Option("--host", help="Workspace URL (token from DATABRICKS_TOKEN); `local` for the emulator."),
]
Profile = Annotated[str | None, typer.Option("--profile", "-p", help="Profile in ~/.databrickscfg.")]
Vars = Annotated[list[str] | None, typer.Option("--var", help="Set a variable: name=value (repeatable).")]
OutputOpt = Annotated[Output, typer.Option("--output", "-o", help="text for people, json for machines.")]
Parallelism = Annotated[int, typer.Option("--parallelism", min=1, max=64, help="Writes in flight at once.")]
Select = Annotated[
    list[str] | None, typer.Option("--select", help="Limit to these pipelines (and their jobs) or jobs.")
]


def parse_vars(values: list[str] | None) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {item!r} is not name=value", hint="e.g. --var env=prod")
        parsed[name.strip()] = value
    return parsed
