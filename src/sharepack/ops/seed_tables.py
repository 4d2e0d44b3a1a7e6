"""Seed an emulator's Unity Catalog with the tables a pack syncs, through its own HTTP API.

The file (YAML or JSON) names catalogs, schemas and tables; a table's catalog and schema are made
when missing, so a list of tables is enough:

    tables:
      - name: main.sales.orders
        columns: [order_id, amount]
        properties: {delta.enableChangeDataFeed: "true"}
    schemas: [analytics.shared]      # targets the pipelines write to
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def seed_tables(url: str, token: str, path: Path) -> int:
    """Create what the file names (what exists already is kept); the number of tables made."""
    from databricks.sdk import WorkspaceClient

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    client = WorkspaceClient(host=url, token=token, auth_type="pat")
    tables: list[dict[str, Any]] = list(data.get("tables") or [])
    catalogs = [str(c) for c in data.get("catalogs") or []]
    schemas = [str(s) for s in data.get("schemas") or []]
    for table in tables:
        catalog, schema, _ = str(table["name"]).split(".")
        catalogs.append(catalog)
        schemas.append(f"{catalog}.{schema}")
    for schema in schemas:
        catalogs.append(schema.split(".")[0])
    for catalog in dict.fromkeys(catalogs):
        _quietly(lambda c=catalog: client.catalogs.create(c))
    for full in dict.fromkeys(schemas):
        catalog, schema = full.split(".")
        _quietly(lambda c=catalog, s=schema: client.schemas.create(s, c))
    made = 0
    for table in tables:
        catalog, schema, name = str(table["name"]).split(".")
        body = {
            "name": name,
            "catalog_name": catalog,
            "schema_name": schema,
            "columns": [{"name": str(c), "type_name": "STRING"} for c in table.get("columns") or []],
            "properties": {str(k): str(v) for k, v in (table.get("properties") or {}).items()},
        }
        made += _quietly(lambda b=body: client.api_client.do("POST", "/api/2.1/unity-catalog/tables", body=b))
    return made


def _quietly(create: Any) -> int:
    """1 when made, 0 when it already existed (seeding twice is harmless): told by the error code
    Unity Catalog sends (CATALOG_ALREADY_EXISTS and the like come as 400s, not 409s)."""
    from sharepack.workspace.write import already_exists

    try:
        create()
    except Exception as exc:
        if already_exists(exc):
            return 0
        raise
    return 1
