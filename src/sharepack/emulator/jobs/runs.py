"""Job runs (Jobs API 2.1/2.2): run-now, runs/submit, runs/get, runs/list, cancel, delete, output.

A run's tasks are taken from its job when it starts. A run's life cycle follows the time since it
started (see run_phase). A failed run fails its first task: tasks that depend on it end
UPSTREAM_FAILED, and a run with tasks reports the life cycle INTERNAL_ERROR with result FAILED, as
Databricks reports a multi-task run one of whose tasks failed.
"""

from __future__ import annotations

import json
from typing import Any

from sharepack.emulator.errors import invalid
from sharepack.emulator.iam.current_user import USER
from sharepack.emulator.jobs.jobs import _job, _limit, _offset, _true
from sharepack.emulator.jobs.settings_checks import validate_settings
from sharepack.emulator.pipelines import libraries, pipelines
from sharepack.emulator.run_phase import run_phase
from sharepack.emulator.store import Store

TASK_RUN_BASE = 10**12  # task run ids: TASK_RUN_BASE + run_id * 1000 + index (unique, JS-safe)
TASK_FAILURE = "Workload failed, see run output for details"
_TERMINATION = {  # result -> (code, type, message)
    "SUCCESS": ("SUCCESS", "SUCCESS", ""),
    "FAILED": ("RUN_EXECUTION_ERROR", "CLIENT_ERROR", TASK_FAILURE),
    "CANCELED": ("USER_CANCELED", "SUCCESS", "Run cancelled."),
}


def _missing_run(run_id: Any) -> Exception:
    return invalid(f"Run {run_id} does not exist.")


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid {what}: {value}") from None


def _insert(
    store: Store,
    job_id: int,
    number: int,
    trigger: str,
    outcome: str,
    meta: dict[str, Any],
    token: str | None,
) -> int:
    return store.execute(
        "INSERT INTO runs (job_id, number_in_job, start_ms, trigger, outcome, params, token)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (job_id, number, store.now(), trigger, outcome, json.dumps(meta), token),
    )


def _task_snapshot(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "task_key": t.get("task_key"),
            "depends_on": [d.get("task_key") for d in t.get("depends_on") or []],
            **({"pipeline_id": t["pipeline_task"]["pipeline_id"]} if t.get("pipeline_task") else {}),
        }
        for t in tasks
    ]


def _missing_code(store: Store, tasks: list[dict[str, Any]]) -> tuple[str, str] | None:
    """(task key, why) of the first pipeline task whose pipeline's code is missing: its update,
    and so the run, fails."""
    for task in tasks:
        pipeline_id = task.get("pipeline_id")
        failure = libraries.pipeline_failure(store, pipeline_id) if pipeline_id else None
        if failure is not None:
            return task["task_key"], failure
    return None


def _start_pipelines(store: Store, tasks: list[dict[str, Any]], run_id: int, full_refresh: bool) -> None:
    for task in tasks:
        pipeline_id = task.get("pipeline_id")
        if pipeline_id and store.pipeline(pipeline_id) is not None:
            pipelines.record_update(store, pipeline_id, full_refresh, run_id)


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
        meta: dict[str, Any] = dict(body.get("job_parameters") or {})
        # A run reports every job parameter with its default, as runs/get does on Databricks.
        meta["__defaults"] = {p["name"]: p.get("default", "") for p in settings.get("parameters") or []}
        if body.get("pipeline_params"):
            meta["__pipeline_params"] = body["pipeline_params"]
        meta["__run_name"] = settings.get("name") or "Untitled"
        meta["__run_type"] = "JOB_RUN"
        tasks = _task_snapshot(settings.get("tasks") or [])
        meta["__tasks"] = tasks
        failure = _missing_code(store, tasks)
        if failure is not None:
            outcome, meta["__failure"] = "FAILED", failure
        run_id = _insert(store, row["job_id"], number, trigger, outcome, meta, token)
        full_refresh = bool((body.get("pipeline_params") or {}).get("full_refresh"))
        _start_pipelines(store, tasks, run_id, full_refresh)
    return {"run_id": run_id, "number_in_job": number}


