"""Event triggers (`on:`): a file arriving, tables updated, another pipeline updated.

`debounce` becomes `min_time_between_triggers_seconds` (at most one run per that much time) and
`wait_after_last_change` becomes `wait_after_last_change_seconds` (start only once things have
been quiet that long). The Jobs API refuses either under 60 seconds, so sharepack does too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sharepack.schedule.durations import duration_seconds, duration_words

if TYPE_CHECKING:
    from sharepack.schedule.forms import EventTrigger

MIN_EVENT_SECONDS = 60
EVENT_KEYS = ("file_arrival", "table_update", "pipeline_updated")


def event_seconds(value: str | int | None, what: str) -> int | None:
    """Seconds of a `debounce` / `wait_after_last_change`, or ValueError when under the API's minimum."""
    if value is None:
        return None
    seconds = duration_seconds(value)
    if seconds < MIN_EVENT_SECONDS:
        shown = f"{value}s" if isinstance(value, int) else str(value).strip()
        raise ValueError(f"{what} of {shown} is under a minute; Databricks requires at least 60s (write 1m)")
    return seconds


def event_keys(trigger: EventTrigger) -> list[str]:
    return [key for key in EVENT_KEYS if getattr(trigger, key) is not None]


def event_trigger_settings(
    trigger: EventTrigger, tables_of_pipeline: Callable[[str], list[str]] | None
) -> dict[str, Any]:
    """The `trigger.file_arrival` or `trigger.table_update` fragment (without `pause_status`)."""
    keys = event_keys(trigger)
    if len(keys) != 1:
        raise ValueError("an event trigger names exactly one of: " + ", ".join(EVENT_KEYS))
    if trigger.file_arrival is not None:
        arrival = trigger.file_arrival
        return {
            "file_arrival": _without_none(
                url=arrival.url,
                min_time_between_triggers_seconds=event_seconds(arrival.debounce, "debounce"),
                wait_after_last_change_seconds=event_seconds(
                    arrival.wait_after_last_change, "wait_after_last_change"
                ),
            )
        }
    if trigger.table_update is not None:
        update = trigger.table_update
        tables = list(dict.fromkeys(update.tables))
        return {
            "table_update": _without_none(
                table_names=tables,
                condition="ALL_UPDATED" if update.condition == "all" else "ANY_UPDATED",
                min_time_between_triggers_seconds=event_seconds(update.debounce, "debounce"),
                wait_after_last_change_seconds=event_seconds(
                    update.wait_after_last_change, "wait_after_last_change"
                ),
            )
        }
    pipeline = trigger.pipeline_updated
    assert pipeline is not None
    if tables_of_pipeline is None:
        raise ValueError(f"cannot resolve the tables of pipeline {pipeline!r}: no resolver given")
    tables = list(dict.fromkeys(tables_of_pipeline(pipeline)))
    if not tables:
        raise ValueError(f"pipeline {pipeline!r} publishes no table to watch")
    return {"table_update": {"table_names": tables, "condition": "ANY_UPDATED"}}


def _without_none(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def describe_event(trigger: EventTrigger) -> str:
    parts: list[str] = []
    debounce: str | int | None = None
    wait: str | int | None = None
    if trigger.file_arrival is not None:
        parts.append(f"when new files arrive in {trigger.file_arrival.url}")
        debounce, wait = trigger.file_arrival.debounce, trigger.file_arrival.wait_after_last_change
    elif trigger.table_update is not None:
        update = trigger.table_update
        names = ", ".join(update.tables)
        if len(update.tables) == 1:
            parts.append(f"when table {names} is updated")
        else:
            which = "all of" if update.condition == "all" else "any of"
            parts.append(f"when {which} these tables are updated: {names}")
        debounce, wait = update.debounce, update.wait_after_last_change
    elif trigger.pipeline_updated is not None:
        parts.append(f"when pipeline {trigger.pipeline_updated} updates its tables")
    if wait is not None:
        parts.append(f"once nothing has changed for {_duration_words(wait)}")
    if debounce is not None:
        parts.append(f"at most once every {_duration_words(debounce)}")
    return "Runs " + ", ".join(parts)


def _duration_words(value: str | int) -> str:
    return duration_words(duration_seconds(value))
