"""The Workspace API: just what a deploy lock needs (import, get-status, export, delete, mkdirs)."""

from __future__ import annotations

from typing import Any

from sharepack.emulator.lite_errors import ApiError, not_found
from sharepack.emulator.lite_store import Store


def _parents(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]


def mkdirs(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    path = str(body.get("path", "")).rstrip("/")
    with store.lock:
        for directory in [*_parents(path), path]:
            store.execute("INSERT OR IGNORE INTO files VALUES (?, 'DIRECTORY', '')", (directory,))
    return {}


def import_file(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    path = str(body.get("path", ""))
    with store.lock:
        existing = store.query("SELECT kind FROM files WHERE path = ?", (path,))
        if existing and not body.get("overwrite"):
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists.")
        for parent in _parents(path):
            rows = store.query("SELECT kind FROM files WHERE path = ?", (parent,))
            if not rows:
                raise not_found(f"The parent folder ({parent}) does not exist.")
        store.execute("INSERT OR REPLACE INTO files VALUES (?, 'FILE', ?)", (path, body.get("content", "")))
    return {}


def _file(store: Store, path: str) -> Any:
    rows = store.query("SELECT * FROM files WHERE path = ?", (path,))
    if not rows:
        raise not_found(f"Path ({path}) doesn't exist.")
    return rows[0]


def get_status(store: Store, query: dict[str, str]) -> dict[str, Any]:
    row = _file(store, query.get("path", ""))
    return {"path": row["path"], "object_type": row["kind"]}


def export(store: Store, query: dict[str, str]) -> dict[str, Any]:
    row = _file(store, query.get("path", ""))
    return {"content": row["content"], "file_type": ""}


def delete(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    path = str(body.get("path", ""))
    with store.lock:
        _file(store, path)
        store.execute("DELETE FROM files WHERE path = ? OR path LIKE ?", (path, path.rstrip("/") + "/%"))
    return {}
