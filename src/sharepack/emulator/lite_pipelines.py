"""The Pipelines API (2.0)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from sharepack.emulator.lite_errors import ApiError, invalid, not_found
from sharepack.emulator.lite_store import Store, now_ms

USER = "local@sharepack.dev"
_LIKE = re.compile(r"^\s*name\s+LIKE\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)


def _like_regex(pattern: str) -> re.Pattern[str]:
    out, escaped = [], False
    for char in pattern.replace("''", "'"):
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


def _spec(body: dict[str, Any]) -> dict[str, Any]:
    spec = {
        k: v
        for k, v in body.items()
        if k not in ("allow_duplicate_names", "dry_run", "pipeline_id", "expected_last_modified")
    }
    if not spec.get("name"):
        raise invalid("Pipeline name must be specified.")
    return spec


def _check_name(store: Store, name: str, body: dict[str, Any], exclude: str | None = None) -> None:
    if body.get("allow_duplicate_names"):
        return
    for row in store.query("SELECT id FROM pipelines WHERE name = ?", (name,)):
        if row["id"] != exclude:
            raise ApiError(
                409, "RESOURCE_CONFLICT", f"The pipeline name '{name}' is already used by another pipeline."
            )


def create(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    spec = _spec(body)
    if body.get("dry_run"):
        # Validated, never stored: the answer carries no pipeline_id, as Databricks' does.
        _check_name(store, spec["name"], body)
        return {"effective_settings": spec}
    with store.lock:
        _check_name(store, spec["name"], body)
        pipeline_id = store.add_pipeline(spec, USER)
    return {"pipeline_id": pipeline_id, "effective_settings": {**spec, "id": pipeline_id}}


def _row(store: Store, pipeline_id: str) -> Any:
    row = store.pipeline(pipeline_id)
    if row is None:
        raise not_found(f"Pipeline {pipeline_id} does not exist.")
    return row


def get(store: Store, pipeline_id: str) -> dict[str, Any]:
    row = _row(store, pipeline_id)
    spec = json.loads(row["spec"])
    updates = latest_updates(store, pipeline_id)
    return {
        "pipeline_id": row["id"],
        "name": row["name"],
        "state": "IDLE",
        "health": "HEALTHY",
        "creator_user_name": row["creator"],
        "run_as_user_name": row["creator"],
        "last_modified": row["modified_ms"],
        "spec": {**spec, "id": row["id"]},
        "latest_updates": updates,
    }


def update(store: Store, pipeline_id: str, body: dict[str, Any]) -> dict[str, Any]:
    spec = _spec(body)
    with store.lock:
        _row(store, pipeline_id)
        _check_name(store, spec["name"], body, exclude=pipeline_id)
        store.execute(
            "UPDATE pipelines SET name = ?, spec = ?, modified_ms = ? WHERE id = ?",
            (spec["name"], json.dumps(spec), now_ms(), pipeline_id),
        )
    return {}


def delete(store: Store, pipeline_id: str) -> dict[str, Any]:
    with store.lock:
        _row(store, pipeline_id)
        store.execute("DELETE FROM pipelines WHERE id = ?", (pipeline_id,))
    return {}


def list_pipelines(store: Store, query: dict[str, str]) -> dict[str, Any]:
    max_results = int(query.get("max_results", 25))
    if max_results > 100:
        raise invalid("max_results must be at most 100")
    offset = int(query.get("page_token") or 0)
    rows = store.query("SELECT id, name, creator FROM pipelines ORDER BY id")
    flt = query.get("filter")
    if flt:
        match = _LIKE.match(flt)
        if not match:
            raise invalid(f"Invalid filter: {flt}")
        regex = _like_regex(match.group(1))
        rows = [r for r in rows if regex.match(r["name"])]
    page = rows[offset : offset + max_results]
    result: dict[str, Any] = {
        "statuses": [
            {"pipeline_id": r["id"], "name": r["name"], "state": "IDLE", "creator_user_name": r["creator"]}
            for r in page
        ]
    }
    if offset + max_results < len(rows):
        result["next_page_token"] = str(offset + max_results)
    return result


def start_update(
    store: Store, pipeline_id: str, body: dict[str, Any], run_id: int | None = None
) -> dict[str, Any]:
    _row(store, pipeline_id)
    update_id = str(uuid.uuid4())
    store.execute(
        "INSERT INTO updates VALUES (?, ?, ?, ?, ?)",
        (update_id, pipeline_id, run_id, now_ms(), 1 if body.get("full_refresh") else 0),
    )
    return {"update_id": update_id}


def latest_updates(store: Store, pipeline_id: str) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT * FROM updates WHERE pipeline_id = ? ORDER BY created_ms DESC LIMIT 5", (pipeline_id,)
    )
    return [
        {"update_id": r["update_id"], "state": "COMPLETED", "creation_time": str(r["created_ms"])}
        for r in rows
    ]


def list_updates(store: Store, pipeline_id: str) -> dict[str, Any]:
    _row(store, pipeline_id)
    rows = store.query("SELECT * FROM updates WHERE pipeline_id = ? ORDER BY created_ms DESC", (pipeline_id,))
    return {
        "updates": [
            {
                "update_id": r["update_id"],
                "pipeline_id": pipeline_id,
                "state": "COMPLETED",
                "full_refresh": bool(r["full_refresh"]),
                "creation_time": r["created_ms"],
            }
            for r in rows
        ]
    }
