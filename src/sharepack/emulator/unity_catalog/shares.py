"""Delta Sharing shares (Unity Catalog 2.1): the share, its data objects and its grants."""

from __future__ import annotations

import re
from typing import Any

from sharepack.emulator.errors import ApiError, invalid
from sharepack.emulator.unity_catalog.metastore import (
    MAX_SHARE_NAME,
    Uc,
    already_exists,
    check_name,
    does_not_exist,
    flag,
    page,
    rename,
)
from sharepack.emulator.unity_catalog.tables import known_table, knows_tables

TABLE_LIKE = frozenset({"TABLE", "MATERIALIZED_VIEW", "STREAMING_TABLE", "FOREIGN_TABLE"})
# Aliased by `shared_as`; every other type by `string_shared_as` (the SDK's SharedDataObject docs).
ALIASED_AS_TABLE = TABLE_LIKE | {"VIEW"}
# Objects addressed as catalog.schema.name and exposed as schema.name.
THREE_PART = ALIASED_AS_TABLE | {"VOLUME", "MODEL", "FUNCTION", "FEATURE_SPEC"}
OBJECT_TYPES = THREE_PART | {"SCHEMA", "NOTEBOOK_FILE"}
# What one PATCH may carry (the SDK's SharedDataObjectUpdate docs; terraform-provider-databricks
# #5842 quotes the refusal).
MAX_UPDATES = 100
_ALIAS_PART = re.compile(r"^[A-Za-z0-9_]+$")
PARTITION_OPS = ("EQUAL", "LIKE")
UPDATABLE = (
    "comment",
    "shared_as",
    "history_data_sharing_status",
    "cdf_enabled",
    "partitions",
    "start_version",
    "string_shared_as",
    "content",
)
PRIVILEGES = frozenset({"SELECT"})


def missing_share(name: str) -> ApiError:
    return does_not_exist("SHARE_DOES_NOT_EXIST", f"Share '{name}' does not exist.")


def missing_recipient(name: str) -> ApiError:
    return does_not_exist("RECIPIENT_DOES_NOT_EXIST", f"Recipient '{name}' does not exist.")


def _share(uc: Uc, name: str) -> dict[str, Any]:
    share = uc.get("uc_shares", name)
    if share is None:
        raise missing_share(name)
    return share


def _view(share: dict[str, Any], *, objects: bool) -> dict[str, Any]:
    view = dict(share)
    stored = view.pop("objects", [])
    if objects:
        view["objects"] = sorted(stored, key=lambda o: o["name"])
    return view


def create(uc: Uc, body: dict[str, Any]) -> dict[str, Any]:
    name = check_name("Share", body.get("name"), MAX_SHARE_NAME)
    with uc.store.transaction():
        if uc.get("uc_shares", name) is not None:
            raise already_exists("RESOURCE_ALREADY_EXISTS", f"Share '{name}' already exists.")
        share: dict[str, Any] = {"name": name, "owner": uc.user}
        for key in ("comment", "storage_root"):
            if body.get(key) is not None:
                share[key] = body[key]
        uc.stamps(share, created=True)
        share["objects"] = []
        uc.put("uc_shares", name, share)
    return _view(share, objects=False)


def get(uc: Uc, name: str, query: dict[str, str]) -> dict[str, Any]:
    return _view(_share(uc, name), objects=flag(query, "include_shared_data"))


def list_shares(uc: Uc, query: dict[str, str]) -> dict[str, Any]:
    shares = [_view(s, objects=False) for s in uc.all("uc_shares")]
    return page(shares, query, lambda s: str(s["name"]), "shares")


def delete(uc: Uc, name: str) -> dict[str, Any]:
    with uc.store.transaction():
        _share(uc, name)
        uc.remove("uc_shares", name)
        uc.store.execute("DELETE FROM uc_grants WHERE metastore_id = ? AND share = ?", (uc.mid, name.lower()))
    return {}


