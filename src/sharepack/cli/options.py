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


Files = Annotated[
    list[Path], typer.Argument(help="SharePack YAML file(s).", metavar="FILE...", show_default=False)
]
File = Annotated[Path, typer.Argument(help="SharePack YAML file.", metavar="FILE", show_default=False)]
Target = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        metavar="NAME",
        help="Target from the pack's `targets` (or `local`: the embedded emulator).",
    ),
]
Host = Annotated[
    str | None,
    typer.Option(
        "--host",
        metavar="URL",
        help="Workspace URL (token from DATABRICKS_TOKEN); `local` for the emulator.",
    ),
]
Profile = Annotated[
    str | None, typer.Option("--profile", "-p", metavar="NAME", help="Profile in ~/.databrickscfg.")
]
Vars = Annotated[
    list[str] | None,
    typer.Option(
        "--var",
        metavar="KEY=VALUE",
        help="Set a variable. Repeat it for each variable: --var env=prod --var region=eu.",
    ),
]
OutputOpt = Annotated[
    Output, typer.Option("--output", "-o", metavar="text|json", help="text for people, json for machines.")
]
Parallelism = Annotated[
    int, typer.Option("--parallelism", min=1, max=64, metavar="N", help="Writes in flight at once.")
]
Select = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        metavar="NAME",
        help="Limit to this pipeline (and its jobs) or job. Repeat it for more: --select a --select b.",
    ),
]


def parse_vars(values: list[str] | None) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {item!r} is not name=value", hint="e.g. --var env=prod")
        parsed[name.strip()] = value
    return parsed
