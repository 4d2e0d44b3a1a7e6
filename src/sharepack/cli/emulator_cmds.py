"""emulator: run the local Databricks workspace in the foreground."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from sharepack.cli.app import app
from sharepack.errors import UsageError

_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/s)?\s*$")


def _rate(text: str | None) -> float | None:
    if text is None:
        return None
    match = _RATE.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise UsageError(f"--rate-limit {text!r}: expected requests a second, such as 20/s")
    return float(match.group(1))


def _probability(flag: str, value: float) -> float:
    if not 0 <= value <= 1:
        raise UsageError(f"{flag} {value}: expected a probability between 0 and 1, such as 0.2")
    return value


@app.command()
def emulator(
    host: Annotated[
        str, typer.Option("--host", metavar="ADDRESS", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, metavar="PORT", help="Port (0: any free one).")
    ] = 8765,
    state: Annotated[
        str,
        typer.Option(
            "--state",
            metavar="FILE",
            help="SQLite file that keeps the workspace (shared with --target local), or :memory:.",
        ),
    ] = ".sharepack/local.db",
    token: Annotated[
        str, typer.Option("--token", metavar="TOKEN", help="The bearer token clients must send.")
    ] = "dapi-local-emulator",
    latency_ms: Annotated[
        float, typer.Option("--latency-ms", min=0, metavar="MS", help="Added to every request.")
    ] = 0,
    rate_limit: Annotated[
        str | None,
        typer.Option("--rate-limit", metavar="N/s", help="Per-endpoint requests/s, e.g. 20/s."),
    ] = None,
    fault_rate: Annotated[
        float, typer.Option("--fault-rate", metavar="P", help="Share answered 500/503.")
    ] = 0,
    drop_rate: Annotated[
        float,
        typer.Option(
            "--drop-rate", metavar="P", help="Share of writes committed but answered with a failure."
        ),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Replays the same injected faults.")] = 0,
    run_seconds: Annotated[
        float,
        typer.Option(
            "--run-seconds", min=0, metavar="SECONDS", help="How long a run takes from PENDING to TERMINATED."
        ),
    ] = 2.0,
    realistic: Annotated[
        bool,
        typer.Option("--realistic", help="50 ms a request and Databricks' published rate limits."),
    ] = False,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Let --host be an address other machines reach (the workspace is then theirs too).",
        ),
    ] = False,
    seed_tables: Annotated[
        Path | None,
        typer.Option(
            "--seed-tables",
            metavar="FILE",
            help="YAML naming the tables (columns, properties), schemas and catalogs to create first.",
        ),
    ] = None,
    seed_from: Annotated[
        list[Path] | None,
        typer.Option(
            "--seed-from",
            metavar="PACK",
            help="A SharePack (YAML or workbook): create every table it reads (key columns, change "
            "data feed on), the catalogs and schemas it publishes into, its D2D recipients' "
            "metastores. Repeatable; what exists is kept.",
        ),
    ] = None,
    seed_only: Annotated[
        bool,
        typer.Option("--seed-only", help="With --seed-tables or --seed-from: seed the state file and exit."),
    ] = False,
) -> None:
    """Run a local Databricks workspace — Unity Catalog with Delta Sharing (recipients, shares,
    grants), Jobs, Pipelines and Workspace files — on 127.0.0.1 until Ctrl-C."""
    from sharepack.emulator import Emulator, EmulatorConfig, is_loopback

    if not is_loopback(host):
        shown = f"--host {host!r}" + (" (every address)" if host in ("", "0.0.0.0", "::") else "")
        if not allow_remote:
            raise UsageError(
                f"{shown} is not a loopback address: anyone who can reach it gets this workspace, "
                "its admin endpoints and the token printed below",
                hint="leave --host at 127.0.0.1, or add --allow-remote to mean it",
            )
        typer.echo(
            f"WARNING: {shown} serves this emulator to the network: anyone who reaches it with "
            f"the token can read and change the workspace and its fault settings.",
            err=True,
        )
    overrides = {
        "state_path": state,
        "token": token,
        "host": host,
        "port": port,
        "rate_limit_per_s": _rate(rate_limit),
        "fault_rate": _probability("--fault-rate", fault_rate),
        "drop_rate": _probability("--drop-rate", drop_rate),
        "seed": seed,
        "run_duration_s": run_seconds,
        "allow_remote": allow_remote,
    }
    if realistic:
        config = EmulatorConfig.realistic(**overrides)
        if latency_ms:
            config.latency_ms = latency_ms
    else:
        config = EmulatorConfig(latency_ms=latency_ms, **overrides)  # type: ignore[arg-type]
    from sharepack.workspace.local_state import opening_state

    if state != ":memory:":
        Path(state).parent.mkdir(parents=True, exist_ok=True)
    if seed_tables is not None:
        if state == ":memory:":
            raise UsageError("--seed-tables needs a --state file: a memory workspace forgets them")
        from sharepack.ops.seed_tables import seed_tables as seed_listed

        # Through a short-lived emulator on the same state file: the tables go in by the real API.
        with Emulator(EmulatorConfig(state_path=state, token=token)) as seeder:
            made = seed_listed(seeder.url, token, seed_tables)
        typer.echo(f"seeded {made} table(s) from {seed_tables} into {state}")
    if seed_from:
        if state == ":memory:":
            raise UsageError("--seed-from needs a --state file: a memory workspace forgets what it seeds")
        _seed_from_packs(seed_from, state, token)
    if seed_only and not (seed_tables or seed_from):
        raise UsageError("--seed-only seeds and exits: give --seed-from PACK or --seed-tables FILE")
    if seed_only:
        return
    with opening_state(Path(state)):
        server = Emulator(config)
    try:
        server.bind()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint="pick another --port"
        ) from None
    typer.echo(f"sharepack emulator listening on {server.url}  (state: {state})")
    typer.echo("Point sharepack or the Databricks SDK at it:")
    typer.echo(f"  export DATABRICKS_HOST={server.url}")
    typer.echo(f"  export DATABRICKS_TOKEN={token}")
    typer.echo(
        "Admin (same token): GET /admin/requests, GET /admin/stats, POST /admin/config. Ctrl-C stops it."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped")


def _seed_from_packs(packs: list[Path], state: str, token: str) -> None:
    """Every pack is loaded (all problems at once) before anything is created."""
    from databricks.sdk import WorkspaceClient

    from sharepack.emulator import Emulator, EmulatorConfig
    from sharepack.errors import SpecError
    from sharepack.ops.seed_pack import pack_sources, seed_pack
    from sharepack.pack import LOCAL_TARGET, load_pack

    loaded = []
    problems = []
    for path in packs:
        try:
            # As `plan --target local` reads it (a target may set where pipelines publish).
            loaded.append(load_pack(path, target=LOCAL_TARGET, allow_past_one_time=True))
        except SpecError as exc:
            problems += exc.problems
    if problems:
        raise SpecError(problems=problems)
    # Through a short-lived emulator on the same state file: everything goes in by the real API.
    with Emulator(EmulatorConfig(state_path=state, token=token)) as seeder:
        client = WorkspaceClient(host=seeder.url, token=token, auth_type="pat")
        for path, pack in zip(packs, loaded, strict=True):
            report = seed_pack(client, pack_sources(pack), seeder.register_metastore)
            typer.echo(
                f"seeded from {path} into {state}: {len(report.created)} created, "
                f"{len(report.existing)} already there"
            )
            for what in report.created:
                typer.echo(f"  + {what}")
            for what in report.existing:
                typer.echo(f"  = {what} (already there)")
