"""What a pipeline's libraries must be, as Databricks checks them.

Two checks at two moments, as on Databricks. A `file` library must name a Python or SQL file:
refused when the pipeline is created or edited (the Pipelines API's own message). That the code
exists in the workspace is not checked then — a pipeline may be created before its code is
uploaded — but an update of a pipeline whose code is missing fails, so a run of its job fails
too: what passes locally is what would pass on Databricks.
"""

from __future__ import annotations

import json
from typing import Any

from sharepack.emulator.errors import invalid
from sharepack.emulator.store import Store
from sharepack.emulator.workspace.objects import lookup

_CODE_KINDS = ("notebook", "file")


def check_file_libraries(spec: dict[str, Any]) -> None:
    for library in spec.get("libraries") or []:
        path = str(((library or {}).get("file") or {}).get("path") or "")
        if path and not path.lower().endswith((".py", ".sql")):
            raise invalid(
                f"Invalid file path: '{path}'. Only Python and SQL files are currently supported. "
                "Paths must end with .py or .sql (case insensitive)."
            )


def missing_code(store: Store, spec: dict[str, Any]) -> str | None:
    """Why an update of the pipeline fails at start, or None when all its code is there."""
    for library in spec.get("libraries") or []:
        for kind in _CODE_KINDS:
            path = str(((library or {}).get(kind) or {}).get("path") or "")
            if not path or "*" in path:
                continue  # a glob names a folder's files, whatever they are
            if lookup(store, path.rstrip("/") or "/") is None:
                return f"Failed to load the pipeline's {kind} library: {path} is not in the workspace."
    return None


def pipeline_failure(store: Store, pipeline_id: str) -> str | None:
    """Why an update of the stored pipeline fails at start (see `missing_code`); None when it
    runs, or when there is no such pipeline."""
    row = store.pipeline(pipeline_id)
    return missing_code(store, json.loads(row["spec"])) if row is not None else None


def record_failure(store: Store, update_id: str, message: str) -> None:
    store.execute("INSERT OR REPLACE INTO update_failures VALUES (?, ?)", (update_id, message))


def failure_of(store: Store, update_id: str) -> str | None:
    rows = store.query("SELECT message FROM update_failures WHERE update_id = ?", (update_id,))
    return str(rows[0]["message"]) if rows else None
