"""The Unity Catalog routes: shares, recipients, providers, catalogs, schemas, tables and the
metastore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sharepack.emulator.unity_catalog import catalogs, recipients, shares, tables
from sharepack.emulator.unity_catalog.metastore import Uc

UcHandler = Callable[[Uc, dict[str, Any], dict[str, str], tuple[str, ...]], dict[str, Any]]
_UC = r"/api/2\.1/unity-catalog"

UC_ROUTES: list[tuple[str, str, str, UcHandler]] = [
    ("POST", _UC + "/shares", "shares/create", lambda u, b, q, a: shares.create(u, b)),
    ("GET", _UC + "/shares", "shares/list", lambda u, b, q, a: shares.list_shares(u, q)),
    ("GET", _UC + "/shares/([^/]+)", "shares/get", lambda u, b, q, a: shares.get(u, a[0], q)),
    ("PATCH", _UC + "/shares/([^/]+)", "shares/update", lambda u, b, q, a: shares.update(u, a[0], b)),
    ("DELETE", _UC + "/shares/([^/]+)", "shares/delete", lambda u, b, q, a: shares.delete(u, a[0])),
    (
        "GET",
        _UC + "/shares/([^/]+)/permissions",
        "shares/permissions",
        lambda u, b, q, a: shares.permissions(u, a[0], q),
    ),
    (
        "PATCH",
        _UC + "/shares/([^/]+)/permissions",
        "shares/update-permissions",
        lambda u, b, q, a: shares.update_permissions(u, a[0], b),
    ),
    ("POST", _UC + "/recipients", "recipients/create", lambda u, b, q, a: recipients.create(u, b)),
    (
        "GET",
        _UC + "/recipients",
        "recipients/list",
        lambda u, b, q, a: recipients.list_recipients(u, q),
    ),
    ("GET", _UC + "/recipients/([^/]+)", "recipients/get", lambda u, b, q, a: recipients.get(u, a[0])),
    (
        "PATCH",
        _UC + "/recipients/([^/]+)",
        "recipients/update",
        lambda u, b, q, a: recipients.update(u, a[0], b),
    ),
    (
        "DELETE",
        _UC + "/recipients/([^/]+)",
        "recipients/delete",
        lambda u, b, q, a: recipients.delete(u, a[0]),
    ),
    (
        "POST",
        _UC + "/recipients/([^/]+)/rotate-token",
        "recipients/rotate-token",
        lambda u, b, q, a: recipients.rotate_token(u, a[0], b),
    ),
    (
        "GET",
        _UC + "/recipients/([^/]+)/share-permissions",
        "recipients/share-permissions",
        lambda u, b, q, a: recipients.share_permissions(u, a[0], q),
    ),
    ("GET", _UC + "/providers", "providers/list", lambda u, b, q, a: catalogs.list_providers(u, q)),
    (
        "GET",
        _UC + "/providers/([^/]+)",
        "providers/get",
        lambda u, b, q, a: catalogs.get_provider(u, a[0]),
    ),
    (
        "GET",
        _UC + "/providers/([^/]+)/shares",
        "providers/list-shares",
        lambda u, b, q, a: catalogs.provider_shares(u, a[0], q),
    ),
    ("POST", _UC + "/catalogs", "catalogs/create", lambda u, b, q, a: catalogs.create_catalog(u, b)),
    ("GET", _UC + "/catalogs", "catalogs/list", lambda u, b, q, a: catalogs.list_catalogs(u, q)),
    (
        "GET",
        _UC + "/catalogs/([^/]+)",
        "catalogs/get",
        lambda u, b, q, a: catalogs.get_catalog(u, a[0]),
    ),
    (
        "PATCH",
        _UC + "/catalogs/([^/]+)",
        "catalogs/update",
        lambda u, b, q, a: catalogs.update_catalog(u, a[0], b),
    ),
    (
        "DELETE",
        _UC + "/catalogs/([^/]+)",
        "catalogs/delete",
        lambda u, b, q, a: catalogs.delete_catalog(u, a[0], q),
    ),
    (
        "GET",
        _UC + "/metastore_summary",
        "metastores/summary",
        lambda u, b, q, a: catalogs.summary(u),
    ),
    (
        "GET",
        _UC + "/current-metastore-assignment",
        "metastores/current",
        lambda u, b, q, a: catalogs.assignment(u),
    ),
]

# Schemas and tables: what sync pipelines read and write.
UC_ROUTES += [
    ("POST", _UC + "/schemas", "schemas/create", lambda u, b, q, a: tables.create_schema(u, b)),
    ("GET", _UC + "/schemas", "schemas/list", lambda u, b, q, a: tables.list_schemas(u, q)),
    ("GET", _UC + "/schemas/([^/]+)", "schemas/get", lambda u, b, q, a: tables.get_schema(u, a[0])),
    (
        "DELETE",
        _UC + "/schemas/([^/]+)",
        "schemas/delete",
        lambda u, b, q, a: tables.delete_schema(u, a[0], q),
    ),
    ("POST", _UC + "/tables", "tables/create", lambda u, b, q, a: tables.create_table(u, b)),
    ("GET", _UC + "/tables", "tables/list", lambda u, b, q, a: tables.list_tables(u, q)),
    ("GET", _UC + "/tables/([^/]+)", "tables/get", lambda u, b, q, a: tables.get_table(u, a[0])),
    ("DELETE", _UC + "/tables/([^/]+)", "tables/delete", lambda u, b, q, a: tables.delete_table(u, a[0])),
]