def _exposed_as(obj: dict[str, Any]) -> str:
    alias = obj.get("shared_as") or obj.get("string_shared_as")
    if alias:
        return str(alias).lower()
    if obj["data_object_type"] == "SCHEMA":
        return str(obj["name"]).split(".")[-1].lower()
    return str(obj["name"]).lower()


def _check_alias(kind: str, name: str, obj: dict[str, Any]) -> None:
    """`shared_as` names table-like objects only, `string_shared_as` every other type; each is
    schema.name with letters, digits and underscores (the SDK's SharedDataObject docs)."""
    shared_as, string_shared_as = obj.get("shared_as"), obj.get("string_shared_as")
    if shared_as is not None and kind not in ALIASED_AS_TABLE and kind != "SCHEMA":
        raise invalid(f"shared_as is only for table-like objects; use string_shared_as for {kind} {name}.")
    if string_shared_as is not None and kind in ALIASED_AS_TABLE:
        raise invalid(f"string_shared_as is not for {kind} {name}; use shared_as.")
    alias = shared_as if shared_as is not None else string_shared_as
    if alias is None or kind == "SCHEMA":
        return
    if str(alias).lower() == ".".join(name.lower().split(".")[1:]):
        # The default alias, the object's own schema.name: the table exists under that name, so
        # it is shared as it is (a hyphenated table needs no alias).
        return
    parts = str(alias).split(".")
    if kind == "NOTEBOOK_FILE":
        parts = [str(alias)]
    elif len(parts) != 2:
        raise invalid(f"Invalid shared_as '{alias}' for {name}: expected schema.name.")
    if not all(_ALIAS_PART.match(part) for part in parts if kind != "NOTEBOOK_FILE"):
        raise invalid(
            f"Invalid shared_as '{alias}' for {name}: names must contain only alphanumeric characters "
            "and underscores."
        )


def _check_partitions(name: str, partitions: Any) -> None:
    if not isinstance(partitions, list):
        raise invalid(f"partitions of {name} must be a list.")
    for partition in partitions:
        values = partition.get("values") if isinstance(partition, dict) else None
        if not isinstance(values, list) or not values:
            raise invalid(f"Each partition of {name} needs values.")
        for value in values:
            if not isinstance(value, dict) or not value.get("name"):
                raise invalid(f"Each partition value of {name} needs the column's name.")
            if value.get("op") not in PARTITION_OPS:
                raise invalid(f"Invalid partition operator {value.get('op')!r}: only EQUAL and LIKE.")
            if value.get("value") is not None and value.get("recipient_property_key") is not None:
                raise invalid(
                    f"A partition value of {name} sets both value and recipient_property_key; "
                    "only one may be set."
                )


def _check_object(obj: dict[str, Any]) -> None:
    kind, name = obj["data_object_type"], str(obj["name"])
    parts = name.split(".")
    wanted = 3 if kind in THREE_PART else 2 if kind == "SCHEMA" else 0
    if wanted and (len(parts) != wanted or not all(parts)):
        form = "catalog.schema.name" if wanted == 3 else "catalog.schema"
        raise invalid(f"Invalid {kind} name '{name}': expected the full name {form}.")
    _check_alias(kind, name, obj)
    status = obj.get("history_data_sharing_status")
    if status is not None and status not in ("ENABLED", "DISABLED"):
        raise invalid(f"Invalid history_data_sharing_status: {status}")
    if status == "ENABLED" and kind not in TABLE_LIKE and kind != "SCHEMA":
        raise invalid(f"History sharing is only available for tables, not for {kind} {name}.")
    if obj.get("partitions") is not None:
        _check_partitions(name, obj["partitions"])


