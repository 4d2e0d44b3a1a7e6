"""Unity Catalog catalogs, Delta Sharing providers and the metastore summary.

Providers are not stored: as on Databricks, a DATABRICKS recipient in another metastore whose
sharing identifier is this metastore's makes its metastore a provider here, named after that
metastore's organization name, listing every share granted to such a recipient.
"""

from __future__ import annotations

import json
from typing import Any

from sharepack.emulator.errors import ApiError, invalid
from sharepack.emulator.unity_catalog.metastore import (
    Uc,
    already_exists,
    check_name,
    does_not_exist,
    flag,
    page,
)
from sharepack.emulator.unity_catalog.tables import drop_schemas, list_schemas

CREATE_FIELDS = ("comment", "properties", "options", "storage_root", "connection_name")
UPDATE_FIELDS = (
    "comment",
    "owner",
    "properties",
    "options",
    "isolation_mode",
    "enable_predictive_optimization",
)


# -- metastore ------------------------------------------------------------------------------
def summary(uc: Uc) -> dict[str, Any]:
    m = uc.metastore
    rows = uc.store.query("SELECT created_ms FROM uc_metastores WHERE metastore_id = ?", (m.metastore_id,))
    created = rows[0]["created_ms"] if rows else 0
    return {
        "metastore_id": m.metastore_id,
        "global_metastore_id": m.global_id,
        "name": m.name,
        "cloud": m.cloud,
        "region": m.region,
        "owner": uc.user,
        "created_at": created,
        "created_by": uc.user,
        "updated_at": created,
        "updated_by": uc.user,
        "delta_sharing_scope": "INTERNAL_AND_EXTERNAL",
        "delta_sharing_organization_name": m.organization,
        "delta_sharing_recipient_token_lifetime_in_seconds": 0,
        "privilege_model_version": "1.0",
    }


def assignment(uc: Uc) -> dict[str, Any]:
    return {"metastore_id": uc.mid, "workspace_id": 0, "default_catalog_name": "main"}


# -- providers ------------------------------------------------------------------------------
def _providers(uc: Uc) -> dict[str, dict[str, Any]]:
    """Provider name -> its info and (under "_recipients") the recipients that stand for us there."""
    rows = uc.store.query(
        "SELECT r.body, m.metastore_id, m.global_id, m.organization, m.cloud, m.region "
        "FROM uc_recipients r JOIN uc_metastores m ON m.metastore_id = r.metastore_id "
        "WHERE r.metastore_id != ? ORDER BY r.name",
        (uc.mid,),
    )
    providers: dict[str, dict[str, Any]] = {}
    for row in rows:
        recipient = json.loads(row["body"])
        if recipient.get("authentication_type") != "DATABRICKS":
            continue
        if recipient.get("data_recipient_global_metastore_id") != uc.metastore.global_id:
            continue
        provider = providers.setdefault(
            row["organization"],
            {
                "name": row["organization"],
                "authentication_type": "DATABRICKS",
                "data_provider_global_metastore_id": row["global_id"],
                "metastore_id": row["metastore_id"],
                "cloud": row["cloud"],
                "region": row["region"],
                "owner": uc.user,
                "created_at": recipient["created_at"],
                "created_by": uc.user,
                "updated_at": recipient["created_at"],
                "updated_by": uc.user,
                "_recipients": [],
            },
        )
        provider["created_at"] = min(provider["created_at"], recipient["created_at"])
        provider["_recipients"].append((row["metastore_id"], recipient["name"]))
    return providers


def _public(provider: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in provider.items() if not k.startswith("_")}


def _provider(uc: Uc, name: str) -> dict[str, Any]:
    provider = {key.lower(): p for key, p in _providers(uc).items()}.get(name.lower())
    if provider is None:
        raise does_not_exist("PROVIDER_DOES_NOT_EXIST", f"Provider '{name}' does not exist.")
    return provider


def list_providers(uc: Uc, query: dict[str, str]) -> dict[str, Any]:
    wanted = query.get("data_provider_global_metastore_id")
    providers = [
        _public(p)
        for p in _providers(uc).values()
        if not wanted or p["data_provider_global_metastore_id"] == wanted
    ]
    return page(providers, query, lambda p: str(p["name"]), "providers")


def get_provider(uc: Uc, name: str) -> dict[str, Any]:
    return _public(_provider(uc, name))


