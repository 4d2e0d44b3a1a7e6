"""The Workspace API's `list`: a folder's direct children (sharepack reads its generated files so)."""

from __future__ import annotations

from typing import Any

from sharepack.emulator.lite_errors import not_found
from sharepack.emulator.lite_store import Store


def list_objects(store: Store, query: dict[str, str]) -> dict[str, Any]:
    path = query.get("path", "").rstrip("/") or "/"
    rows = store.query("SELECT kind FROM files WHERE path = ?", (path,))
    if not rows or rows[0]["kind"] != "DIRECTORY":
        raise not_found(f"Path ({path}) doesn't exist.")
    prefix = path.rstrip("/") + "/"
    children = store.query(
        "SELECT path, kind, length(content) AS size FROM files WHERE path LIKE ? ESCAPE '\\' ORDER BY path",
        (_like_prefix(prefix) + "%",),
    )
    objects = [
        {"path": r["path"], "object_type": r["kind"], **({"size": r["size"]} if r["kind"] == "FILE" else {})}
        for r in children
        if "/" not in r["path"][len(prefix) :]
    ]
    # Databricks leaves `objects` out of the answer for an empty folder.
    return {"objects": objects} if objects else {}


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
