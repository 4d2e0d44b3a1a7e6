"""status end to end: the real SDK against the emulator, before and after apply and after hand edits."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

PACK = """
pipelines:
  - name_prefix: sales
    source_asset: main.s.sales
    schedule: {cron: "0 0 2 * * ?", timezone: Europe/Paris}
  - name_prefix: stream
    source_asset: main.s.stream
    schedule: continuous
  - name_prefix: hourly
    source_asset: main.s.hourly
    schedule: {every: 6h}
  - name_prefix: adhoc
    source_asset: main.s.adhoc
"""


def _status(cli: Any, pack: Path) -> dict[str, dict[str, Any]]:
    result = cli("status", str(pack), "--output", "json")
    assert result.code == 0, result.output
    return {row["name"]: row for row in json.loads(result.stdout)}


def _applied(cli: Any, tmp_path: Path) -> Path:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    return pack


def _job_id(client: Any, name: str) -> int:
    return int(next(iter(client.jobs.list(name=name))).job_id)


def test_before_apply_every_resource_is_shown_missing_and_exit_is_0(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK)
    rows = _status(cli, pack)
    assert list(rows) == ["sales", "stream", "hourly", "adhoc"]
    assert all(not r["exists"] and r["drift"] is None and r["job_id"] is None for r in rows.values())
    assert rows["sales"]["missing"] == ["pipeline", "job"]
    assert rows["sales"]["schedule"] == "At 02:00, every day (Europe/Paris)"
    text = cli("status", str(pack))
    assert text.code == 0, text.output
    assert "missing" in text.stdout and "sharepack apply" in text.stdout


def test_after_apply_rows_exist_without_drift_with_schedule_words_and_next_fire(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    rows = _status(cli, pack)
    sales = rows["sales"]
    assert sales["exists"] and sales["drift"] is False and sales["paused"] is False
    assert sales["job"] == "sales_schedule" and sales["job_id"] == _job_id(client, "sales_schedule")
    assert (
        sales["pipeline_id"]
        == next(iter(client.pipelines.list_pipelines(filter="name LIKE 'sales'"))).pipeline_id
    )
    fire = datetime.fromisoformat(sales["next_fire"])
    assert (fire.hour, fire.minute) == (2, 0) and fire.utcoffset() is not None
    assert fire > datetime.now(fire.tzinfo)
    assert rows["stream"]["next_fire"] == "continuous"
    assert rows["stream"]["schedule"].startswith("Runs continuously")
    assert rows["hourly"]["next_fire"].startswith("every 6 hours")
    assert rows["adhoc"]["schedule"] == "not scheduled" and rows["adhoc"]["paused"] is None
    assert all(r["runs"] == {"total": 0, "succeeded": 0, "failed": 0} for r in rows.values())
    text = cli("status", str(pack))
    assert "exists" in text.stdout and "At 02:00, every day (Europe/Paris)" in text.stdout
    assert "sharepack apply" not in text.stdout


def test_a_job_changed_by_hand_shows_drift(cli: Any, workspace_env: Any, client: Any, tmp_path: Path) -> None:
    from databricks.sdk.service.jobs import JobSettings

    pack = _applied(cli, tmp_path)
    client.jobs.update(_job_id(client, "stream_schedule"), new_settings=JobSettings(max_concurrent_runs=4))
    rows = _status(cli, pack)
    assert rows["stream"]["drift"] is True
    assert any("max_concurrent_runs" in f for f in rows["stream"]["drift_fields"])
    assert rows["sales"]["drift"] is False


def test_statistics_count_succeeded_and_failed_runs(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    job_id = _job_id(client, "sales_schedule")
    workspace_env.simulate_scheduled_run(job_id, "SUCCESS")
    workspace_env.simulate_scheduled_run(job_id, "SUCCESS")
    workspace_env.set_job_outcome(job_id, "FAILED")
    client.jobs.run_now(job_id=job_id)
    last = workspace_env.simulate_scheduled_run(job_id, "FAILED")
    rows = _status(cli, pack)
    assert rows["sales"]["runs"] == {"total": 4, "succeeded": 2, "failed": 2}
    assert rows["sales"]["last_run"]["run_id"] == last
    assert rows["sales"]["last_run"]["state"] == "FAILED"
    assert rows["sales"]["last_run"]["trigger"] == "scheduled"
    assert rows["stream"]["runs"]["total"] == 0
    text = cli("status", str(pack))
    assert "4 (2 ok, 2 failed)" in text.stdout and "FAILED" in text.stdout


def test_a_job_paused_through_the_sdk_is_shown_paused_with_no_next_fire(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.jobs import CronSchedule, JobSettings, PauseStatus

    pack = _applied(cli, tmp_path)
    paused = CronSchedule(
        quartz_cron_expression="0 0 2 * * ?", timezone_id="Europe/Paris", pause_status=PauseStatus.PAUSED
    )
    client.jobs.update(_job_id(client, "sales_schedule"), new_settings=JobSettings(schedule=paused))
    rows = _status(cli, pack)
    assert rows["sales"]["paused"] is True and rows["sales"]["next_fire"] is None
    assert rows["sales"]["drift"] is True  # the YAML says active: plan would resume it
    assert rows["stream"]["paused"] is False
    assert "paused" in cli("status", str(pack)).stdout


def test_a_big_pack_reads_runs_with_one_workspace_wide_listing(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from sharepack.ops import runs_read

    pack = _applied(cli, tmp_path)
    sales, stream = _job_id(client, "sales_schedule"), _job_id(client, "stream_schedule")
    workspace_env.simulate_scheduled_run(sales, "SUCCESS")
    workspace_env.simulate_scheduled_run(stream, "FAILED")
    workspace_env.simulate_scheduled_run(sales, "FAILED")
    monkeypatch.setattr(runs_read, "PER_JOB_LIMIT", 1)  # as if the pack had more jobs than that
    workspace_env.reset_log()
    rows = _status(cli, pack)
    assert rows["sales"]["runs"] == {"total": 2, "succeeded": 1, "failed": 1}
    assert rows["stream"]["runs"] == {"total": 1, "succeeded": 0, "failed": 1}
    assert rows["hourly"]["runs"]["total"] == 0
    run_lists = [r for r in workspace_env.request_log() if "runs/list" in r.path]
    assert len(run_lists) == 1
