"""Unity Catalog schemas and tables, with columns and properties: what a sync pipeline reads.

The emulator knows tables only once some are seeded (`POST /api/2.1/unity-catalog/tables`, as
`sharepack emulator --seed-from PACK` does): until then table reads answer 501, so a client can tell
"this workspace knows no tables" from "this table does not exist" and skip its checks instead of
failing every pack whose sources were never seeded. Schemas are always served.
"""

from __future__ import annotations

import json
from typing import Any

from sharepack.emulator.errors import ApiError, invalid
from sharepack.emulator.unity_catalog.metastore import Uc, already_exists, check_name, does_not_exist, page

_DDL = (
    "CREATE TABLE IF NOT EXISTS uc_schemas (metastore_id TEXT NOT NULL, name TEXT NOT NULL, "
    "body TEXT NOT NULL, PRIMARY KEY (metastore_id, name))",
    "CREATE TABLE IF NOT EXISTS uc_tables (metastore_id TEXT NOT NULL, name TEXT NOT NULL, "
    "body TEXT NOT NULL, PRIMARY KEY (metastore_id, name))",
)


def _ready(uc: Uc) -> None:
    for statement in _DDL:
        uc.store.execute(statement)


def _get(uc: Uc, table: str, name: str) -> dict[str, Any] | None:
    _ready(uc)
    rows = uc.store.query(
        f"SELECT body FROM {table} WHERE metastore_id = ? AND name = ?", (uc.mid, name.lower())
    )
    return dict(json.loads(rows[0]["body"])) if rows else None


def _put(uc: Uc, table: str, name: str, body: dict[str, Any]) -> None:
    _ready(uc)
    uc.store.execute(
        f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", (uc.mid, name.lower(), json.dumps(body))
    )


def _all(uc: Uc, table: str, prefix: str) -> list[dict[str, Any]]:
    _ready(uc)
    rows = uc.store.query(f"SELECT name, body FROM {table} WHERE metastore_id = ? ORDER BY name", (uc.mid,))
    return [dict(json.loads(r["body"])) for r in rows if str(r["name"]).startswith(prefix.lower())]


def _catalog_must_exist(uc: Uc, name: str) -> None:
    if uc.get("uc_catalogs", name) is None:
        raise does_not_exist("CATALOG_DOES_NOT_EXIST", f"Catalog '{name}' does not exist.")


# -- schemas ------------------------------------------------------------------------------------
def create_schema(uc: Uc, body: dict[str, Any]) -> dict[str, Any]:
    name = check_name("Schema", body.get("name"))
    catalog = str(body.get("catalog_name") or "").lower()
    with uc.store.transaction():
        _catalog_must_exist(uc, catalog)
        full = f"{catalog}.{name}"
        if _get(uc, "uc_schemas", full) is not None:
            raise already_exists("SCHEMA_ALREADY_EXISTS", f"Schema '{full}' already exists")
        schema = uc.stamps(
            {
                "name": name,
                "catalog_name": catalog,
                "full_name": full,
                "owner": uc.user,
                "comment": body.get("comment"),
                "properties": dict(body.get("properties") or {}),
                "metastore_id": uc.mid,
            },
            created=True,
        )
        _put(uc, "uc_schemas", full, schema)
    return schema


def get_schema(uc: Uc, full_name: str) -> dict[str, Any]:
    schema = _get(uc, "uc_schemas", full_name)
    if schema is None:
        raise does_not_exist("SCHEMA_DOES_NOT_EXIST", f"Schema '{full_name}' does not exist.")
    return schema


def list_schemas(uc: Uc, query: dict[str, str]) -> dict[str, Any]:
    catalog = query.get("catalog_name", "")
    _catalog_must_exist(uc, catalog)
    return page(_all(uc, "uc_schemas", f"{catalog}."), query, lambda s: str(s["full_name"]), "schemas")


