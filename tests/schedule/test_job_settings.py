"""Every schedule form as Jobs API settings: the exact JSON, and accepted by Databricks' own schema."""

from __future__ import annotations

from typing import Any

import pytest

from sharepack.schedule.job_settings import job_trigger_settings, task_options
from tests.reference_schema import job_errors
from tests.schedule.helpers import schedule

TASK = {"task_key": "t", "pipeline_task": {"pipeline_id": "1234"}}
UNPAUSED_DEFAULTS = {"max_concurrent_runs": 1, "queue": {"enabled": True}}

CASES: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "quartz cron",
        {"cron": "0 0 2 * * ?", "timezone": "America/New_York"},
        {
            "schedule": {
                "quartz_cron_expression": "0 0 2 * * ?",
                "timezone_id": "America/New_York",
                "pause_status": "UNPAUSED",
            }
        },
    ),
    (
        "bare cron string defaults to UTC",
        "0 30 9 ? * MON-FRI",
        {
            "schedule": {
                "quartz_cron_expression": "0 30 9 ? * MON-FRI",
                "timezone_id": "UTC",
                "pause_status": "UNPAUSED",
            }
        },
    ),
    ("continuous", "continuous", {"continuous": {"pause_status": "UNPAUSED"}}),
    (
        "interval in hours",
        {"every": "6h"},
        {"trigger": {"pause_status": "UNPAUSED", "periodic": {"interval": 6, "unit": "HOURS"}}},
    ),
    (
        "interval in days",
        {"every": "1d"},
        {"trigger": {"pause_status": "UNPAUSED", "periodic": {"interval": 1, "unit": "DAYS"}}},
    ),
    (
        "interval in weeks",
        {"every": "2w"},
        {"trigger": {"pause_status": "UNPAUSED", "periodic": {"interval": 2, "unit": "WEEKS"}}},
    ),
    (
        "minutes that make whole hours",
        {"every": "120m"},
        {"trigger": {"pause_status": "UNPAUSED", "periodic": {"interval": 2, "unit": "HOURS"}}},
    ),
    (
        "sub-hour interval becomes a UTC cron",
        {"every": "15m"},
        {
            "schedule": {
                "quartz_cron_expression": "0 0/15 * * * ?",
                "timezone_id": "UTC",
                "pause_status": "UNPAUSED",
            }
        },
    ),
    (
        "one time, pinned by the year field",
        {"at": "2026-12-24T18:30:00", "timezone": "Europe/Paris"},
        {
            "schedule": {
                "quartz_cron_expression": "0 30 18 24 12 ? 2026",
                "timezone_id": "Europe/Paris",
                "pause_status": "UNPAUSED",
            }
        },
    ),
    (
        "file arrival with debounce",
        {"on": {"file_arrival": {"url": "s3://bucket/in/", "debounce": "5m", "wait_after_last_change": 120}}},
        {
            "trigger": {
                "pause_status": "UNPAUSED",
                "file_arrival": {
                    "url": "s3://bucket/in/",
                    "min_time_between_triggers_seconds": 300,
                    "wait_after_last_change_seconds": 120,
                },
            }
        },
    ),
    (
        "table update, all of",
        {"on": {"table_update": {"tables": ["c.s.a", "c.s.b"], "condition": "all", "debounce": "1h"}}},
        {
            "trigger": {
                "pause_status": "UNPAUSED",
                "table_update": {
                    "table_names": ["c.s.a", "c.s.b"],
                    "condition": "ALL_UPDATED",
                    "min_time_between_triggers_seconds": 3600,
                },
            }
        },
    ),
    (
        "another pipeline updated watches its tables",
        {"on": {"pipeline_updated": "orders"}},
        {
            "trigger": {
                "pause_status": "UNPAUSED",
                "table_update": {"table_names": ["main.sales.orders"], "condition": "ANY_UPDATED"},
            }
        },
    ),
]


def _tables(pipeline: str) -> list[str]:
    return {"orders": ["main.sales.orders"]}[pipeline]