def _check_request(data: dict[str, Any], kind: str) -> None:
    """What a single update may not say, whatever the object holds already."""
    if data.get("cdf_enabled") is not None and data.get("history_data_sharing_status") is not None:
        # terraform-provider-databricks docs (databricks_share): "When this field is set, field
        # history_data_sharing_status can not be set."
        raise invalid(
            f"cdf_enabled and history_data_sharing_status cannot both be set on {data['name']}; "
            "history sharing includes the change data feed."
        )


def _new_object(uc: Uc, data: dict[str, Any]) -> dict[str, Any]:
    if not data.get("name"):
        raise invalid("Missing required field: data_object.name")
    kind = data.get("data_object_type") or "TABLE"
    if kind not in OBJECT_TYPES:
        raise invalid(f"Invalid data_object_type: {kind}")
    _check_request(data, kind)
    if kind == "NOTEBOOK_FILE" and not data.get("content"):
        raise invalid(f"content is required to add the NOTEBOOK_FILE {data['name']}.")
    name = str(data["name"]) if kind == "NOTEBOOK_FILE" else str(data["name"]).lower()
    if kind in ALIASED_AS_TABLE | {"SCHEMA"} and knows_tables(uc) and not known_table(uc, kind, name):
        # Once the metastore holds tables, sharing one it does not have is refused, as on Databricks.
        what = "Schema" if kind == "SCHEMA" else "Table"
        raise does_not_exist(f"{what.upper()}_DOES_NOT_EXIST", f"{what} '{name}' does not exist.")
    obj: dict[str, Any] = {
        "name": name,
        "data_object_type": kind,
        "added_at": uc.store.now(),
        "added_by": uc.user,
        "status": "ACTIVE",
    }
    obj.update({key: data[key] for key in UPDATABLE if data.get(key) is not None})
    for key in ("shared_as", "string_shared_as"):
        if obj.get(key) is not None:
            obj[key] = str(obj[key]).lower()
    alias = ".".join(name.split(".")[1:])
    if kind in ALIASED_AS_TABLE and not obj.get("shared_as"):
        obj["shared_as"] = alias
    elif kind in THREE_PART - ALIASED_AS_TABLE and not obj.get("string_shared_as"):
        obj["string_shared_as"] = alias
    if kind in TABLE_LIKE and obj.get("cdf_enabled") is None:
        obj.setdefault("history_data_sharing_status", "DISABLED")
    _check_object(obj)
    return obj


def _key(name: Any) -> str:
    return str(name).lower()


def _check_updates(updates: list[Any]) -> None:
    if len(updates) > MAX_UPDATES:
        raise invalid(f"UpdateShare number of data objects to update exceeds limit {MAX_UPDATES}")
    seen: dict[str, Any] = {}
    repeated: list[str] = []
    for change in updates:
        if not isinstance(change, dict):
            raise invalid("Each update must be an object with action and data_object.")
        data = change.get("data_object")
        if not isinstance(data, dict) or not data.get("name"):
            raise invalid("Missing required field: updates.data_object.name")
        key = _key(data["name"])
        if key in seen:
            repeated.append(str(data["name"]))
        seen[key] = data
    if repeated:
        # terraform-provider-databricks #3517: a REMOVE and an ADD of one object in one PATCH.
        raise invalid(
            f"UpdateShare duplicate updates on the same data object, names: [{', '.join(repeated)}]."
        )


