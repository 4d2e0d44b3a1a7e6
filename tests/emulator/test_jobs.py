"""Jobs API 2.2 (and 2.1) through the real databricks-sdk: settings, listing, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, ResourceDoesNotExist
from databricks.sdk.service import jobs

from tests.emulator.helpers import http


def _full_settings(pipeline_id: str) -> dict[str, Any]:
    """Every setting sharepack writes, in the JSON shape the SDK sends."""
    return {
        "name": "orders-refresh",
        "tasks": [
            {"task_key": "bronze", "pipeline_task": {"pipeline_id": pipeline_id, "full_refresh": False}},
            {
                "task_key": "silver",
                "pipeline_task": {"pipeline_id": pipeline_id},
                "depends_on": [{"task_key": "bronze"}],
            },
        ],
        "schedule": {
            "quartz_cron_expression": "0 30 2 ? * MON-FRI",
            "timezone_id": "Europe/Amsterdam",
            "pause_status": "PAUSED",
        },
        "email_notifications": {"on_failure": ["ops@example.com"], "no_alert_for_skipped_runs": True},
        "webhook_notifications": {"on_failure": [{"id": "hook-1"}]},
        "notification_settings": {"no_alert_for_canceled_runs": True},
        "tags": {"team": "data", "managed-by": "sharepack"},
        "max_concurrent_runs": 3,
        "parameters": [{"name": "env", "default": "dev"}],
        "queue": {"enabled": True},
        "timeout_seconds": 3600,
    }


def _sent_keys_survive(sent: dict[str, Any], got: dict[str, Any]) -> None:
    for key, value in sent.items():
        if key == "tasks":
            for sent_task, got_task in zip(value, got["tasks"], strict=True):
                assert {k: got_task[k] for k in sent_task} == sent_task
        else:
            assert got[key] == value, key


def test_settings_round_trip_unchanged(client: Any) -> None:
    pipeline_id = client.pipelines.create(name="p").pipeline_id
    sent = _full_settings(pipeline_id)
    job_id = client.jobs.create(**jobs.JobSettings.from_dict(sent).__dict__).job_id

    got = client.jobs.get(job_id).settings.as_dict()
    _sent_keys_survive(sent, got)


@pytest.mark.parametrize(
    "variant",
    [
        {"continuous": {"pause_status": "UNPAUSED"}},
        {"trigger": {"pause_status": "UNPAUSED", "periodic": {"interval": 4, "unit": "HOURS"}}},
        {
            "trigger": {
                "file_arrival": {"url": "s3://bucket/in/", "min_time_between_triggers_seconds": 60},
                "pause_status": "UNPAUSED",
            }
        },
        {
            "trigger": {
                "table_update": {
                    "table_names": ["main.sales.orders"],
                    "condition": "ALL_UPDATED",
                    "wait_after_last_change_seconds": 120,
                },
                "pause_status": "PAUSED",
            }
        },
    ],
    ids=["continuous", "periodic", "file_arrival", "table_update"],
)
def test_trigger_kinds_round_trip(client: Any, variant: dict[str, Any]) -> None:
    sent = {"name": "triggered", **variant}
    job_id = client.jobs.create(**jobs.JobSettings.from_dict(sent).__dict__).job_id
    _sent_keys_survive(sent, client.jobs.get(job_id).settings.as_dict())


def test_reset_replaces_and_update_merges(client: Any) -> None:
    job_id = client.jobs.create(name="a", tags={"x": "1"}, max_concurrent_runs=2).job_id

    client.jobs.update(job_id, new_settings=jobs.JobSettings(name="b"))
    got = client.jobs.get(job_id).settings
    assert (got.name, got.tags, got.max_concurrent_runs) == ("b", {"x": "1"}, 2)

    client.jobs.update(job_id, fields_to_remove=["tags"])
    assert client.jobs.get(job_id).settings.tags is None

    client.jobs.reset(job_id, new_settings=jobs.JobSettings(name="c"))
    got = client.jobs.get(job_id).settings
    assert (got.name, got.max_concurrent_runs) == ("c", 1)  # reset is a full replace: defaults again


def test_delete_then_get_is_resource_does_not_exist(client: Any, emulator: Any) -> None:
    job_id = client.jobs.create(name="gone").job_id
    client.jobs.delete(job_id)
    with pytest.raises(ResourceDoesNotExist, match=f"Job {job_id} does not exist"):
        client.jobs.get(job_id)
    status, _, body = http(f"{emulator.url}/api/2.2/jobs/get?job_id={job_id}", token=emulator.token)
    assert status == 400
    assert body == {"error_code": "INVALID_PARAMETER_VALUE", "message": f"Job {job_id} does not exist."}


def test_writes_to_an_unknown_job_are_invalid(client: Any) -> None:
    calls: list[Callable[[], object]] = [
        lambda: client.jobs.delete(987654),
        lambda: client.jobs.reset(987654, new_settings=jobs.JobSettings(name="x")),
        lambda: client.jobs.update(987654, new_settings=jobs.JobSettings(name="x")),
        lambda: client.jobs.run_now(987654),
    ]
    for call in calls:
        with pytest.raises(InvalidParameterValue, match="Job 987654 does not exist"):
            call()


def test_job_names_are_not_unique(client: Any) -> None:
    first = client.jobs.create(name="same").job_id
    second = client.jobs.create(name="same").job_id
    assert first != second
    assert {j.job_id for j in client.jobs.list(name="same")} == {first, second}


def test_list_filters_by_name_pages_and_expands_tasks(client: Any, emulator: Any) -> None:
    wanted = {
        client.jobs.create(
            name="nightly",
            tasks=[jobs.Task(task_key="t", notebook_task=jobs.NotebookTask(notebook_path="/Shared/n"))],
        ).job_id
        for _ in range(5)
    }
    client.jobs.create(name="other")
    emulator.reset_log()

    listed = list(client.jobs.list(name="nightly", limit=2))
    assert {j.job_id for j in listed} == wanted
    assert all(not j.settings.tasks for j in listed)  # tasks only with expand_tasks
    assert len([r for r in emulator.request_log() if r.endpoint == "jobs/list"]) == 3

    expanded = list(client.jobs.list(name="nightly", expand_tasks=True, limit=2))
    assert all(j.settings.tasks[0].task_key == "t" for j in expanded)
    assert len(list(client.jobs.list(limit=2))) == 6


def test_list_limit_out_of_range_is_invalid(client: Any) -> None:
    with pytest.raises(InvalidParameterValue):
        list(client.jobs.list(limit=101))


def test_api_2_1_and_2_2_both_served(client: Any, emulator: Any) -> None:
    job_id = client.jobs.create(name="versions").job_id
    for version in ("2.1", "2.2"):
        status, _, body = http(f"{emulator.url}/api/{version}/jobs/get?job_id={job_id}", token=emulator.token)
        assert (status, body["settings"]["name"]) == (200, "versions")
    via_sdk = client.api_client.do("POST", "/api/2.1/jobs/create", body={"name": "old-sdk"})
    assert client.jobs.get(via_sdk["job_id"]).settings.name == "old-sdk"


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"quartz_cron_expression": "0 0 * * *", "timezone_id": "UTC"}, "Quartz"),
        ({"quartz_cron_expression": "0 0 25 * * ?", "timezone_id": "UTC"}, "hours"),
        ({"quartz_cron_expression": "0 0 2 * * *", "timezone_id": "UTC"}, "'?'"),
        ({"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "Mars/Olympus"}, "timezone_id"),
        ({"timezone_id": "UTC"}, "quartz_cron_expression"),
        ({"quartz_cron_expression": "0 0 2 * * ?"}, "timezone_id"),
    ],
    ids=["five-fields", "hour-25", "no-question-mark", "bad-timezone", "no-cron", "no-timezone"],
)
def test_invalid_schedule_is_invalid_parameter_value(
    client: Any, schedule: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidParameterValue, match=message):
        client.api_client.do("POST", "/api/2.2/jobs/create", body={"name": "bad", "schedule": schedule})


@pytest.mark.parametrize(
    "settings",
    [
        {"tasks": [{"pipeline_task": {"pipeline_id": "p"}}]},
        {"tasks": [{"task_key": "a", "pipeline_task": {}}]},
        {"tasks": [{"task_key": "a", "depends_on": [{"task_key": "missing"}]}]},
        {"trigger": {"file_arrival": {}}},
        {"trigger": {"table_update": {"table_names": []}}},
    ],
    ids=["no-task-key", "no-pipeline-id", "unknown-dependency", "no-url", "no-tables"],
)
def test_missing_required_fields_are_invalid(client: Any, settings: dict[str, Any]) -> None:
    with pytest.raises(InvalidParameterValue):
        client.api_client.do("POST", "/api/2.2/jobs/create", body={"name": "bad", **settings})
    assert list(client.jobs.list()) == []  # nothing half-created
