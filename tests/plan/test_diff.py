"""The diff compares only what sharepack manages and ignores what the server fills in."""

from __future__ import annotations

from sharepack.changes.diff import diff_settings
from sharepack.changes.rules import JOB_RULES, PIPELINE_RULES

DESIRED_JOB = {
    "name": "sales_daily_sync_schedule",
    "max_concurrent_runs": 1,
    "schedule": {
        "quartz_cron_expression": "0 0 2 * * ?",
        "timezone_id": "America/New_York",
        "pause_status": "UNPAUSED",
    },
    "tags": {"managed_by": "sharepack", "sharepack_pack": "sales"},
    "tasks": [
        {"task_key": "a", "pipeline_task": {"pipeline_id": "p-a"}},
        {"task_key": "b", "pipeline_task": {"pipeline_id": "p-b"}, "depends_on": [{"task_key": "a"}]},
    ],
    "parameters": [{"name": "run_date", "default": "{{job.trigger.time.iso_date}}"}],
}


def server_echo(settings: dict) -> dict:
    """What the Jobs API returns for those settings: defaults filled in, tasks reordered."""
    echoed = {
        **settings,
        "format": "MULTI_TASK",
        "timeout_seconds": 0,
        "email_notifications": {},
        "webhook_notifications": {},
        "edit_mode": "UI_LOCKED",
    }
    echoed["tasks"] = [
        {
            **t,
            "run_if": "ALL_SUCCESS",
            "timeout_seconds": 0,
            "email_notifications": {},
            "pipeline_task": {**t["pipeline_task"], "full_refresh": False},
        }
        for t in reversed(settings["tasks"])
    ]
    return echoed


def test_server_defaults_and_task_order_are_not_changes() -> None:
    assert diff_settings(DESIRED_JOB, server_echo(DESIRED_JOB), JOB_RULES) == []


def test_a_changed_cron_shows_old_and_new_value() -> None:
    actual = server_echo(
        {**DESIRED_JOB, "schedule": {**DESIRED_JOB["schedule"], "quartz_cron_expression": "0 0 3 * * ?"}}
    )
    changes = diff_settings(DESIRED_JOB, actual, JOB_RULES)
    assert [(c.path, c.before, c.after) for c in changes] == [
        ("schedule.quartz_cron_expression", "0 0 3 * * ?", "0 0 2 * * ?")
    ]


def test_a_paused_job_differs_from_an_unpaused_declaration() -> None:
    actual = server_echo({**DESIRED_JOB, "schedule": {**DESIRED_JOB["schedule"], "pause_status": "PAUSED"}})
    changes = diff_settings(DESIRED_JOB, actual, JOB_RULES)
    assert [(c.path, c.before, c.after) for c in changes] == [("schedule.pause_status", "PAUSED", "UNPAUSED")]


def test_a_task_added_by_hand_is_reported_by_its_key() -> None:
    actual = server_echo(DESIRED_JOB)
    actual["tasks"].append({"task_key": "extra", "notebook_task": {"notebook_path": "/x"}})
    changes = diff_settings(DESIRED_JOB, actual, JOB_RULES)
    assert [c.path for c in changes] == ["tasks[extra]"]
    assert changes[0].after is None


def test_a_schedule_swapped_for_continuous_is_a_change_of_both_fields() -> None:
    actual = server_echo({k: v for k, v in DESIRED_JOB.items() if k != "schedule"})
    actual["continuous"] = {"pause_status": "UNPAUSED"}
    paths = sorted(c.path for c in diff_settings(DESIRED_JOB, actual, JOB_RULES))
    assert paths == ["continuous", "schedule"]


def test_unmanaged_job_fields_are_never_compared() -> None:
    actual = {**server_echo(DESIRED_JOB), "description": "edited in the UI", "run_as": {"user_name": "x"}}
    assert diff_settings(DESIRED_JOB, actual, JOB_RULES) == []


def test_pipeline_defaults_filled_by_the_server_are_not_changes() -> None:
    desired = {
        "name": "p",
        "catalog": "c",
        "schema": "s",
        "serverless": True,
        "tags": {"managed_by": "sharepack"},
    }
    actual = {
        **desired,
        "channel": "CURRENT",
        "edition": "ADVANCED",
        "photon": False,
        "development": False,
        "continuous": False,
        "configuration": {},
        "storage": "dbfs:/x",
    }
    assert diff_settings(desired, actual, PIPELINE_RULES) == []


def test_pipeline_tag_removed_by_hand_is_a_change() -> None:
    desired = {"name": "p", "tags": {"managed_by": "sharepack", "team": "sales"}}
    actual = {"name": "p", "tags": {"managed_by": "sharepack"}}
    changes = diff_settings(desired, actual, PIPELINE_RULES)
    assert [(c.path, c.before, c.after) for c in changes] == [("tags.team", None, "sales")]