def _apply(uc: Uc, objects: list[dict[str, Any]], updates: list[Any]) -> list[dict[str, Any]]:
    _check_updates(updates)
    by_name = {_key(o["name"]): o for o in objects}
    for change in updates:
        action, data = change.get("action"), change["data_object"]
        if action not in ("ADD", "REMOVE", "UPDATE"):
            raise invalid(f"Invalid action: {action}")
        name = _key(data["name"])
        if action == "ADD":
            if name in by_name:
                raise already_exists(
                    "RESOURCE_ALREADY_EXISTS",
                    f"{by_name[name]['data_object_type']} '{by_name[name]['name']}' is already in the share.",
                )
            by_name[name] = _new_object(uc, data)
            continue
        if name not in by_name:
            raise does_not_exist(
                "RESOURCE_DOES_NOT_EXIST", f"Data object '{data['name']}' is not in the share."
            )
        if action == "REMOVE":
            del by_name[name]
            continue
        current = by_name[name]
        if data.get("data_object_type") not in (None, current["data_object_type"]):
            raise invalid(f"The data_object_type of '{data['name']}' cannot be changed.")
        _check_request(data, current["data_object_type"])
        merged = {**current, **{k: data[k] for k in UPDATABLE if data.get(k) is not None}}
        if data.get("cdf_enabled") is not None:
            merged.pop("history_data_sharing_status", None)
        if data.get("history_data_sharing_status") is not None:
            merged.pop("cdf_enabled", None)
        _check_object(merged)
        by_name[name] = merged
    seen: dict[str, str] = {}
    for obj in by_name.values():
        exposed = _exposed_as(obj)
        if exposed in seen:
            raise invalid(
                f"Data objects '{seen[exposed]}' and '{obj['name']}' are both shared as '{exposed}'; "
                "shared_as must be unique within a share."
            )
        seen[exposed] = obj["name"]
    return list(by_name.values())


def update(uc: Uc, name: str, body: dict[str, Any]) -> dict[str, Any]:
    updates = list(body.get("updates") or [])
    if not updates and all(body.get(k) is None for k in ("comment", "owner", "storage_root", "new_name")):
        # terraform-provider-databricks #5442: an empty UpdateShare is refused.
        raise invalid("UpdateShare no fields to update.")
    with uc.store.transaction():
        share = _share(uc, name)
        share["objects"] = _apply(uc, share.get("objects", []), updates)
        for key in ("comment", "owner", "storage_root"):
            if body.get(key) is not None:
                share[key] = body[key]
        rename(uc, "uc_shares", "Share", share, body.get("new_name"), "share")
        uc.stamps(share, created=False)
        uc.put("uc_shares", share["name"], share)
    return _view(share, objects=True)


def _assignments(uc: Uc, share: str) -> list[dict[str, Any]]:
    rows = uc.store.query(
        "SELECT recipient FROM uc_grants WHERE metastore_id = ? AND share = ? ORDER BY recipient",
        (uc.mid, share),
    )
    return [{"principal": r["recipient"], "privileges": ["SELECT"]} for r in rows]


def permissions(uc: Uc, name: str, query: dict[str, str]) -> dict[str, Any]:
    name = _share(uc, name)["name"]
    return page(_assignments(uc, name), query, lambda a: str(a["principal"]), "privilege_assignments")


def update_permissions(uc: Uc, name: str, body: dict[str, Any]) -> dict[str, Any]:
    changes = list(body.get("changes") or [])
    with uc.store.transaction():
        name = _share(uc, name)["name"]
        for change in changes:
            principal = change.get("principal") if isinstance(change, dict) else None
            if not principal:
                raise invalid("Missing required field: changes.principal")
            for privilege in [*(change.get("add") or []), *(change.get("remove") or [])]:
                if privilege not in PRIVILEGES:
                    raise invalid(f"Privilege {privilege} is not applicable to a share; only SELECT is.")
            if uc.get("uc_recipients", principal) is None:
                raise missing_recipient(principal)
        for change in changes:
            principal = str(change["principal"]).lower()
            if "SELECT" in (change.get("add") or []):
                uc.store.execute(
                    "INSERT OR IGNORE INTO uc_grants VALUES (?, ?, ?, ?)",
                    (uc.mid, name, principal, uc.store.now()),
                )
            if "SELECT" in (change.get("remove") or []):
                uc.store.execute(
                    "DELETE FROM uc_grants WHERE metastore_id = ? AND share = ? AND recipient = ?",
                    (uc.mid, name, principal),
                )
    if body.get("omit_permissions_list"):
        return {}
    return {"privilege_assignments": _assignments(uc, name)}
