"""Permissions API 2.0 for jobs and pipelines: get, set (PUT, replaces) and update (PATCH, adds).

One user owns everything it creates (IS_OWNER, shown and kept); grants are stored, not enforced.
"""

from __future__ import annotations

import json
from typing import Any

from sharepack.emulator.errors import invalid, not_found
from sharepack.emulator.store import Store

LEVELS = {
    "jobs": ("CAN_VIEW", "CAN_MANAGE_RUN", "IS_OWNER", "CAN_MANAGE"),
    "pipelines": ("CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER"),
}
_SINGULAR = {"jobs": "job", "pipelines": "pipeline"}
_PRINCIPALS = ("user_name", "group_name", "service_principal_name")


def _owner(store: Store, kind: str, object_id: str) -> str:
    if kind == "jobs":
        row = store.job(int(object_id)) if object_id.isdigit() else None
        if row is None:
            raise invalid(f"Job {object_id} does not exist.")
    else:
        row = store.pipeline(object_id)
        if row is None:
            raise not_found(f"The specified pipeline {object_id} was not found.")
    return str(row["creator"])


def _principal(entry: dict[str, Any]) -> tuple[str, str]:
    given = [(k, str(entry[k])) for k in _PRINCIPALS if entry.get(k)]
    if len(given) != 1:
        raise invalid(
            "Each access control entry names exactly one of user_name, group_name, service_principal_name."
        )
    return given[0]


def _stored(store: Store, kind: str, object_id: str) -> dict[tuple[str, str], str]:
    rows = store.query("SELECT body FROM acls WHERE object_type = ? AND object_id = ?", (kind, object_id))
    entries = json.loads(rows[0]["body"]) if rows else []
    return {(e[0], e[1]): e[2] for e in entries}


def _view(store: Store, kind: str, object_id: str) -> dict[str, Any]:
    owner = _owner(store, kind, object_id)
    acl = [{"user_name": owner, "all_permissions": [{"permission_level": "IS_OWNER", "inherited": False}]}]
    for (field, name), level in sorted(_stored(store, kind, object_id).items()):
        if (field, name) != ("user_name", owner):
            acl.append({field: name, "all_permissions": [{"permission_level": level, "inherited": False}]})
    acl.append(
        {
            "group_name": "admins",
            "all_permissions": [
                {
                    "permission_level": "CAN_MANAGE",
                    "inherited": True,
                    "inherited_from_object": ["/jobs/" if kind == "jobs" else "/pipelines/"],
                }
            ],
        }
    )
    return {"object_id": f"/{kind}/{object_id}", "object_type": _SINGULAR[kind], "access_control_list": acl}


def get(store: Store, kind: str, object_id: str) -> dict[str, Any]:
    return _view(store, kind, object_id)


def change(store: Store, kind: str, object_id: str, body: dict[str, Any], *, replace: bool) -> dict[str, Any]:
    with store.lock:
        owner = _owner(store, kind, object_id)
        entries = {} if replace else _stored(store, kind, object_id)
        for entry in body.get("access_control_list") or []:
            principal = _principal(entry)
            level = str(entry.get("permission_level") or "")
            if level not in LEVELS[kind]:
                raise invalid(
                    f"Permission level {level or '(none)'} is not supported for {_SINGULAR[kind]}s; "
                    f"use one of {', '.join(LEVELS[kind])}."
                )
            if level == "IS_OWNER" and principal != ("user_name", owner):
                raise invalid("Changing the owner is not supported by this emulator.")
            entries[principal] = level
        body_json = json.dumps([[f, n, lvl] for (f, n), lvl in entries.items()])
        store.execute("INSERT OR REPLACE INTO acls VALUES (?, ?, ?)", (kind, object_id, body_json))
    return _view(store, kind, object_id)
