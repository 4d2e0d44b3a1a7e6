"""The Workspace API: import, export, get-status, list, delete and mkdirs of files and folders."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from sharepack.emulator.lite_errors import ApiError, invalid, not_found
from sharepack.emulator.lite_store import Store


def _parents(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]


def _object_id(path: str) -> int:
    """A stable numeric id per path (48 bits: exact in JavaScript too)."""
    return int(hashlib.sha1(path.encode()).hexdigest()[:12], 16)


def _path(value: Any) -> str:
    path = str(value or "")
    if not path.startswith("/"):
        raise invalid(f"Path ({path}) must be an absolute path starting with /.")
    return path.rstrip("/") or "/"


def mkdirs(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    path = _path(body.get("path"))
    with store.lock:
        for directory in [*_parents(path), path]:
            rows = store.query("SELECT kind FROM files WHERE path = ?", (directory,))
            if rows and rows[0]["kind"] != "DIRECTORY":
                raise ApiError(
                    400,
                    "RESOURCE_ALREADY_EXISTS",
                    f"Cannot create directory {directory}: a file exists there.",
                )
            store.execute("INSERT OR IGNORE INTO files VALUES (?, 'DIRECTORY', '')", (directory,))
    return {}


def import_file(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    path = _path(body.get("path"))
    content = str(body.get("content") or "")
    try:
        base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("The content must be base64-encoded.") from None
    with store.lock:
        existing = store.query("SELECT kind FROM files WHERE path = ?", (path,))
        if existing and existing[0]["kind"] == "DIRECTORY":
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists.")
        if existing and not body.get("overwrite"):
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists.")
        for parent in _parents(path):
            rows = store.query("SELECT kind FROM files WHERE path = ?", (parent,))
            if not rows:
                raise not_found(f"The parent folder ({parent}) does not exist.")
        store.execute("INSERT OR REPLACE INTO files VALUES (?, 'FILE', ?)", (path, content))
    return {}


def _file(store: Store, path: str) -> Any:
    rows = store.query("SELECT * FROM files WHERE path = ?", (path.rstrip("/") or "/",))
    if not rows:
        raise not_found(f"Path ({path}) doesn't exist.")
    return rows[0]


def _info(row: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "path": row["path"],
        "object_type": row["kind"],
        "object_id": _object_id(row["path"]),
    }
    if row["kind"] == "FILE":
        info["size"] = len(base64.b64decode(row["content"] or ""))
    return info


def get_status(store: Store, query: dict[str, str]) -> dict[str, Any]:
    return _info(_file(store, query.get("path", "")))


def export(store: Store, query: dict[str, str]) -> dict[str, Any]:
    row = _file(store, query.get("path", ""))
    if row["kind"] == "DIRECTORY":
        raise invalid(f"Path ({row['path']}) is a directory; export a directory in DBC format.")
    return {"content": row["content"], "file_type": ""}


def _children(store: Store, path: str) -> list[Any]:
    prefix = path.rstrip("/") + "/"
    rows = store.query(
        "SELECT * FROM files WHERE path LIKE ? ESCAPE '\\' ORDER BY path", (_like(prefix) + "%",)
    )
    return [r for r in rows if "/" not in r["path"][len(prefix) :]]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_objects(store: Store, query: dict[str, str]) -> dict[str, Any]:
    path = query.get("path", "")
    row = _file(store, path)
    if row["kind"] != "DIRECTORY":
        return {"objects": [_info(row)]}
    objects = [_info(r) for r in _children(store, row["path"])]
    return {"objects": objects} if objects else {}


def delete(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    path = str(body.get("path", ""))
    with store.lock:
        row = _file(store, path)
        if row["kind"] == "DIRECTORY" and not body.get("recursive") and _children(store, row["path"]):
            raise ApiError(
                400,
                "DIRECTORY_NOT_EMPTY",
                f"Folder ({row['path']}) is not empty. Use recursive delete or remove contents first.",
            )
        store.execute(
            "DELETE FROM files WHERE path = ? OR path LIKE ? ESCAPE '\\'",
            (row["path"], _like(row["path"].rstrip("/") + "/") + "%"),
        )
    return {}
