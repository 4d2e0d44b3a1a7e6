"""The Jobs API (2.2, 2.1 and the 2.0 alias): jobs. Their runs are in runs.py."""

from __future__ import annotations

import json
from typing import Any

from sharepack.emulator.errors import ApiError, invalid
from sharepack.emulator.iam.current_user import USER
from sharepack.emulator.jobs.settings_checks import validate_settings as _validate
from sharepack.emulator.store import Store


def _missing(job_id: Any) -> ApiError:
    return invalid(f"Job {job_id} does not exist.")


def validate_settings(store: Store, settings: dict[str, Any]) -> None:
    _validate(settings, lambda pipeline_id: store.pipeline(pipeline_id) is not None)


def _with_defaults(settings: dict[str, Any]) -> dict[str, Any]:
    """What the service stores: defaults filled in, as real responses show them."""
    stored = {
        "name": "Untitled",
        "email_notifications": {},
        "webhook_notifications": {},
        "timeout_seconds": 0,
        "max_concurrent_runs": 1,
        "format": "MULTI_TASK",
        **settings,
    }
    stored["tasks"] = [
        {"run_if": "ALL_SUCCESS", "timeout_seconds": 0, "email_notifications": {}, **t}
        for t in settings.get("tasks") or []
    ]
    if not stored["tasks"]:
        del stored["tasks"]
    return stored