def submit(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """A one-time run of tasks given in the request, not a job's (run_type SUBMIT_RUN)."""
    tasks = body.get("tasks") or []
    if not tasks:
        raise invalid("Missing required field: tasks")
    with store.lock:
        validate_settings({"tasks": tasks}, lambda pid: store.pipeline(pid) is not None)
        token = body.get("idempotency_token")
        if token:
            existing = store.query("SELECT run_id FROM runs WHERE token = ?", (token,))
            if existing:
                return {"run_id": existing[0]["run_id"]}
        snapshot = _task_snapshot(tasks)
        meta: dict[str, Any] = {
            "__defaults": {},
            "__run_name": body.get("run_name") or "Untitled",
            "__run_type": "SUBMIT_RUN",
            "__tasks": snapshot,
        }
        run_id = _insert(store, 0, 0, "ONE_TIME", "SUCCESS", meta, token)
        _start_pipelines(store, snapshot, run_id, False)
    return {"run_id": run_id}


def _task_results(tasks: list[dict[str, Any]], outcome: str, failed: str | None = None) -> dict[str, str]:
    """The result of each task of a run whose outcome is `outcome` (`failed`: the task that failed,
    else the first)."""
    if outcome != "FAILED" or not tasks:
        return {t["task_key"]: outcome for t in tasks}
    results: dict[str, str] = {failed or tasks[0]["task_key"]: "FAILED"}
    changed = True
    while changed:
        changed = False
        for task in tasks:
            key = task["task_key"]
            if key not in results and any(
                results.get(d) in ("FAILED", "UPSTREAM_FAILED") for d in task["depends_on"]
            ):
                results[key] = "UPSTREAM_FAILED"
                changed = True
    return {t["task_key"]: results.get(t["task_key"], "SUCCESS") for t in tasks}


def _termination(result: str, message: str | None = None) -> dict[str, Any]:
    code, kind, default = _TERMINATION.get(result, ("RUN_EXECUTION_ERROR", "CLIENT_ERROR", TASK_FAILURE))
    details = {"code": code, "type": kind}
    if message or default:
        details["message"] = message or default
    return details


def run_view(
    store: Store, row: Any, duration_s: float, base_url: str, *, tasks: bool = True
) -> dict[str, Any]:
    meta = json.loads(row["params"])
    pipeline_params = meta.pop("__pipeline_params", None)
    defaults = meta.pop("__defaults", {})
    run_name = meta.pop("__run_name", "Untitled")
    run_type = meta.pop("__run_type", "JOB_RUN")
    task_list = meta.pop("__tasks", [])
    failed_key, failure = meta.pop("__failure", None) or (None, None)
    job_parameters = [{"name": n, "default": d, "value": meta.pop(n, d)} for n, d in defaults.items()]
    job_parameters += [{"name": k, "value": v} for k, v in meta.items()]
    life, result = run_phase(store, row, duration_s)
    state: dict[str, Any] = {"life_cycle_state": life, "state_message": ""}
    status: dict[str, Any] = {"state": life}
    job_id = row["job_id"]
    page = (
        f"{base_url}/#job/{job_id}/run/{row['run_id']}" if job_id else f"{base_url}/#job/run/{row['run_id']}"
    )
    view: dict[str, Any] = {
        "run_id": row["run_id"],
        "creator_user_name": USER,
        "run_name": run_name,
        "start_time": row["start_ms"],
        "trigger": row["trigger"],
        "run_page_url": page,
        "state": state,
        "status": status,
        "run_type": run_type,
    }
    if job_id:
        view["job_id"] = job_id
        view["number_in_job"] = row["number_in_job"]
    if job_parameters:
        view["job_parameters"] = job_parameters
    if pipeline_params:
        view["overriding_parameters"] = {"pipeline_params": pipeline_params}
    results = _task_results(task_list, result, failed_key if result == "FAILED" else None) if result else {}
    failed_task = next((k for k, r in results.items() if r == "FAILED"), None)
    if result is not None:
        end = row["start_ms"] + (
            min(store.now() - row["start_ms"], int(duration_s * 1000))
            if not row["canceled"]
            else store.now() - row["start_ms"]
        )
        state["result_state"] = result
        message = None
        if failed_task is not None:
            message = f"Task {failed_task} failed with message: {(failure or TASK_FAILURE).rstrip('.')}."
            state["life_cycle_state"] = "INTERNAL_ERROR"
            state["state_message"] = message
        status["state"] = "TERMINATED"
        status["termination_details"] = _termination(result, message)
        view["end_time"] = end
        view["run_duration"] = end - row["start_ms"]
    if tasks and task_list:
        view["tasks"] = [
            _task_view(row, i, task, life, results.get(task["task_key"]), view, page, failure)
            for i, task in enumerate(task_list)
        ]
    return view


def _task_view(
    row: Any,
    index: int,
    task: dict[str, Any],
    life: str,
    result: str | None,
    run: dict[str, Any],
    page: str,
    failure: str | None = None,
) -> dict[str, Any]:
    task_run_id = TASK_RUN_BASE + row["run_id"] * 1000 + index
    view: dict[str, Any] = {
        "run_id": task_run_id,
        "task_key": task["task_key"],
        "start_time": row["start_ms"],
        "attempt_number": 0,
        "run_page_url": f"{page}/task/{task_run_id}",
        "state": {"life_cycle_state": "TERMINATED" if result else life, "state_message": ""},
        "status": {"state": "TERMINATED" if result else life},
    }
    if task["depends_on"]:
        view["depends_on"] = [{"task_key": d} for d in task["depends_on"]]
    if task.get("pipeline_id"):
        view["pipeline_task"] = {"pipeline_id": task["pipeline_id"]}
    if result:
        view["state"]["result_state"] = result
        if result == "FAILED":
            view["state"]["state_message"] = failure or TASK_FAILURE
        view["status"]["termination_details"] = _termination(result)
        view["end_time"] = run["end_time"]
        view["run_duration"] = run["run_duration"]
    return view


def _run_row(store: Store, run_id: Any) -> Any:
    rows = store.query("SELECT * FROM runs WHERE run_id = ?", (_int(run_id, "run_id"),))
    if not rows:
        raise _missing_run(run_id)
    return rows[0]


def get_run(store: Store, query: dict[str, str], duration_s: float, base_url: str) -> dict[str, Any]:
    return run_view(store, _run_row(store, query.get("run_id")), duration_s, base_url)


def get_output(store: Store, query: dict[str, str], duration_s: float, base_url: str) -> dict[str, Any]:
    """runs/get-output: of a task run; a job run with exactly one task answers for that task."""
    run_id = _int(query.get("run_id"), "run_id")
    task_index = None
    if run_id >= TASK_RUN_BASE:
        run_id, task_index = divmod(run_id - TASK_RUN_BASE, 1000)
    row = _run_row(store, run_id)
    run = run_view(store, row, duration_s, base_url)
    tasks = run.get("tasks") or []
    if task_index is None:
        if len(tasks) > 1:
            raise invalid(
                f"Retrieving the output of run {run_id} is not supported: it is a run of a job with "
                "multiple tasks; call runs/get-output on each task's run_id."
            )
        task = tasks[0] if tasks else None
    else:
        if task_index >= len(tasks):
            raise _missing_run(query.get("run_id"))
        task = tasks[task_index]
    metadata = {k: v for k, v in (task or run).items() if k not in ("tasks",)}
    metadata.setdefault("job_id", run.get("job_id"))
    output: dict[str, Any] = {"metadata": metadata}
    if task and task["state"].get("result_state") == "FAILED":
        output["error"] = TASK_FAILURE
    return output


def list_runs(store: Store, query: dict[str, str], duration_s: float, base_url: str) -> dict[str, Any]:
    limit = _limit(query, 25, 25)
    offset = _offset(query)
    active_only, completed_only = _true(query, "active_only"), _true(query, "completed_only")
    if active_only and completed_only:
        raise invalid("active_only and completed_only cannot both be true.")
    where: list[str] = []
    args: list[Any] = []
    if query.get("job_id"):
        where.append("job_id = ?")
        args.append(_int(query["job_id"], "job_id"))
    if query.get("start_time_from"):
        where.append("start_ms >= ?")
        args.append(_int(query["start_time_from"], "start_time_from"))
    if query.get("start_time_to"):
        where.append("start_ms <= ?")
        args.append(_int(query["start_time_to"], "start_time_to"))
    sql = "SELECT * FROM runs" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY run_id DESC"
    expand = _true(query, "expand_tasks")
    views = [run_view(store, r, duration_s, base_url, tasks=expand) for r in store.query(sql, tuple(args))]
    run_type = query.get("run_type")
    if run_type:
        if run_type not in ("JOB_RUN", "WORKFLOW_RUN", "SUBMIT_RUN"):
            raise invalid(f"Invalid run_type: {run_type}")
        views = [v for v in views if v["run_type"] == run_type]
    if active_only:
        views = [v for v in views if "result_state" not in v["state"]]
    if completed_only:
        views = [v for v in views if "result_state" in v["state"]]
    page = views[offset : offset + limit]
    more = offset + limit < len(views)
    result: dict[str, Any] = {"has_more": more}
    if page:
        result["runs"] = page
    if more:
        result["next_page_token"] = str(offset + limit)
    if offset:
        result["prev_page_token"] = str(max(0, offset - limit))
    return result


def cancel_run(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    row = _run_row(store, body.get("run_id"))
    store.execute("UPDATE runs SET canceled = 1 WHERE run_id = ?", (row["run_id"],))
    return {}


def cancel_all(store: Store, body: dict[str, Any], duration_s: float) -> dict[str, Any]:
    """Cancels every active run of `job_id` (or, with all_queued_runs, every queued run)."""
    if body.get("job_id") is None and not body.get("all_queued_runs"):
        raise invalid("Either job_id or all_queued_runs must be set.")
    with store.lock:
        if body.get("job_id") is not None:
            _job(store, body["job_id"])
            rows = store.query("SELECT * FROM runs WHERE job_id = ?", (int(body["job_id"]),))
        else:
            rows = store.query("SELECT * FROM runs")
        for row in rows:
            life, _ = run_phase(store, row, duration_s)
            if life != "TERMINATED" and (body.get("job_id") is not None or life == "PENDING"):
                store.execute("UPDATE runs SET canceled = 1 WHERE run_id = ?", (row["run_id"],))
    return {}


def delete_run(store: Store, body: dict[str, Any], duration_s: float) -> dict[str, Any]:
    with store.lock:
        row = _run_row(store, body.get("run_id"))
        life, _ = run_phase(store, row, duration_s)
        if life != "TERMINATED":
            raise invalid(f"Run {row['run_id']} is still active; cancel it before deleting it.")
        store.execute("DELETE FROM runs WHERE run_id = ?", (row["run_id"],))
    return {}
