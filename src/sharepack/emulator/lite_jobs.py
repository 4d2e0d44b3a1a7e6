"""The Jobs API (2.1 and 2.2): jobs and their runs."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sharepack.emulator import lite_pipelines
from sharepack.emulator.lite_errors import ApiError, invalid
from sharepack.emulator.lite_quartz import quartz_error
from sharepack.emulator.lite_store import Store

USER = lite_pipelines.USER


def _missing(job_id: Any) -> ApiError:
    return invalid(f"Job {job_id} does not exist.")


def validate_settings(settings: dict[str, Any]) -> None:
    schedule = settings.get("schedule")
    if schedule is not None:
        expression = schedule.get("quartz_cron_expression")
        if not expression:
            raise invalid("Missing required field: settings.schedule.quartz_cron_expression")
        error = quartz_error(expression)
        if error:
            raise invalid(error)
        timezone = schedule.get("timezone_id")
        if not timezone:
            raise invalid("Missing required field: settings.schedule.timezone_id")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise invalid(f"Invalid timezone_id: {timezone}") from None
    if schedule is not None and settings.get("continuous") is not None:
        raise invalid("A job may have only one of schedule, continuous and trigger.")
    trigger = settings.get("trigger") or {}
    for kind in ("file_arrival", "table_update"):
        config = trigger.get(kind)
        if config is None:
            continue
        if kind == "file_arrival" and not config.get("url"):
            raise invalid("Missing required field: settings.trigger.file_arrival.url")
        if kind == "table_update" and not config.get("table_names"):
            raise invalid("Missing required field: settings.trigger.table_update.table_names")
        for key in ("min_time_between_triggers_seconds", "wait_after_last_change_seconds"):
            if key in config and int(config[key]) < 60:
                raise invalid(f"{key} must be at least 60 seconds")
    keys = set()
    for task in settings.get("tasks") or []:
        if not task.get("task_key"):
            raise invalid("Missing required field: settings.tasks.task_key")
        keys.add(task["task_key"])
        pipeline_task = task.get("pipeline_task")
        if pipeline_task is not None and not pipeline_task.get("pipeline_id"):
            raise invalid("Missing required field: settings.tasks.pipeline_task.pipeline_id")
    for task in settings.get("tasks") or []:
        for dep in task.get("depends_on") or []:
            if dep.get("task_key") not in keys:
                raise invalid(f"Task {task['task_key']} depends on unknown task {dep.get('task_key')}")


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
    validate_settings(settings)
    return {"job_id": store.add_job(_with_defaults(settings), USER)}


def _job(store: Store, job_id: Any) -> Any:
    try:
        row = store.job(int(job_id))
    except (TypeError, ValueError):
        raise invalid(f"Invalid job_id: {job_id}") from None
    if row is None:
        raise _missing(job_id)
    return row


def _view(row: Any, *, tasks: bool = True) -> dict[str, Any]:
    settings = json.loads(row["settings"])
    if not tasks:
        settings.pop("tasks", None)
    return {
        "job_id": row["job_id"],
        "creator_user_name": row["creator"],
        "run_as_user_name": row["creator"],
        "created_time": row["created_ms"],
        "settings": settings,
    }


def get(store: Store, query: dict[str, str]) -> dict[str, Any]:
    return _view(_job(store, query.get("job_id")))


def reset(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    with store.lock:
        _job(store, body.get("job_id"))
        settings = body.get("new_settings") or {}
        validate_settings(settings)
        store.set_job(int(body["job_id"]), _with_defaults(settings))
    return {}


def update(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    with store.lock:
        row = _job(store, body.get("job_id"))
        settings = json.loads(row["settings"])
        settings.update(body.get("new_settings") or {})
        for field in body.get("fields_to_remove") or []:
            settings.pop(field, None)
        validate_settings(settings)
        store.set_job(int(body["job_id"]), _with_defaults(settings))
    return {}


def delete(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    with store.lock:
        _job(store, body.get("job_id"))
        store.execute("DELETE FROM jobs WHERE job_id = ?", (int(body["job_id"]),))
    return {}


def list_jobs(store: Store, query: dict[str, str]) -> dict[str, Any]:
    limit = int(query.get("limit", 20))
    if not 0 < limit <= 100:
        raise invalid("limit must be between 1 and 100")
    offset = int(query.get("page_token") or query.get("offset") or 0)
    expand = query.get("expand_tasks", "false").lower() == "true"
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


# -- runs ---------------------------------------------------------------------------------
def run_now(
    store: Store, body: dict[str, Any], duration_s: float, trigger: str = "ONE_TIME"
) -> dict[str, Any]:
    with store.lock:
        row = _job(store, body.get("job_id"))
        token = body.get("idempotency_token")
        if token:
            existing = store.query("SELECT run_id, number_in_job FROM runs WHERE token = ?", (token,))
            if existing:
                return {"run_id": existing[0]["run_id"], "number_in_job": existing[0]["number_in_job"]}
        outcome_rows = store.query("SELECT outcome FROM outcomes WHERE job_id = ?", (row["job_id"],))
        outcome = outcome_rows[0]["outcome"] if outcome_rows else "SUCCESS"
        number = store.query("SELECT COUNT(*) AS n FROM runs WHERE job_id = ?", (row["job_id"],))[0]["n"] + 1
        settings = json.loads(row["settings"])
        params = dict(body.get("job_parameters") or {})
        # A run reports every job parameter with its default, as runs/get does on Databricks.
        params["__defaults"] = {p["name"]: p.get("default", "") for p in settings.get("parameters") or []}
        if body.get("pipeline_params"):
            params["__pipeline_params"] = body["pipeline_params"]
        run_id = store.execute(
            "INSERT INTO runs (job_id, number_in_job, start_ms, trigger, outcome, params, token)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row["job_id"], number, store.now(), trigger, outcome, json.dumps(params), token),
        )
        full_refresh = bool((body.get("pipeline_params") or {}).get("full_refresh"))
        for task in settings.get("tasks") or []:
            pipeline_id = (task.get("pipeline_task") or {}).get("pipeline_id")
            if pipeline_id and store.pipeline(pipeline_id) is not None:
                lite_pipelines.start_update(store, pipeline_id, {"full_refresh": full_refresh}, run_id)
    _ = duration_s
    return {"run_id": run_id, "number_in_job": number}


def _run_view(store: Store, row: Any, duration_s: float, base_url: str) -> dict[str, Any]:
    elapsed_ms = store.now() - row["start_ms"]
    duration_ms = int(duration_s * 1000)
    params = json.loads(row["params"])
    pipeline_params = params.pop("__pipeline_params", None)
    defaults = params.pop("__defaults", {})
    job_parameters = [{"name": n, "default": d, "value": params.pop(n, d)} for n, d in defaults.items()]
    job_parameters += [{"name": k, "value": v} for k, v in params.items()]
    if row["canceled"]:
        life, result = "TERMINATED", "CANCELED"
    elif elapsed_ms >= duration_ms:
        life, result = "TERMINATED", row["outcome"]
    elif elapsed_ms >= duration_ms // 2:
        life, result = "RUNNING", None
    else:
        life, result = "PENDING", None
    state: dict[str, Any] = {"life_cycle_state": life, "state_message": ""}
    status: dict[str, Any] = {"state": life}
    view: dict[str, Any] = {
        "run_id": row["run_id"],
        "job_id": row["job_id"],
        "number_in_job": row["number_in_job"],
        "start_time": row["start_ms"],
        "trigger": row["trigger"],
        "run_page_url": f"{base_url}/#job/{row['job_id']}/run/{row['run_id']}",
        "job_parameters": job_parameters,
        "state": state,
        "status": status,
        "run_type": "JOB_RUN",
    }
    if pipeline_params:
        view["pipeline_params"] = pipeline_params
    if result is not None:
        end = row["start_ms"] + (min(elapsed_ms, duration_ms) if not row["canceled"] else elapsed_ms)
        state["result_state"] = result
        status["termination_details"] = {
            "code": result,
            "type": "SUCCESS" if result == "SUCCESS" else "CLIENT_ERROR",
        }
        view["end_time"] = end
        view["run_duration"] = end - row["start_ms"]
    return view


def get_run(store: Store, query: dict[str, str], duration_s: float, base_url: str) -> dict[str, Any]:
    rows = store.query("SELECT * FROM runs WHERE run_id = ?", (int(query.get("run_id", 0)),))
    if not rows:
        raise invalid(f"Run {query.get('run_id')} does not exist.")
    return _run_view(store, rows[0], duration_s, base_url)


def list_runs(store: Store, query: dict[str, str], duration_s: float, base_url: str) -> dict[str, Any]:
    limit = int(query.get("limit", 25))
    if not 0 < limit <= 25:
        raise invalid("limit must be between 1 and 25")
    offset = int(query.get("page_token") or query.get("offset") or 0)
    if query.get("job_id"):
        rows = store.query(
            "SELECT * FROM runs WHERE job_id = ? ORDER BY run_id DESC", (int(query["job_id"]),)
        )
    else:
        rows = store.query("SELECT * FROM runs ORDER BY run_id DESC")
    views = [_run_view(store, r, duration_s, base_url) for r in rows]
    if query.get("active_only", "false").lower() == "true":
        views = [v for v in views if v["state"]["life_cycle_state"] != "TERMINATED"]
    if query.get("completed_only", "false").lower() == "true":
        views = [v for v in views if v["state"]["life_cycle_state"] == "TERMINATED"]
    page = views[offset : offset + limit]
    result: dict[str, Any] = {"runs": page, "has_more": offset + limit < len(views)}
    if offset + limit < len(views):
        result["next_page_token"] = str(offset + limit)
    if not page:
        del result["runs"]
    return result


def cancel_run(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    rows = store.query("SELECT run_id FROM runs WHERE run_id = ?", (int(body.get("run_id", 0)),))
    if not rows:
        raise invalid(f"Run {body.get('run_id')} does not exist.")
    store.execute("UPDATE runs SET canceled = 1 WHERE run_id = ?", (rows[0]["run_id"],))
    return {}
