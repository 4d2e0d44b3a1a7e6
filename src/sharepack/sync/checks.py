"""What a sync pipeline needs from the workspace, checked at plan time with reads only.

A pipeline that runs sharepack's generated code (or a team's `pipeline_source`) reads its source
table's change data feed and writes a table in its own catalog and schema. Before anything is
written: the source table exists, has its change data feed on (unless it is copied in full) and
has the key columns (compared case-insensitively, as Databricks does); a merge has keys; the
target catalog and schema exist; no two pipelines write one table. Each failure is a problem at
the pipeline's file:line:col with the fix.

Reads are one per distinct table, catalog and schema, in parallel — 1,000 pipelines over 50 source
tables read 50 tables. A workspace whose table API does not answer (no permission; an emulator
with no tables seeded) cannot be checked: the plan says so and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sharepack.errors import SpecProblem
from sharepack.pack.names import api_name
from sharepack.pack.sync_rules import Mode, sync_mode
from sharepack.sync.code import target_table

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.desired.state import DesiredState
    from sharepack.pack import Pack

RESOURCE = "sync_source"  # the desired values' key (not a resource type: nothing is written)
READER = "sync_sources"
CDF = "delta.enableChangeDataFeed"


@dataclass(frozen=True)
class SyncSource:
    name: str  # the pipeline's
    source: str
    keys: tuple[str, ...]
    mode: Mode
    catalog: str
    schema: str
    target: str  # a bare table name
    file: str
    line: int
    col: int


@dataclass(frozen=True)
class TableInfo:
    columns: tuple[str, ...]
    properties: Mapping[str, str]


@dataclass(frozen=True)
class SourcesState:
    checked: bool = False  # False: the table API did not answer, nothing below is known
    reason: str | None = None
    tables: Mapping[str, TableInfo | None] = field(default_factory=dict)  # None: does not exist
    catalogs: Mapping[str, bool] = field(default_factory=dict)
    # By catalog.schema: its properties (where our mark is), or None when it does not exist.
    schemas: Mapping[str, Mapping[str, str] | None] = field(default_factory=dict)


def desired_sources(pack: Pack) -> tuple[SyncSource, ...]:
    """The pipelines whose code sharepack knows reads a change feed: generated or `pipeline_source`."""
    return tuple(
        SyncSource(
            name=p.name,
            source=p.source_asset,
            keys=p.key_columns,
            mode=sync_mode(p),
            catalog=p.catalog,
            schema=p.schema_name,
            target=target_table(p),
            file=str(pack.path),
            line=p.location[0],
            col=p.location[1],
        )
        for p in pack.pipelines
        if not p.libraries
    )


class SourcesReader:
    name = READER

    def read(
        self,
        client: WorkspaceClient,
        desired: DesiredState,
        *,
        complete: bool,
        parallelism: int,
        peers: Mapping[str, WorkspaceClient] | None = None,
        trust_digest: bool = False,
    ) -> SourcesState:
        sources: tuple[SyncSource, ...] = desired.resources_of(RESOURCE)
        tables = sorted({s.source for s in sources})
        if not tables:
            return SourcesState()
        # One table first: a workspace that cannot answer costs one request, not one per table.
        first = _table(client, api_name(tables[0]))
        if isinstance(first, str):
            return SourcesState(reason=first)
        catalogs = sorted({s.catalog for s in sources})
        schemas = sorted({f"{s.catalog}.{s.schema}" for s in sources})
        with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
            # Asked by the names the API takes (no backticks); kept by the names as written.
            rest = dict(
                zip(tables[1:], pool.map(lambda t: _table(client, api_name(t)), tables[1:]), strict=True)
            )
            found_catalogs = dict(
                zip(
                    catalogs,
                    pool.map(lambda c: _exists(client.catalogs.get, api_name(c)), catalogs),
                    strict=True,
                )
            )
            found_schemas = dict(
                zip(schemas, pool.map(lambda s: _schema(client, api_name(s)), schemas), strict=True)
            )
        read = {tables[0]: first, **rest}
        unanswered = next((v for v in read.values() if isinstance(v, str)), None)
        if unanswered is not None:
            return SourcesState(reason=unanswered)
        return SourcesState(
            checked=True,
            tables={k: v for k, v in read.items() if not isinstance(v, str)},
            catalogs=found_catalogs,
            schemas=found_schemas,
        )


def _table(client: WorkspaceClient, name: str) -> TableInfo | str | None:
    """The table, None when it does not exist, or why the workspace could not say."""
    from databricks.sdk.errors import NotFound, NotImplemented, PermissionDenied

    try:
        info = client.tables.get(name)
    except NotFound:
        return None
    except (NotImplemented, PermissionDenied) as exc:
        return str(exc)
    return TableInfo(
        columns=tuple(c.name for c in info.columns or () if c.name),
        properties=dict(info.properties or {}),
    )


def _schema(client: WorkspaceClient, full_name: str) -> Mapping[str, str] | None:
    from databricks.sdk.errors import NotFound

    try:
        return dict(client.schemas.get(full_name).properties or {})
    except NotFound:
        return None


def _exists(get: Any, name: str) -> bool:
    from databricks.sdk.errors import NotFound

    try:
        get(name)
    except NotFound:
        return False
    return True


def sources_state(actual: Any) -> SourcesState:
    state = getattr(actual, "resources", {}).get(READER)
    return state if isinstance(state, SourcesState) else SourcesState()


def sync_problems(
    desired: DesiredState, actual: Any, *, seed: str | None = None
) -> tuple[list[SpecProblem], list[str]]:
    """The problems of the pack's sync pipelines against the workspace, and any warning. `seed`:
    for a local workspace, the command that creates what the pack reads (its hints name it, not
    SQL no one can run against the emulator)."""
    sources: tuple[SyncSource, ...] = desired.resources_of(RESOURCE)
    state = sources_state(actual)
    problems: list[SpecProblem] = []
    writers: dict[str, SyncSource] = {}
    for s in sources:

        def problem(message: str, hint: str, s: SyncSource = s) -> None:
            problems.append(SpecProblem(s.file, s.line, s.col, f"pipeline {s.name}: {message}", hint))

        target = f"{s.catalog}.{s.schema}.{s.target}".lower()
        if target in writers:
            first = writers[target]
            problem(
                f"writes {s.catalog}.{s.schema}.{s.target}, "
                f"as pipeline {first.name} (line {first.line}) does",
                "give one of them another `target_asset` (or catalog/schema)",
            )
        writers.setdefault(target, s)
        # A merge without keys is the loader's to refuse (SCD 2) or to read as a full copy (SCD 1),
        # so `validate` and `plan` cannot disagree on it.
        if state.checked:
            _check_workspace(s, state, problem, seed)
    warnings = []
    if sources and not state.checked and state.reason:
        how = f" (seed them: {seed})" if seed else ""
        warnings.append(f"source tables, catalogs and schemas were not checked: {state.reason}{how}")
    return problems, warnings


def _check_workspace(s: SyncSource, state: SourcesState, problem: Any, seed: str | None) -> None:
    # Locally, a table seeded before has what it had then: a fresh state file and the seed remake it.
    reseed = f"start from a fresh local state (delete .sharepack/local.db), then: {seed}" if seed else None
    table = state.tables.get(s.source)
    if s.source in state.tables and table is None:
        problem(
            f"source table {s.source} does not exist",
            f"create it with what the pack reads: {seed}"
            if seed
            else "check `source_asset` (catalog.schema.table)",
        )
    elif table is not None:
        if s.mode != "full_refresh" and str(table.properties.get(CDF, "")).lower() != "true":
            problem(
                f"source table {s.source} has no change data feed ({CDF} is not true)",
                reseed or f"run: ALTER TABLE {s.source} SET TBLPROPERTIES ({CDF} = true)",
            )
        columns = {c.lower() for c in table.columns}
        missing = [k for k in s.keys if k.lower() not in columns]
        if missing:
            problem(
                f"key column(s) {', '.join(missing)} not in {s.source}",
                f"its columns: {', '.join(table.columns) or '(none)'}" + (f"; or {reseed}" if reseed else ""),
            )
    if state.catalogs.get(s.catalog) is False:
        problem(
            f"catalog {s.catalog} does not exist",
            f"create it with what the pack publishes into: {seed}"
            if seed
            else f"create it (CREATE CATALOG {s.catalog}) or set the pipeline's `catalog`",
        )
    # A missing schema is no problem: it is planned as a create (kinds.schema).
