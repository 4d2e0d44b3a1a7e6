"""Delta Sharing shares (Unity Catalog 2.1): the share, its data objects and its grants."""

from __future__ import annotations

from typing import Any

from sharepack.emulator.lite_errors import ApiError, invalid
from sharepack.emulator.lite_uc import Uc, already_exists, check_name, does_not_exist, flag, page, rename

TABLE_LIKE = frozenset({"TABLE", "MATERIALIZED_VIEW", "STREAMING_TABLE", "FOREIGN_TABLE"})
# Objects addressed as catalog.schema.name and exposed as schema.name.
THREE_PART = TABLE_LIKE | {"VIEW", "VOLUME", "MODEL", "FUNCTION", "FEATURE_SPEC"}
OBJECT_TYPES = THREE_PART | {"SCHEMA", "NOTEBOOK_FILE"}
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
    name = check_name("Share", body.get("name"))
    with uc.store.transaction():
        if uc.get("uc_shares", name) is not None:
            raise already_exists("SHARE_ALREADY_EXISTS", f"Share '{name}' already exists.")
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
        uc.store.execute("DELETE FROM uc_grants WHERE metastore_id = ? AND share = ?", (uc.mid, name))
    return {}


def _exposed_as(obj: dict[str, Any]) -> str:
    if obj.get("shared_as"):
        return str(obj["shared_as"]).lower()
    if obj["data_object_type"] == "SCHEMA":
        return str(obj["name"]).split(".")[-1].lower()
    return str(obj["name"]).lower()


def _check_object(obj: dict[str, Any]) -> None:
    kind, name = obj["data_object_type"], str(obj["name"])
    parts = name.split(".")
    wanted = 3 if kind in THREE_PART else 2 if kind == "SCHEMA" else 0
    if wanted and (len(parts) != wanted or not all(parts)):
        form = "catalog.schema.name" if wanted == 3 else "catalog.schema"
        raise invalid(f"Invalid {kind} name '{name}': expected the full name {form}.")
    shared_as = obj.get("shared_as")
    if shared_as is not None and kind in THREE_PART:
        alias = str(shared_as).split(".")
        if len(alias) != 2 or not all(alias):
            raise invalid(f"Invalid shared_as '{shared_as}' for {name}: expected schema.name.")
    status = obj.get("history_data_sharing_status")
    if status is not None and status not in ("ENABLED", "DISABLED"):
        raise invalid(f"Invalid history_data_sharing_status: {status}")
    if status == "ENABLED" and kind not in TABLE_LIKE and kind != "SCHEMA":
        raise invalid(f"History sharing is only available for tables, not for {kind} {name}.")


def _new_object(uc: Uc, data: dict[str, Any]) -> dict[str, Any]:
    if not data.get("name"):
        raise invalid("Missing required field: data_object.name")
    kind = data.get("data_object_type") or "TABLE"
    if kind not in OBJECT_TYPES:
        raise invalid(f"Invalid data_object_type: {kind}")
    obj: dict[str, Any] = {
        "name": data["name"],
        "data_object_type": kind,
        "added_at": uc.store.now(),
        "added_by": uc.user,
        "status": "ACTIVE",
    }
    obj.update({key: data[key] for key in UPDATABLE if data.get(key) is not None})
    if kind in THREE_PART and kind != "VOLUME" and not obj.get("shared_as"):
        obj["shared_as"] = ".".join(str(data["name"]).split(".")[1:])
    if kind in TABLE_LIKE:
        obj.setdefault("history_data_sharing_status", "DISABLED")
    _check_object(obj)
    return obj


def _apply(uc: Uc, objects: list[dict[str, Any]], updates: list[Any]) -> list[dict[str, Any]]:
    by_name = {o["name"]: o for o in objects}
    for change in updates:
        if not isinstance(change, dict):
            raise invalid("Each update must be an object with action and data_object.")
        action, data = change.get("action"), change.get("data_object")
        if action not in ("ADD", "REMOVE", "UPDATE"):
            raise invalid(f"Invalid action: {action}")
        if not isinstance(data, dict) or not data.get("name"):
            raise invalid("Missing required field: updates.data_object.name")
        name = data["name"]
        if action == "ADD":
            if name in by_name:
                raise already_exists(
                    "RESOURCE_ALREADY_EXISTS",
                    f"{by_name[name]['data_object_type']} '{name}' is already in the share.",
                )
            by_name[name] = _new_object(uc, data)
            continue
        if name not in by_name:
            raise does_not_exist("RESOURCE_DOES_NOT_EXIST", f"Data object '{name}' is not in the share.")
        if action == "REMOVE":
            del by_name[name]
            continue
        current = by_name[name]
        if data.get("data_object_type") not in (None, current["data_object_type"]):
            raise invalid(f"The data_object_type of '{name}' cannot be changed.")
        merged = {**current, **{k: data[k] for k in UPDATABLE if data.get(k) is not None}}
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
    with uc.store.transaction():
        share = _share(uc, name)
        share["objects"] = _apply(uc, share.get("objects", []), list(body.get("updates") or []))
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
    _share(uc, name)
    return page(_assignments(uc, name), query, lambda a: str(a["principal"]), "privilege_assignments")


def update_permissions(uc: Uc, name: str, body: dict[str, Any]) -> dict[str, Any]:
    changes = list(body.get("changes") or [])
    with uc.store.transaction():
        _share(uc, name)
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
            principal = change["principal"]
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
