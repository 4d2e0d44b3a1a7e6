"""export: write a SharePack that declares what a workspace already holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sharepack.cli.app import app
from sharepack.cli.options import Host, Output, OutputOpt, Profile, Target
from sharepack.errors import UsageError
from sharepack.terminal import console


@app.command()
def export(
    name_like: Annotated[
        str | None,
        typer.Option(
            "--name-like",
            metavar="PATTERN",
            help="Only pipelines (and shares) whose name matches this LIKE pattern (% and _); "
            "shares they publish into are written whole, with the recipients granted them.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write the YAML to this file (default: standard output)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    pack_name: Annotated[
        str | None,
        typer.Option(
            "--pack-name", metavar="NAME", help="metadata.name (default: the pack that made the pipelines)."
        ),
    ] = None,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    output: OutputOpt = Output.text,
) -> None:
    """Write a SharePack declaring the workspace's pipelines, their jobs, shares and recipients."""
    from sharepack.ops.export import export_workspace
    from sharepack.workspace.connect import LOCAL, choose_target, connect

    if target is not None and target != LOCAL:
        raise UsageError(
            f"export reads no pack, so --target {target} means nothing here",
            hint="use --host or --profile for a workspace, or --target local for the emulator",
        )
    if out is not None and out.exists() and not force:
        raise UsageError(
            f"{out} already exists", hint="pass --force to overwrite it, or choose another --out"
        )
    if pack_name is not None and not pack_name.strip():
        raise UsageError("--pack-name is empty", hint="e.g. --pack-name sales")
    chosen = choose_target(flag_host=host, flag_profile=profile, target_name=target)
    with connect(chosen) as workspace:
        result = export_workspace(
            workspace.client, source=workspace.label, name_like=name_like, pack_name=pack_name
        )
    if out is not None:
        out.write_text(result.text, encoding="utf-8")
    summary = (
        f"Exported {len(result.pipelines)} pipeline(s) and {len(result.jobs)} job(s) as pack "
        f"{result.pack_name}"
        + (
            f", with {len(result.shares)} share(s) and {len(result.recipients)} recipient(s)"
            if result.shares or result.recipients
            else ""
        )
        + (f" to {out}" if out else "")
        + "."
    )
    if output == Output.json:
        payload = {**result.as_dict(), "file": str(out) if out else None}
        if out is None:
            payload["yaml"] = result.text
        typer.echo(json.dumps(payload, indent=2))
        return
    if out is None:
        typer.echo(result.text, nl=False)
    for warning in result.warnings:
        console.err().print(f"warning: {warning}", style="yellow", markup=False)
    for note in result.notes:
        console.err().print(f"not exported: {note}", style="yellow", markup=False)
    console.err().print(summary, style="bold", markup=False)
    if out is not None:
        from sharepack.flow.suggest import command, selection_flags

        flags = selection_flags(target=target, host=host, profile=profile)
        console.err().print(f"Check it: {command('plan', out, flags=flags)}", markup=False)
