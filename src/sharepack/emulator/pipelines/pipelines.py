"""The Pipelines API (2.0)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sharepack.emulator.errors import ApiError, invalid, not_found
from sharepack.emulator.iam.current_user import USER
from sharepack.emulator.pipelines import libraries
from sharepack.emulator.run_phase import run_phase
from sharepack.emulator.store import Store, now_ms

_LIKE = re.compile(r"^\s*name\s+LIKE\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)


def _like_regex(pattern: str, *, backslash_escapes: bool = True) -> re.Pattern[str]:
    """`%` any run, `_` any one character; `\\` escapes the next character unless configured not to
    (Databricks' reading of `\\` in a pipelines filter is not known: both are served)."""
    out, escaped = [], False
    for char in pattern.replace("''", "'"):
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\" and backslash_escapes:
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


EDITIONS = ("CORE", "PRO", "ADVANCED")
CHANNELS = ("CURRENT", "PREVIEW")
_UC_NAME_BAD = re.compile(r"[.\s/\x00-\x1f\x7f]")


def _spec(body: dict[str, Any], operation: str) -> dict[str, Any]:
    spec = {
        k: v
        for k, v in body.items()
        if k not in ("allow_duplicate_names", "dry_run", "pipeline_id", "expected_last_modified")
    }
    if not spec.get("name"):
        raise invalid("Pipeline name must be specified.")
    if spec.get("schema") and spec.get("target"):
        raise invalid(
            "Only one of 'schema' and 'target' may be specified; 'target' is deprecated, use 'schema'."
        )
    schema = spec.get("schema") or spec.get("target")
    if schema and _UC_NAME_BAD.search(str(schema)):
        raise invalid(
            f"{operation} target_schema_name {json.dumps(schema)} is not a valid name. Valid names must "
            "contain only alphanumeric characters and underscores, and cannot contain spaces, periods, "
            "forward slashes, or control characters."
        )
    for field, allowed in (("edition", EDITIONS), ("channel", CHANNELS)):
        value = spec.get(field)
        if value is not None and str(value).upper() not in allowed:
            raise invalid(f"Invalid {field} '{value}'. Valid values are: {', '.join(allowed)}.")
    libraries.check_file_libraries(spec)
    return spec


def _check_name(store: Store, name: str, body: dict[str, Any], exclude: str | None = None) -> None:
    if body.get("allow_duplicate_names"):
        return
    for row in store.query("SELECT id FROM pipelines WHERE name = ?", (name,)):
        if row["id"] != exclude:
            raise ApiError(
                409, "RESOURCE_CONFLICT", f"The pipeline name '{name}' is already used by another pipeline."
            )


def _check_catalog(spec: dict[str, Any], catalogs: frozenset[str] | None) -> None:
    """A pipeline publishes into a catalog of the metastore. Checked once the metastore knows
    catalogs (any was created or seeded): until then the emulator cannot tell a typo from one it
    was never told about."""
    catalog = spec.get("catalog")
    if catalogs is not None and catalog and str(catalog).lower() not in catalogs:
        raise invalid(f"Catalog '{catalog}' does not exist.")


def create(store: Store, body: dict[str, Any], catalogs: frozenset[str] | None = None) -> dict[str, Any]:
    spec = _spec(body, "CreatePipeline")
    _check_catalog(spec, catalogs)
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
        raise not_found(f"The specified pipeline {pipeline_id} was not found.")
    return row


def _iso(ms: int) -> str:
    stamp = datetime.fromtimestamp(ms / 1000, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


# -- updates ------------------------------------------------------------------------------
_ACTIVE = frozenset(
    {
        "QUEUED",
        "CREATED",
        "WAITING_FOR_RESOURCES",
        "INITIALIZING",
        "RESETTING",
        "SETTING_UP_TABLES",
        "RUNNING",
        "STOPPING",
    }
)


def _update_state(store: Store, row: Any, duration_s: float) -> str:
    if store.query("SELECT 1 FROM update_stops WHERE update_id = ?", (row["update_id"],)):
        return "CANCELED"
    if row["run_id"] is not None:
        runs = store.query("SELECT * FROM runs WHERE run_id = ?", (row["run_id"],))
        if not runs:
            return "COMPLETED"
        life, result = run_phase(store, runs[0], duration_s)
        if result is None:
            return "WAITING_FOR_RESOURCES" if life == "PENDING" else "RUNNING"
        return {"SUCCESS": "COMPLETED", "CANCELED": "CANCELED"}.get(result, "FAILED")
    elapsed_ms = store.now() - row["created_ms"]
    duration_ms = int(duration_s * 1000)
    if elapsed_ms >= duration_ms:
        return "FAILED" if libraries.failure_of(store, row["update_id"]) else "COMPLETED"
    return "RUNNING" if elapsed_ms >= duration_ms // 2 else "INITIALIZING"


def _updates(store: Store, pipeline_id: str, duration_s: float) -> list[tuple[Any, str]]:
    rows = store.query(
        "SELECT * FROM updates WHERE pipeline_id = ? ORDER BY created_ms DESC, rowid DESC", (pipeline_id,)
    )
    return [(r, _update_state(store, r, duration_s)) for r in rows]


def _state_of(updates: list[tuple[Any, str]]) -> str:
    return "RUNNING" if any(state in _ACTIVE for _, state in updates) else "IDLE"


def _latest(updates: list[tuple[Any, str]]) -> list[dict[str, Any]]:
    return [
        {"update_id": r["update_id"], "state": state, "creation_time": _iso(r["created_ms"])}
        for r, state in updates[:5]
    ]


def get(store: Store, pipeline_id: str, duration_s: float = 0) -> dict[str, Any]:
    row = _row(store, pipeline_id)
    spec = json.loads(row["spec"])
    updates = _updates(store, pipeline_id, duration_s)
    view: dict[str, Any] = {
        "pipeline_id": row["id"],
        "name": row["name"],
        "state": _state_of(updates),
        "health": "HEALTHY",
        "creator_user_name": row["creator"],
        "run_as_user_name": row["creator"],
        "last_modified": row["modified_ms"],
        "spec": {**spec, "id": row["id"]},
    }
    if updates:
        view["latest_updates"] = _latest(updates)
    return view


def update(
    store: Store, pipeline_id: str, body: dict[str, Any], catalogs: frozenset[str] | None = None
) -> dict[str, Any]:
    with store.lock:
        _row(store, pipeline_id)
        spec = _spec(body, "EditPipeline")
        _check_catalog(spec, catalogs)
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


def _max_results(query: dict[str, str], default: int, most: int) -> int:
    try:
        value = int(query.get("max_results") or default)
    except ValueError:
        raise invalid(f"Invalid max_results: {query.get('max_results')}") from None
    if value < 1 or value > most:
        raise invalid(f"max_results must be between 1 and {most}")
    return value


def _page_offset(query: dict[str, str]) -> int:
    token = query.get("page_token") or "0"
    # Past int64 is a token Databricks never issued (and int() of 5,000 digits is refused).
    if not token.isascii() or not token.isdigit() or len(token) > 19 or int(token) >= 2**63:
        raise invalid(f"Invalid page_token: {token}")
    return int(token)


def list_pipelines(store: Store, query: dict[str, str], duration_s: float = 0) -> dict[str, Any]:
    max_results = _max_results(query, 25, 100)
    offset = _page_offset(query)
    rows = store.query("SELECT id, name, creator FROM pipelines ORDER BY id")
    flt = query.get("filter")
    if flt:
        match = _LIKE.match(flt)
        if not match:
            raise invalid(f"Invalid filter: {flt}")
        regex = _like_regex(match.group(1), backslash_escapes=store.like_backslash_escapes)
        rows = [r for r in rows if regex.match(r["name"])]
    page = rows[offset : offset + max_results]
    statuses = []
    for r in page:
        updates = _updates(store, r["id"], duration_s)
        item: dict[str, Any] = {
            "pipeline_id": r["id"],
            "name": r["name"],
            "state": _state_of(updates),
            "health": "HEALTHY",
            "creator_user_name": r["creator"],
            "run_as_user_name": r["creator"],
        }
        if updates:
            item["latest_updates"] = _latest(updates)
        statuses.append(item)
    result: dict[str, Any] = {}
    if statuses:
        result["statuses"] = statuses
    if offset + max_results < len(rows):
        result["next_page_token"] = str(offset + max_results)
    return result


def record_update(store: Store, pipeline_id: str, full_refresh: bool, run_id: int | None) -> str:
    update_id = str(uuid.uuid4())
    store.execute(
        "INSERT INTO updates VALUES (?, ?, ?, ?, ?)",
        (update_id, pipeline_id, run_id, store.now(), 1 if full_refresh else 0),
    )
    failure = libraries.pipeline_failure(store, pipeline_id)
    if failure is not None:
        libraries.record_failure(store, update_id, failure)
    return update_id


def start_update(
    store: Store, pipeline_id: str, body: dict[str, Any], duration_s: float = 0
) -> dict[str, Any]:
    with store.lock:
        _row(store, pipeline_id)
        active = [r for r, state in _updates(store, pipeline_id, duration_s) if state in _ACTIVE]
        if active:
            raise ApiError(
                409,
                "RESOURCE_CONFLICT",
                f"Pipeline {pipeline_id} has an active update {active[0]['update_id']}; "
                "stop it or wait for it to finish before starting another.",
            )
        update_id = record_update(store, pipeline_id, bool(body.get("full_refresh")), None)
    return {"update_id": update_id}


def stop(store: Store, pipeline_id: str, duration_s: float = 0) -> dict[str, Any]:
    with store.lock:
        _row(store, pipeline_id)
        for r, state in _updates(store, pipeline_id, duration_s):
            if state in _ACTIVE:
                store.execute("INSERT OR IGNORE INTO update_stops VALUES (?)", (r["update_id"],))
    return {}


def _update_info(pipeline_id: str, r: Any, state: str) -> dict[str, Any]:
    return {
        "update_id": r["update_id"],
        "pipeline_id": pipeline_id,
        "state": state,
        "cause": "JOB_TASK" if r["run_id"] is not None else "API_CALL",
        "full_refresh": bool(r["full_refresh"]),
        "creation_time": r["created_ms"],
    }


def list_updates(
    store: Store, pipeline_id: str, query: dict[str, str], duration_s: float = 0
) -> dict[str, Any]:
    """Newest first; `until_update_id` stops the list at (and including) that update."""
    _row(store, pipeline_id)
    max_results = _max_results(query, 25, 100)
    offset = _page_offset(query)
    updates = _updates(store, pipeline_id, duration_s)
    until = query.get("until_update_id")
    if until:
        ids = [r["update_id"] for r, _ in updates]
        if until in ids:
            updates = updates[: ids.index(until) + 1]
    page = updates[offset : offset + max_results]
    result: dict[str, Any] = {}
    if page:
        result["updates"] = [_update_info(pipeline_id, r, state) for r, state in page]
    if offset + max_results < len(updates):
        result["next_page_token"] = str(offset + max_results)
    if offset:
        result["prev_page_token"] = str(max(0, offset - max_results))
    return result


def get_update(store: Store, pipeline_id: str, update_id: str, duration_s: float = 0) -> dict[str, Any]:
    _row(store, pipeline_id)
    for r, state in _updates(store, pipeline_id, duration_s):
        if r["update_id"] == update_id:
            return {"update": _update_info(pipeline_id, r, state)}
    raise not_found(f"The specified update {update_id} was not found.")


def list_events(
    store: Store, pipeline_id: str, query: dict[str, str], duration_s: float = 0
) -> dict[str, Any]:
    """One `update_progress` event per update, newest first: its current state."""
    _row(store, pipeline_id)
    max_results = _max_results(query, 25, 250)
    offset = _page_offset(query)
    events = [_event(store, pipeline_id, r, state) for r, state in _updates(store, pipeline_id, duration_s)]
    page = events[offset : offset + max_results]
    result: dict[str, Any] = {}
    if page:
        result["events"] = page
    if offset + max_results < len(events):
        result["next_page_token"] = str(offset + max_results)
    return result


def _event(store: Store, pipeline_id: str, r: Any, state: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": r["update_id"],
        "event_type": "update_progress",
        "level": "INFO",
        "maturity_level": "STABLE",
        "message": f"Update {r['update_id'][:6]} is {state}.",
        "timestamp": _iso(r["created_ms"]),
        "origin": {"pipeline_id": pipeline_id, "update_id": r["update_id"]},
        "details": {"update_progress": {"state": state}},
    }
    failure = libraries.failure_of(store, r["update_id"]) if state == "FAILED" else None
    if failure is not None:
        event["level"] = "ERROR"
        event["error"] = {"fatal": True, "exceptions": [{"message": failure}]}
    return event
