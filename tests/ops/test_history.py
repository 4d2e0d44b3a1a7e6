"""history end to end: a job's runs from the emulator, newest first, each with its trigger type."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

PACK = """
pipelines:
  - name_prefix: sales
    source_asset: main.s.sales
    schedule: {cron: "0 0 2 * * ?", timezone: UTC}
  - name_prefix: later
    source_asset: main.s.later
    schedule: {cron: "0 0 3 * * ?", timezone: UTC}
"""


def _applied(cli: Any, tmp_path: Path) -> Path:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    return pack


def _job_id(client: Any, name: str) -> int:
    return int(next(iter(client.jobs.list(name=name))).job_id)


def _history(cli: Any, *args: str) -> list[dict[str, Any]]:
    result = cli("history", *args, "--output", "json")
    assert result.code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_runs_newest_first_with_trigger_state_start_and_link(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    job_id = _job_id(client, "sales_schedule")
    scheduled = workspace_env.simulate_scheduled_run(job_id, "SUCCESS")
    manual = client.jobs.run_now(job_id=job_id).run_id
    backfill = client.jobs.run_now(job_id=job_id, job_parameters={"run_date": "2024-01-05"}).run_id
    recorded = client.jobs.run_now(job_id=job_id).run_id  # started by `sharepack backfill` for today
    today = datetime.now(UTC).date().isoformat()
    record = {
        "id": "b1",
        "pack": "pack",
        "job": "sales_schedule",
        "job_id": job_id,
        "created": datetime.now(UTC).isoformat(),
        "dates": {
            today: {"run_id": recorded, "state": "succeeded"},
            "2024-01-06": {"run_id": None, "state": "pending"},
        },
    }
    backfills = tmp_path / ".sharepack" / "backfills"
    backfills.mkdir(parents=True)
    (backfills / "b1.json").write_text(json.dumps(record), encoding="utf-8")
    (backfills / "broken.json").write_text("{not json", encoding="utf-8")
    workspace_env.set_job_outcome(job_id, "FAILED")
    failed = client.jobs.run_now(job_id=job_id).run_id

    rows = _history(cli, str(pack), "sales")  # the pipeline's name works as well as the job's
    assert [r["run_id"] for r in rows] == [failed, recorded, backfill, manual, scheduled]
    kinds = {r["run_id"]: r["trigger"] for r in rows}
    assert kinds == {
        failed: "manual",
        recorded: "backfill",
        backfill: "backfill",
        manual: "manual",
        scheduled: "scheduled",
    }
    assert rows[0]["state"] == "FAILED" and rows[1]["state"] == "SUCCESS"
    start = datetime.fromisoformat(rows[0]["start_time"])
    assert start.utcoffset() is not None and abs((datetime.now(UTC) - start).total_seconds()) < 3600
    assert rows[0]["url"].endswith(f"/run/{failed}")
    assert rows[0]["duration_s"] is not None

    text = cli("history", str(pack), "sales_schedule")
    assert text.code == 0, text.output
    assert "backfill" in text.stdout and "scheduled" in text.stdout and f"/run/{failed}" in text.stdout
    # Other jobs' runs never show up.
    assert _history(cli, str(pack), "later") == []
    assert "has not run yet" in cli("history", str(pack), "later").stdout


def test_limit_defaults_to_20_and_pages_past_one_api_page(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    job_id = _job_id(client, "sales_schedule")
    started = [workspace_env.simulate_scheduled_run(job_id) for _ in range(30)]
    assert len(_history(cli, str(pack), "sales")) == 20
    rows = _history(cli, str(pack), "sales", "--limit", "27")
    assert [r["run_id"] for r in rows] == sorted(started, reverse=True)[:27]
    assert len(_history(cli, str(pack), "sales", "--limit", "3")) == 3


def test_unknown_name_is_a_usage_error_with_the_declared_names(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    result = cli("history", str(pack), "nope")
    assert result.code == 2
    assert "not declared" in result.stderr and "sales_schedule" in result.stderr
    assert "Traceback" not in result.output


def test_a_job_not_created_yet_says_to_apply(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    result = cli("history", str(pack), "sales")
    assert result.code == 1
    assert "does not exist" in result.stderr and "sharepack apply" in result.stderr
    assert "Traceback" not in result.output


def test_event_triggers_are_events_and_run_date_of_the_start_day_is_not_a_backfill() -> None:
    from sharepack.ops.runs_read import RunInfo, trigger_kind

    start = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)

    def run(trigger: str, run_date: str | None) -> RunInfo:
        return RunInfo(1, 2, trigger, "SUCCESS", start, 1.0, None, run_date)

    assert trigger_kind(run("FILE_ARRIVAL", None)) == "event"
    assert trigger_kind(run("TABLE", "2020-01-01")) == "event"
    assert trigger_kind(run("PERIODIC", "2026-03-04")) == "scheduled"
    assert trigger_kind(run("ONE_TIME", "2026-03-04")) == "manual"
    assert trigger_kind(run("ONE_TIME", "2026-03-01")) == "backfill"
    assert trigger_kind(run("ONE_TIME", None), backfill_run_ids={1}) == "backfill"
