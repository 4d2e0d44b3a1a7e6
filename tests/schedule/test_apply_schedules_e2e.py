"""Each schedule form applied to the emulator arrives as the right Jobs settings (read back with the SDK)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import write_pack

PACK = """
pipelines:
  - {name_prefix: p_cron, source_asset: main.s.cron, catalog: main, schema: s,
     schedule: {cron: "30 9 * * 1-5", timezone: Europe/Paris, max_concurrent_runs: 2, timeout: 2h, retries: 3,
                tags: {team: sales},
                notifications: {on_failure: [ops@example.com], webhooks: {on_failure: [dest-1]}}}}
  - {name_prefix: p_preset, source_asset: main.s.preset, catalog: main, schema: s,
     schedule: "weekdays at 09:30"}
  - {name_prefix: p_every, source_asset: main.s.every, catalog: main, schema: s,
     schedule: {every: 6h, paused: true}}
  - {name_prefix: p_quarter, source_asset: main.s.quarter, catalog: main, schema: s, schedule: {every: 15m}}
  - {name_prefix: p_once, source_asset: main.s.once, catalog: main, schema: s,
     schedule: {at: "2099-12-24T18:30:00", timezone: America/New_York}}
  - {name_prefix: p_files, source_asset: main.s.files, catalog: main, schema: s,
     schedule: {on: {file_arrival: {url: "s3://b/in/", debounce: 5m, wait_after_last_change: 2m}}}}
  - {name_prefix: p_tables, source_asset: main.s.tables, catalog: main, schema: s,
     schedule: {on: {table_update: {tables: [main.s.x, main.s.y], condition: all, debounce: 1h}}}}
  - {name_prefix: p_after, source_asset: main.s.after, catalog: main, schema: s,
     schedule: {on: {pipeline_updated: p_cron}}}
  - {name_prefix: p_loop, source_asset: main.s.loop, catalog: main, schema: s, schedule: continuous}
jobs:
  nightly:
    schedule: {cron: "0 0 2 * * ?", timezone: UTC}
    tasks:
      - {pipeline: p_preset}
      - {pipeline: p_every, depends_on: [p_preset]}
      - {pipeline: p_quarter, depends_on: [p_preset]}
      - {pipeline: p_once, depends_on: [p_every, p_quarter]}
  in_order:
    schedule: "@daily"
    pipelines: [p_files, p_tables]
"""


def _settings(client: Any) -> dict[str, Any]:
    return {job.settings.name: job.settings for job in client.jobs.list(expand_tasks=True)}


def test_every_form_reaches_the_workspace_as_job_settings(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    result = cli("apply", str(write_pack(tmp_path, PACK)), "--auto-approve")
    assert result.code == 0, result.output
    jobs = _settings(client)
    ids = {p.name: p.pipeline_id for p in client.pipelines.list_pipelines()}

    cron = jobs["p_cron_schedule"]
    assert cron.schedule.quartz_cron_expression == "0 30 9 ? * MON-FRI"
    assert cron.schedule.timezone_id == "Europe/Paris"
    assert cron.schedule.pause_status.value == "UNPAUSED"
    assert cron.max_concurrent_runs == 2 and cron.timeout_seconds == 7200
    assert cron.tasks[0].max_retries == 3
    assert cron.tasks[0].pipeline_task.pipeline_id == ids["p_cron"]
    assert cron.tags["team"] == "sales"
    assert cron.email_notifications.on_failure == ["ops@example.com"]
    assert [d.id for d in cron.webhook_notifications.on_failure] == ["dest-1"]

    assert jobs["p_preset_schedule"].schedule.quartz_cron_expression == "0 30 9 ? * MON-FRI"
    assert jobs["p_preset_schedule"].max_concurrent_runs == 1  # no overlapping runs by default

    every = jobs["p_every_schedule"].trigger
    assert (every.periodic.interval, every.periodic.unit.value) == (6, "HOURS")
    assert every.pause_status.value == "PAUSED"
    assert jobs["p_quarter_schedule"].schedule.quartz_cron_expression == "0 0/15 * * * ?"

    once = jobs["p_once_schedule"].schedule
    assert (once.quartz_cron_expression, once.timezone_id) == ("0 30 18 24 12 ? 2099", "America/New_York")

    files = jobs["p_files_schedule"].trigger.file_arrival
    assert files.url == "s3://b/in/"
    assert (files.min_time_between_triggers_seconds, files.wait_after_last_change_seconds) == (300, 120)

    tables = jobs["p_tables_schedule"].trigger.table_update
    assert tables.table_names == ["main.s.x", "main.s.y"] and tables.condition.value == "ALL_UPDATED"
    assert tables.min_time_between_triggers_seconds == 3600

    after = jobs["p_after_schedule"].trigger.table_update
    assert after.table_names == ["main.s.cron"] and after.condition.value == "ANY_UPDATED"

    assert jobs["p_loop_schedule"].continuous.pause_status.value == "UNPAUSED"

    nightly = jobs["nightly"]
    assert nightly.schedule.quartz_cron_expression == "0 0 2 * * ?"
    graph = {t.task_key: sorted(d.task_key for d in t.depends_on or []) for t in nightly.tasks}
    assert graph == {
        "p_preset": [],
        "p_every": ["p_preset"],
        "p_quarter": ["p_preset"],
        "p_once": ["p_every", "p_quarter"],
    }
    assert {t.pipeline_task.pipeline_id for t in nightly.tasks} == {
        ids[n] for n in ("p_preset", "p_every", "p_quarter", "p_once")
    }
    in_order = jobs["in_order"]
    assert in_order.schedule.quartz_cron_expression == "0 0 0 * * ?"
    assert [(t.task_key, [d.task_key for d in t.depends_on or []]) for t in in_order.tasks] == [
        ("p_files", []),
        ("p_tables", ["p_files"]),
    ]

    again = cli("apply", str(write_pack(tmp_path, PACK)), "--auto-approve")
    assert again.code == 0 and "No changes" in again.stdout, again.output


def test_plan_explains_each_schedule(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    result = cli("plan", str(write_pack(tmp_path, PACK)))
    assert result.code in (0, 2), result.output
    out = result.stdout
    assert "At 09:30, Monday through Friday (Europe/Paris)" in out
    assert "Every 6 hours, measured from the start of the previous run (paused)" in out
    assert "Once, at 2099-12-24T18:30:00-05:00 (America/New_York)" in out
    assert "Runs when pipeline p_cron updates its tables" in out
    assert "next: " in out
