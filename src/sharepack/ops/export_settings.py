"""export: job and pipeline settings read back as the pack's values — triggers, durations,
notifications, tags.

The inverse of `schedule/job_settings.py` and of how `desired` writes notifications and tags:
each value returned is one that, applied again, produces the settings read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sharepack.schedule.interval import MINUTE_DIVISORS
from sharepack.workspace.ownership import MANAGED_BY, PACK_TAG, PIPELINE_DIGEST_TAG

_SUB_HOUR_CRON = re.compile(r"^0 0/(\d+) \* \* \* \?$")
_PERIODIC_UNITS = {"HOURS": "h", "DAYS": "d", "WEEKS": "w"}
_FAILURE_ALERTS = {"on-update-failure", "on-update-fatal-failure", "on-flow-failure"}
_SUCCESS_ALERTS = {"on-update-success"}
EVENTS = ("on_start", "on_success", "on_failure")


def is_chain(tasks: Sequence[Mapping[str, Any]]) -> bool:
    """Each task waits for exactly the one before it: what `pipelines: [...]` produces."""
    return all(
        [str(d.get("task_key")) for d in task.get("depends_on") or []]
        == ([str(tasks[i - 1]["task_key"])] if i else [])
        for i, task in enumerate(tasks)
    )


def trigger_form(settings: Mapping[str, Any]) -> dict[str, Any] | None:
    cron = settings.get("schedule")
    if cron and cron.get("quartz_cron_expression"):
        quartz = str(cron["quartz_cron_expression"])
        timezone = str(cron.get("timezone_id") or "UTC")
        match = _SUB_HOUR_CRON.match(quartz)
        if match and timezone == "UTC" and int(match.group(1)) in MINUTE_DIVISORS:
            return {"every": f"{int(match.group(1))}m"}
        return {"cron": quartz, "timezone": timezone}
    if settings.get("continuous"):
        return {"continuous": True}
    trigger = settings.get("trigger") or {}
    periodic = trigger.get("periodic")
    if periodic and periodic.get("unit") in _PERIODIC_UNITS:
        return {"every": f"{int(periodic['interval'])}{_PERIODIC_UNITS[periodic['unit']]}"}
    arrival = trigger.get("file_arrival")
    if arrival and arrival.get("url"):
        return {"on": {"file_arrival": {"url": arrival["url"], **_event_durations(arrival)}}}
    update = trigger.get("table_update")
    if update and update.get("table_names"):
        event: dict[str, Any] = {"tables": list(update["table_names"])}
        if update.get("condition") == "ALL_UPDATED":
            event["condition"] = "all"
        return {"on": {"table_update": {**event, **_event_durations(update)}}}
    return None


def _event_durations(config: Mapping[str, Any]) -> dict[str, str]:
    result = {}
    if config.get("min_time_between_triggers_seconds"):
        result["debounce"] = duration_text(int(config["min_time_between_triggers_seconds"]))
    if config.get("wait_after_last_change_seconds"):
        result["wait_after_last_change"] = duration_text(int(config["wait_after_last_change_seconds"]))
    return result


def duration_text(seconds: int) -> str:
    for size, unit in ((604800, "w"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def user_tags(tags: Mapping[str, Any]) -> dict[str, str]:
    """Tags a person set: sharepack's own are written by sharepack, never in the YAML."""
    return {
        str(k): str(v)
        for k, v in sorted(tags.items())
        if k not in (MANAGED_BY, PACK_TAG, PIPELINE_DIGEST_TAG) and not str(k).lower().startswith("sharepack")
    }


def pipeline_notification(notifications: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, set[str]] = {}
    for item in notifications:
        alerts = set(item.get("alerts") or [])
        emails = set(item.get("email_recipients") or [])
        if alerts & _FAILURE_ALERTS:
            result.setdefault("on_failure", set()).update(emails)
        if alerts & _SUCCESS_ALERTS:
            result.setdefault("on_success", set()).update(emails)
    return {event: sorted(emails) for event, emails in result.items() if emails}


def job_emails(notification: Mapping[str, list[str]]) -> dict[str, list[str]]:
    return {event: sorted(notification[event]) for event in EVENTS if notification.get(event)}


def job_notifications(settings: Mapping[str, Any]) -> dict[str, Any]:
    emails = settings.get("email_notifications") or {}
    result: dict[str, Any] = {event: sorted(emails[event]) for event in EVENTS if emails.get(event)}
    webhooks = settings.get("webhook_notifications") or {}
    hooks = {
        event: [str(h["id"]) for h in webhooks[event] if h.get("id")]
        for event in EVENTS
        if webhooks.get(event)
    }
    if hooks:
        result["webhooks"] = hooks
    return result


def compact_notification(notification: Mapping[str, Any]) -> Any:
    """A plain list means `on_failure`, the common case."""
    if list(notification) == ["on_failure"]:
        return list(notification["on_failure"])
    return dict(notification)