def delete_schema(uc: Uc, full_name: str, query: dict[str, str]) -> dict[str, Any]:
    full_name = full_name.lower()
    with uc.store.transaction():
        get_schema(uc, full_name)
        tables = _all(uc, "uc_tables", f"{full_name}.")
        if tables and query.get("force", "").lower() != "true":
            raise ApiError(400, "SCHEMA_NOT_EMPTY", f"Schema '{full_name}' is not empty.")
        uc.store.execute(
            "DELETE FROM uc_tables WHERE metastore_id = ? AND name LIKE ? ESCAPE '\\'",
            (uc.mid, full_name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"),
        )
        uc.store.execute("DELETE FROM uc_schemas WHERE metastore_id = ? AND name = ?", (uc.mid, full_name))
    return {}


def drop_schemas(uc: Uc, catalog: str) -> None:
    """Every schema of `catalog` and their tables (a forced catalog delete; in its transaction)."""
    _ready(uc)
    below = _escape(catalog.lower()) + ".%"
    for table in ("uc_tables", "uc_schemas"):
        uc.store.execute(
            f"DELETE FROM {table} WHERE metastore_id = ? AND name LIKE ? ESCAPE '\\'", (uc.mid, below)
        )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- tables -------------------------------------------------------------------------------------
def knows_tables(uc: Uc) -> bool:
    """Whether some tables were seeded: until then nothing can be said of any table."""
    _ready(uc)
    return bool(uc.store.query("SELECT 1 FROM uc_tables WHERE metastore_id = ? LIMIT 1", (uc.mid,)))


def known_table(uc: Uc, kind: str, full_name: str) -> bool:
    """Whether the object a share would add exists (a schema by its schema, the rest as tables)."""
    return _get(uc, "uc_schemas" if kind == "SCHEMA" else "uc_tables", full_name) is not None


def _known(uc: Uc) -> None:
    if not knows_tables(uc):
        raise ApiError(
            501,
            "NOT_IMPLEMENTED",
            "This emulator knows no tables: seed the ones a pack reads "
            "(sharepack emulator --seed-from PACK --seed-only).",
        )


def create_table(uc: Uc, body: dict[str, Any]) -> dict[str, Any]:
    name = check_name("Table", body.get("name"))
    catalog = str(body.get("catalog_name") or "").lower()
    schema = str(body.get("schema_name") or "").lower()
    with uc.store.transaction():
        _catalog_must_exist(uc, catalog)
        get_schema(uc, f"{catalog}.{schema}")
        full = f"{catalog}.{schema}.{name}"
        if _get(uc, "uc_tables", full) is not None:
            raise already_exists("TABLE_ALREADY_EXISTS", f"Table '{full}' already exists")
        columns = body.get("columns") or []
        if not isinstance(columns, list) or not all(isinstance(c, dict) and c.get("name") for c in columns):
            raise invalid("columns: each column needs a name")
        table = uc.stamps(
            {
                "name": name,
                "catalog_name": catalog,
                "schema_name": schema,
                "full_name": full,
                "table_type": body.get("table_type") or "MANAGED",
                "data_source_format": body.get("data_source_format") or "DELTA",
                "columns": [
                    {"name": c["name"], "type_name": c.get("type_name", "STRING"), "position": i}
                    for i, c in enumerate(columns)
                ],
                "properties": {str(k): str(v) for k, v in (body.get("properties") or {}).items()},
                "owner": uc.user,
                "metastore_id": uc.mid,
            },
            created=True,
        )
        _put(uc, "uc_tables", full, table)
    return table


def get_table(uc: Uc, full_name: str) -> dict[str, Any]:
    _known(uc)
    table = _get(uc, "uc_tables", full_name)
    if table is None:
        raise does_not_exist("TABLE_DOES_NOT_EXIST", f"Table '{full_name}' does not exist.")
    return table


def list_tables(uc: Uc, query: dict[str, str]) -> dict[str, Any]:
    _known(uc)
    full = f"{query.get('catalog_name', '')}.{query.get('schema_name', '')}"
    get_schema(uc, full)
    return page(_all(uc, "uc_tables", f"{full}."), query, lambda t: str(t["full_name"]), "tables")


def delete_table(uc: Uc, full_name: str) -> dict[str, Any]:
    get_table(uc, full_name)
    uc.store.execute("DELETE FROM uc_tables WHERE metastore_id = ? AND name = ?", (uc.mid, full_name.lower()))
    return {}
