"""Seed a local workspace with what a pack reads and publishes into, so it plans and applies there.

A pack's sources are what it reads: the tables its pipelines sync (with their key columns and the
change data feed on) and the tables and schemas its shares hold. It publishes into catalogs and
schemas, and its D2D recipients name metastores. `sharepack emulator --seed-from PACK` makes each
of these that is missing, through the emulator's own API, and says what it made and what was
there already: seeding twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from sharepack.sync.checks import CDF

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.pack import Pack

# A table no pipeline names keys for still needs a column to be a table.
FILLER_COLUMN = "value"


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)  # "catalog main", "table main.s.t", ...
    existing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PackSources:
    """What a pack needs to find in the workspace: tables (with columns), schemas, catalogs,
    and the metastores its D2D recipients name."""

    tables: dict[str, tuple[str, ...]]  # catalog.schema.table -> columns
    schemas: tuple[str, ...]  # catalog.schema
    catalogs: tuple[str, ...]
    metastores: tuple[str, ...]  # <cloud>:<region>:<uuid>


def pack_sources(pack: Pack) -> PackSources:
    tables: dict[str, list[str]] = {}
    schemas: list[str] = []
    for pipeline in pack.pipelines:
        if pipeline.libraries:
            continue  # the team's own code: what it reads is not known
        columns = tables.setdefault(_plain(pipeline.source_asset), [])
        columns += [k for k in pipeline.key_columns if k.lower() not in {c.lower() for c in columns}]
        schemas.append(f"{pipeline.catalog}.{pipeline.schema_name}")
    for share in pack.shares:
        for asset in share.assets:
            name = _plain(asset.name)
            if asset.type == "SCHEMA":
                schemas.append(name)
            elif asset.type == "TABLE" and name.count(".") == 2:
                tables.setdefault(name, [])
    for name in tables:
        schemas.append(name.rsplit(".", 1)[0])
    catalogs = [schema.split(".")[0] for schema in schemas]
    metastores = [
        r.databricks_org for r in pack.recipients if r.type == "D2D" and r.databricks_org is not None
    ]
    return PackSources(
        tables={name: tuple(columns or [FILLER_COLUMN]) for name, columns in sorted(tables.items())},
        schemas=tuple(dict.fromkeys(schemas)),
        catalogs=tuple(dict.fromkeys(catalogs)),
        metastores=tuple(dict.fromkeys(metastores)),
    )


def seed_pack(
    client: WorkspaceClient, sources: PackSources, register_metastore: Callable[[str], bool]
) -> SeedReport:
    """Create what is missing, in order (catalogs, schemas, tables, metastores)."""
    report = SeedReport()

    def made(what: str, create: Callable[[], Any]) -> None:
        (report.created if _created(create) else report.existing).append(what)

    for catalog in sources.catalogs:
        made(f"catalog {catalog}", partial(client.catalogs.create, catalog))
    for schema in sources.schemas:
        catalog, name = schema.split(".")
        made(f"schema {schema}", partial(client.schemas.create, name, catalog))
    for table, columns in sources.tables.items():
        catalog, schema, name = table.split(".")
        body = {
            "name": name,
            "catalog_name": catalog,
            "schema_name": schema,
            "columns": [{"name": c, "type_name": "STRING"} for c in columns],
            "properties": {CDF: "true"},
        }
        made(
            f"table {table} ({', '.join(columns)}; change data feed on)",
            partial(client.api_client.do, "POST", "/api/2.1/unity-catalog/tables", body=body),
        )
    for metastore in sources.metastores:
        (report.created if register_metastore(metastore) else report.existing).append(
            f"metastore {metastore}"
        )
    return report


def _plain(name: str) -> str:
    """A dotted name as the API takes it: backticks off each part."""
    return ".".join(part.strip("`").replace("``", "`") for part in name.split("."))


def _created(create: Callable[[], Any]) -> bool:
    """False when it was already there, told by the error code Unity Catalog sends (its "already
    exists" answers are 400s with CATALOG_ALREADY_EXISTS and the like, not 409s)."""
    from databricks.sdk.errors.base import DatabricksError

    from sharepack.workspace.write import already_exists

    try:
        create()
    except DatabricksError as exc:
        if already_exists(exc):
            return False
        raise
    return True
