"""What jobs/create, jobs/reset and jobs/update refuse: the settings checks of the Jobs API.

Each refusal is 400 INVALID_PARAMETER_VALUE. Wording is Databricks' where it is known (see
docs/emulator.md for which messages are assumed rather than recorded).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sharepack.emulator.errors import invalid
from sharepack.emulator.jobs.quartz_syntax import quartz_error

MAX_TASKS = 1000  # "up to 1000 elements in write endpoints"; reads page them 100 at a time
MAX_TAGS = 25  # "A maximum of 25 tags can be added to the job."
TAG_KEY_MAX = 127  # job tags become cluster tags, which take keys up to 127 characters
TAG_VALUE_MAX = 255
MAX_CONCURRENT_RUNS = 1000  # "This value cannot exceed 1000."
_TASK_KEY = re.compile(r"[A-Za-z0-9_-]{1,100}")
TASK_TYPES = (
    "notebook_task",
    "spark_jar_task",
    "spark_python_task",
    "spark_submit_task",
    "pipeline_task",
    "python_wheel_task",
    "sql_task",
    "dbt_task",
    "run_job_task",
    "condition_task",
    "for_each_task",
    "clean_rooms_notebook_task",
    "dashboard_task",
    "power_bi_task",
    "gen_ai_compute_task",
    "dbt_cloud_task",
    "dbt_platform_task",
    "alert_task",
    "compute_task",
)
# Jobs API 2.0 put the one task's type at the top level of the settings.
LEGACY_TOP_LEVEL = (
    "notebook_task",
    "spark_jar_task",
    "spark_python_task",
    "spark_submit_task",
    "pipeline_task",
)


def _check_schedule(settings: dict[str, Any]) -> None:
    schedule = settings.get("schedule")
    if schedule is None:
        return
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
    if settings.get("continuous") is not None:
        raise invalid("A job may have only one of schedule, continuous and trigger.")


def _check_trigger(settings: dict[str, Any]) -> None:
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


def _check_tags(settings: dict[str, Any]) -> None:
    tags = settings.get("tags") or {}
    if len(tags) > MAX_TAGS:
        raise invalid(f"Job settings can have at most {MAX_TAGS} tags, but {len(tags)} were given.")
    for key, value in tags.items():
        if not key or len(key) > TAG_KEY_MAX:
            raise invalid(f"Tag key '{key[:40]}' must be between 1 and {TAG_KEY_MAX} characters long.")
        if len(str(value)) > TAG_VALUE_MAX:
            raise invalid(f"The value of tag '{key}' must be at most {TAG_VALUE_MAX} characters long.")


def _find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    for start in edges:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        while stack:
            node, index = stack.pop()
            if index == 0:
                state[node] = 1
                path.append(node)
            successors = edges.get(node, [])
            if index < len(successors):
                stack.append((node, index + 1))
                nxt = successors[index]
                if state.get(nxt) == 1:
                    return [*path[path.index(nxt) :], nxt]
                if not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return None


def _check_tasks(settings: dict[str, Any], pipeline_exists: Callable[[str], bool]) -> None:
    for legacy in LEGACY_TOP_LEVEL:
        if legacy in settings:
            raise invalid(
                f"The top-level field '{legacy}' is a Jobs API 2.0 setting; "
                "in API 2.1 and later, define it inside a task of 'tasks'."
            )
    tasks = settings.get("tasks") or []
    if len(tasks) > MAX_TASKS:
        raise invalid(f"A job can have at most {MAX_TASKS} tasks, but {len(tasks)} were given.")
    keys: set[str] = set()
    for task in tasks:
        key = task.get("task_key")
        if not key:
            raise invalid("Missing required field: settings.tasks.task_key")
        if not _TASK_KEY.fullmatch(str(key)):
            raise invalid(
                f"Invalid task_key '{key}': it must be 1 to 100 characters of letters, digits, '_' and '-'."
            )
        if key in keys:
            raise invalid(f"Task key '{key}' is not unique: each task of a job needs its own task_key.")
        keys.add(key)
        if not any(task.get(kind) is not None for kind in TASK_TYPES):
            raise invalid(f"Task {key} must specify one of {', '.join(TASK_TYPES[:6])} or another task type.")
        pipeline_task = task.get("pipeline_task")
        if pipeline_task is not None:
            pipeline_id = pipeline_task.get("pipeline_id")
            if not pipeline_id:
                raise invalid("Missing required field: settings.tasks.pipeline_task.pipeline_id")
            if not pipeline_exists(str(pipeline_id)):
                raise invalid(f"Pipeline {pipeline_id} does not exist (task {key}).")
    edges: dict[str, list[str]] = {}
    for task in tasks:
        deps = [str(dep.get("task_key")) for dep in task.get("depends_on") or []]
        for dep in deps:
            if dep not in keys:
                raise invalid(f"Task {task['task_key']} depends on unknown task {dep}")
        edges[task["task_key"]] = deps
    cycle = _find_cycle(edges)
    if cycle:
        raise invalid(f"The tasks of the job form a dependency cycle: {' -> '.join(cycle)}.")


def validate_settings(settings: dict[str, Any], pipeline_exists: Callable[[str], bool]) -> None:
    """Raise ApiError for settings the Jobs API refuses."""
    _check_schedule(settings)
    _check_trigger(settings)
    _check_tags(settings)
    _check_tasks(settings, pipeline_exists)
    runs = settings.get("max_concurrent_runs")
    if runs is not None and not (isinstance(runs, int) and 0 <= runs <= MAX_CONCURRENT_RUNS):
        raise invalid(f"max_concurrent_runs must be between 0 and {MAX_CONCURRENT_RUNS}, not {runs}.")
