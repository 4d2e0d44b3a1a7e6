"""render: print the DLT source sharepack generates for a pack's pipelines (for review in a PR)."""

from __future__ import annotations

from typing import Annotated

import typer

from sharepack.cli.app import app
from sharepack.cli.options import File, Target, Vars, parse_vars


@app.command()
def render(
    file: File,
    name: Annotated[
        str | None,
        typer.Argument(help="A pipeline's name (final, with the target's prefix); default: every one."),
    ] = None,
    target: Target = None,
    var: Vars = None,
) -> None:
    """Print the generated source of the pack's pipelines, exactly as it is uploaded."""
    from sharepack.cli.spec_cmds import _local_user
    from sharepack.errors import UsageError, did_you_mean
    from sharepack.pack import load_pack
    from sharepack.sync.code import file_path, generated_sources, root_of

    pack = load_pack(file, target=target, variables=parse_vars(var), user=_local_user())
    sources = generated_sources(pack)
    if name is not None:
        if name not in sources:
            declared = [p.name for p in pack.pipelines]
            reason = "brings its own code (libraries)" if name in declared else "is not declared"
            raise UsageError(
                f"pipeline {name} {reason}: nothing is generated for it",
                hint=did_you_mean(name, sorted(sources))
                or f"generated: {', '.join(sorted(sources)) or 'none'}",
            )
        sources = {name: sources[name]}
    for index, (pipeline, source) in enumerate(sources.items()):
        if len(sources) > 1:
            # Between files, a line saying where the next one is uploaded; one file prints bare.
            typer.echo(("\n" if index else "") + f"# ---- {file_path(pack.name, pipeline, root_of(pack))}")
        typer.echo(source, nl=False)