@pytest.mark.parametrize(("written", "trigger"), [(w, t) for _, w, t in CASES], ids=[c[0] for c in CASES])
def test_each_form_becomes_the_jobs_api_trigger(written: Any, trigger: dict[str, Any]) -> None:
    settings = job_trigger_settings(schedule(written), tables_of_pipeline=_tables)
    assert settings == {**trigger, **UNPAUSED_DEFAULTS}


@pytest.mark.parametrize("written", [w for _, w, _ in CASES], ids=[c[0] for c in CASES])
def test_each_form_is_accepted_by_the_databricks_job_schema(written: Any) -> None:
    settings = job_trigger_settings(
        schedule({**_as_mapping(written), **FULL_OPTIONS}), tables_of_pipeline=_tables
    )
    job = {
        "name": "j",
        **settings,
        "tasks": [{**TASK, **task_options(schedule(_as_mapping(written) | FULL_OPTIONS))}],
    }
    assert job_errors(job) == []


FULL_OPTIONS: dict[str, Any] = {
    "paused": True,
    "max_concurrent_runs": 3,
    "timeout": "2h",
    "retries": 2,
    "notifications": {
        "on_start": ["ops@example.com"],
        "on_failure": ["b@example.com", "a@example.com", "a@example.com"],
        "webhooks": {"on_failure": ["dest-1"], "on_success": ["dest-2"]},
    },
    "tags": {"team": "sales", "cost_center": "42"},
    "queue": False,
}


def _as_mapping(written: Any) -> dict[str, Any]:
    if written == "continuous":
        return {"continuous": True}
    if isinstance(written, str):
        return {"cron": written}
    return dict(written)


def test_options_map_onto_job_and_task_fields() -> None:
    written = {"cron": "0 0 2 * * ?", **FULL_OPTIONS}
    settings = job_trigger_settings(schedule(written))
    assert settings == {
        "schedule": {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC", "pause_status": "PAUSED"},
        "max_concurrent_runs": 3,
        "timeout_seconds": 7200,
        "queue": {"enabled": False},
        "email_notifications": {
            "on_start": ["ops@example.com"],
            "on_failure": ["a@example.com", "b@example.com"],
        },
        "webhook_notifications": {"on_success": [{"id": "dest-2"}], "on_failure": [{"id": "dest-1"}]},
        "tags": {"cost_center": "42", "team": "sales"},
    }
    assert task_options(schedule(written)) == {"max_retries": 2}


def test_a_plain_list_of_emails_means_on_failure() -> None:
    settings = job_trigger_settings(schedule({"cron": "0 0 0 * * ?", "notifications": ["x@example.com"]}))
    assert settings["email_notifications"] == {"on_failure": ["x@example.com"]}


@pytest.mark.parametrize("written", [w for _, w, _ in CASES], ids=[c[0] for c in CASES])
def test_force_paused_pauses_every_form(written: Any) -> None:
    settings = job_trigger_settings(schedule(written), force_paused=True, tables_of_pipeline=_tables)
    trigger = settings.get("schedule") or settings.get("continuous") or settings["trigger"]
    assert trigger["pause_status"] == "PAUSED"


def test_nothing_sent_is_empty_or_none() -> None:
    def walk(value: Any) -> None:
        assert value is not None
        if isinstance(value, dict | list):
            assert value, "empty container"
            for item in value.values() if isinstance(value, dict) else value:
                walk(item)

    for _, written, _ in CASES:
        walk(job_trigger_settings(schedule(written), tables_of_pipeline=_tables))
    assert task_options(schedule("0 0 0 * * ?")) == {}


def test_the_settings_round_trip_through_the_sdk_unchanged() -> None:
    from databricks.sdk.service.jobs import JobSettings

    for _, written, _ in CASES:
        settings = job_trigger_settings(
            schedule({**_as_mapping(written), **FULL_OPTIONS}), tables_of_pipeline=_tables
        )
        assert JobSettings.from_dict(settings).as_dict() == settings
