"""A schedule job's settings as sent: pipelines referred to by name until their IDs are known, task
keys kept as the job already names them, and the schedule said in words for the plan."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sharepack.changes.diff import FieldChange
from sharepack.desired.state import PIPELINE_REF_PREFIX, DesiredJob

UNKNOWN_ID = "(known after apply)"


def keep_task_keys(settings: Mapping[str, Any], existing: Mapping[str, Any]) -> dict[str, Any]:
    """Desired settings with each task keyed as the existing task that runs the same pipeline.

    Task keys are sharepack's own naming; a job built by hand (then exported and adopted) names
    its tasks otherwise, and renaming them would show as every task replaced."""
    by_pipeline = {
        str(t["pipeline_task"]["pipeline_id"]): str(t["task_key"])
        for t in existing.get("tasks") or []
        if isinstance(t.get("pipeline_task"), Mapping) and t.get("task_key")
    }
    tasks = settings.get("tasks") or []
    renames: dict[str, str] = {}
    for task in tasks:
        old = by_pipeline.get(str((task.get("pipeline_task") or {}).get("pipeline_id")))
        if old and old != task["task_key"]:
            renames[task["task_key"]] = old
    if not renames or len(set(renames.values())) != len(renames):
        return dict(settings)
    taken = {t["task_key"] for t in tasks} - set(renames)
    if taken & set(renames.values()):
        return dict(settings)  # a rename would collide with another task's key
    renamed = copy.deepcopy(dict(settings))
    for task in renamed["tasks"]:
        task["task_key"] = renames.get(task["task_key"], task["task_key"])
        for dependency in task.get("depends_on") or []:
            dependency["task_key"] = renames.get(dependency["task_key"], dependency["task_key"])
    return renamed


def resolve_pipeline_refs(settings: Mapping[str, Any], ids: Mapping[str, str | None]) -> dict[str, Any]:
    """Job settings with `pipeline:<name>` placeholders replaced by the IDs known so far."""
    resolved = copy.deepcopy(dict(settings))
    for task in resolved.get("tasks") or []:
        pipeline_task = task.get("pipeline_task") or {}
        ref = str(pipeline_task.get("pipeline_id", ""))
        if ref.startswith(PIPELINE_REF_PREFIX):
            pipeline_id = ids.get(ref[len(PIPELINE_REF_PREFIX) :])
            if pipeline_id:
                pipeline_task["pipeline_id"] = pipeline_id
    return resolved


def mark_unknown_ids(changes: list[FieldChange]) -> list[FieldChange]:
    return [
        FieldChange(c.path, c.before, UNKNOWN_ID)
        if isinstance(c.after, str) and c.after.startswith(PIPELINE_REF_PREFIX)
        else c
        for c in changes
    ]


def schedule_details(job: DesiredJob, now: datetime | None) -> tuple[str, ...]:
    if job.schedule is None:
        return ("no schedule: runs only when triggered",)
    from sharepack.schedule.explain import explain

    explanation = explain(job.schedule, now=now)
    lines = [explanation.description]
    if explanation.next_runs:
        lines.append("next: " + ", ".join(t.isoformat() for t in explanation.next_runs[:3]))
    lines.extend(f"warning: {w}" for w in explanation.warnings)
    return tuple(lines)
