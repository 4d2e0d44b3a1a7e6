"""A schedule as Databricks Jobs API 2.2 settings: the JSON `JobSettings.as_dict()` would produce.

What is sent must equal what the server echoes back, because the plan diffs these dicts: no
None values, no empty mappings or lists, enums spelled as the API spells them.

Where the options go:
- `timeout` is the job's `timeout_seconds`: it bounds the whole run, which is what a person
  means by "this job must not run longer than 2h", also for a job of several pipelines. Tasks
  keep no timeout of their own (the server's default, 0, means none).
- `retries` is each task's `max_retries`: Databricks retries tasks, not jobs.
- `notifications` are the job's `email_notifications` and `webhook_notifications`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from sharepack.schedule.durations import duration_seconds
from sharepack.schedule.events import event_trigger_settings
from sharepack.schedule.forms import (
    AnySchedule,
    ContinuousSchedule,
    CronSchedule,
    EmailNotifications,
    EventSchedule,
    IntervalSchedule,
    OneTimeSchedule,
)
from sharepack.schedule.interval import parse_interval
from sharepack.schedule.once import one_time_quartz

NOTIFICATION_EVENTS: tuple[Literal["on_start", "on_success", "on_failure"], ...] = (
    "on_start",
    "on_success",
    "on_failure",
)
INTERVAL_CRON_TIMEZONE = "UTC"


def job_trigger_settings(
    schedule: AnySchedule,
    *,
    force_paused: bool = False,
    tables_of_pipeline: Callable[[str], list[str]] | None = None,
) -> dict[str, Any]:
    """The job-level settings of a schedule: its trigger, concurrency, timeout, queue, notifications, tags.

    `tables_of_pipeline` names the tables a pipeline of the pack publishes, for `on: pipeline_updated`.
    Raises ValueError for a schedule that cannot be expressed (the spec validates these earlier).
    """
    pause = "PAUSED" if (schedule.paused or force_paused) else "UNPAUSED"
    settings: dict[str, Any] = {**trigger_fragment(schedule, pause, tables_of_pipeline)}
    settings["max_concurrent_runs"] = schedule.max_concurrent_runs
    if schedule.timeout is not None:
        settings["timeout_seconds"] = duration_seconds(schedule.timeout)
    settings["queue"] = {"enabled": schedule.queue}
    settings.update(notification_settings(schedule.notifications))
    if schedule.tags:
        settings["tags"] = dict(sorted(schedule.tags.items()))
    return settings


def trigger_fragment(
    schedule: AnySchedule, pause: str, tables_of_pipeline: Callable[[str], list[str]] | None = None
) -> dict[str, Any]:
    """Exactly one of `schedule`, `continuous` or `trigger`."""
    if isinstance(schedule, CronSchedule):
        return {"schedule": cron_schedule(schedule.quartz, schedule.timezone, pause)}
    if isinstance(schedule, ContinuousSchedule):
        return {"continuous": {"pause_status": pause}}
    if isinstance(schedule, IntervalSchedule):
        interval = parse_interval(schedule.every)
        if interval.quartz is not None:
            return {"schedule": cron_schedule(interval.quartz, INTERVAL_CRON_TIMEZONE, pause)}
        assert interval.periodic is not None
        count, unit = interval.periodic
        return {"trigger": {"pause_status": pause, "periodic": {"interval": count, "unit": unit}}}
    if isinstance(schedule, OneTimeSchedule):
        return {
            "schedule": cron_schedule(
                one_time_quartz(schedule.at, schedule.timezone), schedule.timezone, pause
            )
        }
    if isinstance(schedule, EventSchedule):
        return {"trigger": {"pause_status": pause, **event_trigger_settings(schedule.on, tables_of_pipeline)}}
    raise TypeError(f"not a schedule: {schedule!r}")


def cron_schedule(quartz: str, timezone: str, pause: str) -> dict[str, Any]:
    return {"quartz_cron_expression": quartz, "timezone_id": timezone, "pause_status": pause}


def notification_settings(notifications: EmailNotifications | None) -> dict[str, Any]:
    """`email_notifications` and `webhook_notifications`, each only when it has someone to tell."""
    if notifications is None:
        return {}
    result: dict[str, Any] = {}
    emails = {
        event: sorted(set(getattr(notifications, event)))
        for event in NOTIFICATION_EVENTS
        if getattr(notifications, event)
    }
    if emails:
        result["email_notifications"] = emails
    webhooks = {
        event: [{"id": destination} for destination in dict.fromkeys(notifications.webhooks[event])]
        for event in NOTIFICATION_EVENTS
        if notifications.webhooks.get(event)
    }
    if webhooks:
        result["webhook_notifications"] = webhooks
    return result


def task_options(schedule: AnySchedule) -> dict[str, Any]:
    """Per-task fields: `max_retries` when the schedule retries (timeout stays on the job)."""
    return {"max_retries": schedule.retries} if schedule.retries else {}
