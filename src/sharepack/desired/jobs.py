"""A pack's schedule jobs as the settings sent to the Jobs API: the trigger its schedule maps to, one
task per pipeline (referred to by name until the pipeline's ID is known), tags and notifications."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sharepack.desired.state import DesiredJob, pipeline_ref
from sharepack.schedule.job_settings import job_trigger_settings, task_options

if TYPE_CHECKING:
    from sharepack.schedule.forms import AnySchedule, EmailNotifications

RUN_DATE_PARAMETER = {"name": "run_date", "default": "{{job.trigger.time.iso_date}}"}


def schedule_job(
    *,
    name: str,
    schedule: AnySchedule | None,
    tasks: Sequence[tuple[str, tuple[str, ...]]],
    tags: Mapping[str, str],
    notifications: EmailNotifications | None,
    tables_of_pipeline: Callable[[str], list[str]],
    carries_digest_of: str | None = None,
) -> DesiredJob:
    settings: dict[str, Any] = {"name": name, "max_concurrent_runs": 1}
    per_task: dict[str, Any] = {}
    if schedule is not None:
        settings.update(job_trigger_settings(schedule, tables_of_pipeline=tables_of_pipeline))
        per_task = task_options(schedule)
    if notifications is not None and "email_notifications" not in settings:
        emails = {
            event: sorted(getattr(notifications, event))
            for event in ("on_start", "on_success", "on_failure")
            if getattr(notifications, event)
        }
        if emails:
            settings["email_notifications"] = emails
    settings["tags"] = {**settings.get("tags", {}), **tags}
    settings["parameters"] = [dict(RUN_DATE_PARAMETER)]
    settings["tasks"] = [
        {
            "task_key": _task_key(pipeline),
            "pipeline_task": {"pipeline_id": pipeline_ref(pipeline)},
            **({"depends_on": [{"task_key": _task_key(d)} for d in depends_on]} if depends_on else {}),
            **per_task,
        }
        for pipeline, depends_on in tasks
    ]
    return DesiredJob(
        name=name,
        settings=settings,
        pipelines=tuple(p for p, _ in tasks),
        schedule=schedule,
        carries_digest_of=carries_digest_of,
    )


def _task_key(pipeline_name: str) -> str:
    # Task keys allow [A-Za-z0-9_-] up to 100 characters (ASCII: isalnum() alone lets "é" through).
    from sharepack.pack.job_limits import task_key

    return task_key(pipeline_name)