def create(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    settings = {k: v for k, v in body.items() if k not in ("access_control_list", "idempotency_token")}
    with store.lock:
        validate_settings(store, settings)
        return {"job_id": store.add_job(_with_defaults(settings), USER)}


def _job(store: Store, job_id: Any) -> Any:
    try:
        row = store.job(int(job_id))
    except (TypeError, ValueError):
        raise invalid(f"Invalid job_id: {job_id}") from None
    if row is None:
        raise _missing(job_id)
    return row


TASKS_PAGE = 100  # jobs/get and runs/get answer at most 100 tasks a page


def _view(row: Any, *, tasks: bool = True, page_token: str | None = None) -> dict[str, Any]:
    settings = json.loads(row["settings"])
    view: dict[str, Any] = {
        "job_id": row["job_id"],
        "creator_user_name": row["creator"],
        "run_as_user_name": row["creator"],
        "created_time": row["created_ms"],
        "settings": settings,
    }
    if not tasks:
        settings.pop("tasks", None)
    elif len(settings.get("tasks") or []) > TASKS_PAGE or page_token:
        try:
            offset = int(page_token or 0)
        except ValueError:
            raise invalid(f"Invalid page_token: {page_token}") from None
        all_tasks = settings.get("tasks") or []
        settings["tasks"] = all_tasks[offset : offset + TASKS_PAGE]
        if offset:  # later pages carry only the next tasks
            for key in ("job_clusters", "parameters", "environments"):
                settings.pop(key, None)
        if offset + TASKS_PAGE < len(all_tasks):
            view["has_more"] = True
            view["next_page_token"] = str(offset + TASKS_PAGE)
    return view


def get(store: Store, query: dict[str, str]) -> dict[str, Any]:
    return _view(_job(store, query.get("job_id")), page_token=query.get("page_token"))


def reset(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    with store.lock:
        _job(store, body.get("job_id"))
        settings = body.get("new_settings") or {}
        validate_settings(store, settings)
        store.set_job(int(body["job_id"]), _with_defaults(settings))
    return {}


# Arrays jobs/update merges entry by entry (an entry with the same key is replaced whole).
_MERGED_ARRAYS = {"tasks": "task_key", "job_clusters": "job_cluster_key"}


def _merge(settings: dict[str, Any], new: dict[str, Any]) -> None:
    for field, value in new.items():
        key = _MERGED_ARRAYS.get(field)
        if key is None or not isinstance(value, list):
            settings[field] = value
            continue
        merged = {entry.get(key): entry for entry in settings.get(field) or []}
        for entry in value:
            merged[entry.get(key)] = entry
        settings[field] = list(merged.values())


def _remove(settings: dict[str, Any], fields: list[str]) -> None:
    for field in fields:
        top, _, entry_key = str(field).partition("/")
        if not entry_key:
            settings.pop(top, None)
            continue
        key = _MERGED_ARRAYS.get(top)
        if key is None:
            raise invalid(
                f"Cannot remove nested field '{field}': only tasks/<task_key> and "
                "job_clusters/<job_cluster_key> can be removed by key."
            )
        kept = [entry for entry in settings.get(top) or [] if entry.get(key) != entry_key]
        if len(kept) == len(settings.get(top) or []):
            raise invalid(f"Cannot remove '{field}': the job has no such entry.")
        settings[top] = kept


def update(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    with store.lock:
        row = _job(store, body.get("job_id"))
        settings = json.loads(row["settings"])
        new_settings = body.get("new_settings") or {}
        # Checked before merging by key, which would hide a repeated task_key.
        new_keys = [t.get("task_key") for t in new_settings.get("tasks") or []]
        repeated = next((k for i, k in enumerate(new_keys) if k in new_keys[:i]), None)
        if repeated is not None:
            raise invalid(f"Task key '{repeated}' is not unique: each task of a job needs its own task_key.")
        # Only a newly named pipeline must exist: tasks this update does not touch keep theirs.
        known = {(t.get("pipeline_task") or {}).get("pipeline_id") for t in settings.get("tasks") or []} - {
            None
        }
        _merge(settings, new_settings)
        _remove(settings, body.get("fields_to_remove") or [])
        _validate(
            settings, lambda pipeline_id: pipeline_id in known or store.pipeline(pipeline_id) is not None
        )
        store.set_job(int(body["job_id"]), _with_defaults(settings))
    return {}


def delete(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    with store.lock:
        _job(store, body.get("job_id"))
        store.execute("DELETE FROM jobs WHERE job_id = ?", (int(body["job_id"]),))
    return {}


def _limit(query: dict[str, str], default: int, most: int) -> int:
    """`limit`: 0 or absent means the default; past `most` (or negative) is refused."""
    try:
        limit = int(query.get("limit") or 0)
    except ValueError:
        raise invalid(f"Invalid limit {query.get('limit')}") from None
    if limit < 0 or limit > most:
        raise invalid(f"Invalid limit {limit} - it has to be between 0 and {most}.")
    return limit or default


def _offset(query: dict[str, str]) -> int:
    token = query.get("page_token") or query.get("offset") or "0"
    try:
        offset = int(token)
    except ValueError:
        raise invalid(f"Invalid page_token: {token}") from None
    if offset < 0 or offset >= 2**63:  # a token Databricks never issued: its offsets are int64
        raise invalid(f"Invalid page_token: {token}")
    return offset


def _true(query: dict[str, str], name: str) -> bool:
    return query.get(name, "false").lower() == "true"


def list_jobs(store: Store, query: dict[str, str]) -> dict[str, Any]:
    limit = _limit(query, 20, 100)
    offset = _offset(query)
    expand = _true(query, "expand_tasks")
    name = query.get("name")
    if name is not None:
        rows = store.query(
            "SELECT * FROM jobs WHERE name = ? COLLATE NOCASE ORDER BY job_id LIMIT ? OFFSET ?",
            (name, limit + 1, offset),
        )
    else:
        rows = store.query("SELECT * FROM jobs ORDER BY job_id LIMIT ? OFFSET ?", (limit + 1, offset))
    result: dict[str, Any] = {
        "jobs": [_view(r, tasks=expand) for r in rows[:limit]],
        "has_more": len(rows) > limit,
    }
    if len(rows) > limit:
        result["next_page_token"] = str(offset + limit)
    if not result["jobs"]:
        del result["jobs"]
    return result
