"""validate and schema: check SharePack files, and print the JSON Schema editors use."""

from __future__ import annotations

import typer

from sharepack.cli.app import app
from sharepack.cli.options import Files, Target, Vars, parse_vars


@app.command()
def validate(files: Files, target: Target = None, var: Vars = None) -> None:
    """Check SharePack files: every problem at once, as file:line:col. Exit 1 if any."""
    from sharepack.errors import SpecError, SpecProblem
    from sharepack.pack import Pack, duplicate_pack_names, load_pack

    variables = parse_vars(var)
    problems: list[SpecProblem] = []
    packs: list[Pack] = []
    for path in files:
        try:
            pack = load_pack(path, target=target, variables=variables, user=_local_user())
        except SpecError as exc:
            problems += exc.problems
            continue
        packs.append(pack)
        for notice in pack.notices:  # accepted, but there is a better way to write it
            typer.echo(f"note: {notice}", err=True)
        pipelines = len(pack.pipelines)
        jobs = sum(1 for p in pack.pipelines if p.schedule is not None) + len(pack.jobs)
        where = f" (target {pack.target.name})" if pack.target else ""
        typer.echo(
            f"OK {path}: pack {pack.name}, {pipelines} pipeline{'s' if pipelines != 1 else ''}, "
            f"{jobs} job{'s' if jobs != 1 else ''}{where}"
        )
    problems += duplicate_pack_names(packs)
    if problems:
        raise SpecError(problems=problems)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a SharePack (for editors: yaml-language-server, VS Code)."""
    from sharepack.pack.schema import pack_json_schema_text

    typer.echo(pack_json_schema_text(), nl=False)


def _local_user() -> str:
    """The short name development targets prefix names with; offline, the login name stands in."""
    import getpass

    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        return "user"
    return "".join(c if c.isalnum() else "_" for c in login.split("@", 1)[0]).lower() or "user"