def _provider_shares(uc: Uc, provider: dict[str, Any]) -> list[str]:
    shares: set[str] = set()
    for metastore_id, recipient in provider["_recipients"]:
        rows = uc.store.query(
            "SELECT share FROM uc_grants WHERE metastore_id = ? AND recipient = ?", (metastore_id, recipient)
        )
        shares.update(r["share"] for r in rows)
    return sorted(shares)


def provider_shares(uc: Uc, name: str, query: dict[str, str]) -> dict[str, Any]:
    shares = [{"name": s} for s in _provider_shares(uc, _provider(uc, name))]
    return page(shares, query, lambda s: str(s["name"]), "shares")


# -- catalogs -------------------------------------------------------------------------------
def _missing(name: str) -> ApiError:
    return does_not_exist("CATALOG_DOES_NOT_EXIST", f"Catalog '{name}' does not exist.")


def _catalog(uc: Uc, name: str) -> dict[str, Any]:
    catalog = uc.get("uc_catalogs", name)
    if catalog is None:
        raise _missing(name)
    return catalog


def create_catalog(uc: Uc, body: dict[str, Any]) -> dict[str, Any]:
    name = check_name("Catalog", body.get("name"))
    provider_name, share_name = body.get("provider_name"), body.get("share_name")
    if share_name:
        share_name = str(share_name).lower()
    if bool(provider_name) != bool(share_name):
        raise invalid("A catalog from a share needs both provider_name and share_name.")
    catalog: dict[str, Any] = {
        "name": name,
        "full_name": name,
        "owner": uc.user,
        "metastore_id": uc.mid,
        "catalog_type": "DELTASHARING_CATALOG" if provider_name else "MANAGED_CATALOG",
        "securable_type": "CATALOG",
        "isolation_mode": "OPEN",
        "browse_only": False,
    }
    catalog.update({key: body[key] for key in CREATE_FIELDS if body.get(key) is not None})
    if provider_name:
        catalog.update(provider_name=provider_name, share_name=share_name)
    uc.stamps(catalog, created=True)
    with uc.store.transaction():
        if uc.get("uc_catalogs", name) is not None:
            raise already_exists("CATALOG_ALREADY_EXISTS", f"Catalog '{name}' already exists.")
        if provider_name and share_name not in _provider_shares(uc, _provider(uc, provider_name)):
            raise does_not_exist(
                "SHARE_DOES_NOT_EXIST",
                f"Share '{share_name}' does not exist or is not shared by '{provider_name}'.",
            )
        uc.put("uc_catalogs", name, catalog)
    return catalog


def get_catalog(uc: Uc, name: str) -> dict[str, Any]:
    return _catalog(uc, name)


def list_catalogs(uc: Uc, query: dict[str, str]) -> dict[str, Any]:
    return page(uc.all("uc_catalogs"), query, lambda c: str(c["name"]), "catalogs")


def update_catalog(uc: Uc, name: str, body: dict[str, Any]) -> dict[str, Any]:
    with uc.store.transaction():
        catalog = _catalog(uc, name)
        catalog.update({key: body[key] for key in UPDATE_FIELDS if body.get(key) is not None})
        new_name = body.get("new_name")
        if new_name and new_name != name:
            check_name("Catalog", new_name)
            if uc.get("uc_catalogs", new_name) is not None:
                raise already_exists("CATALOG_ALREADY_EXISTS", f"Catalog '{new_name}' already exists.")
            uc.remove("uc_catalogs", name)
            catalog["name"] = catalog["full_name"] = new_name
        uc.stamps(catalog, created=False)
        uc.put("uc_catalogs", catalog["name"], catalog)
    return catalog


def delete_catalog(uc: Uc, name: str, query: dict[str, str]) -> dict[str, Any]:
    with uc.store.transaction():
        catalog = _catalog(uc, name)
        schemas = list_schemas(uc, {"catalog_name": catalog["name"]}).get("schemas", [])
        if schemas and not flag(query, "force"):
            # A catalog that holds schemas is deleted only with force (the SDK's catalogs.delete
            # docs: "Force deletion even if the catalog is not empty"); its schemas go with it.
            raise ApiError(
                400,
                "CATALOG_NOT_EMPTY",
                f"Catalog '{catalog['name']}' is not empty. There are {len(schemas)} schemas in it.",
            )
        drop_schemas(uc, str(catalog["name"]))
        uc.remove("uc_catalogs", name)
    return {}
