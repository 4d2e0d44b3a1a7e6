"""sharepack backfill end to end: the real SDK over HTTP against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

PACK = """
pipelines:
  - name_prefix: sales_daily_sync
    source_asset: catalog.sales.daily_sales
    catalog: analytics
    schema: shared_sales
    schedule: {cron: "0 0 2 * * ?", timezone: UTC}
"""
JOB = "sales_daily_sync_schedule"


@pytest.fixture(autouse=True)
def _no_poll_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sharepack.ops.run_wait.POLL_INTERVAL_S", 0)


@pytest.fixture
def pack(cli: Any, workspace_env: Any, tmp_path: Path) -> Path:
    path = write_pack(tmp_path, PACK, "sales.yaml")
    applied = cli("apply", str(path), "--auto-approve")
    assert applied.code == 0, applied.output
    return path


def job_id(client: Any) -> int:
    return next(int(j.job_id) for j in client.jobs.list(name=JOB))


def run_dates(client: Any) -> list[str]:
    """The run_date of every run of the job, oldest first."""
    runs = list(client.jobs.list_runs(job_id=job_id(client)))
    dates = [{p.name: p.value for p in r.job_parameters or []}.get("run_date") for r in reversed(runs)]
    return [d for d in dates if d is not None]


def records(tmp_path: Path) -> list[dict[str, Any]]:
    folder = tmp_path / ".sharepack" / "backfills"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_backfill_starts_one_run_per_date_with_its_run_date(
    cli: Any, client: Any, pack: Path, tmp_path: Path
) -> None:
    result = cli("backfill", str(pack), "sales_daily_sync", "--from", "2024-01-01", "--to", "2024-01-05")
    assert result.code == 0, result.output
    assert "5 succeeded, 0 failed (of 5)" in result.stdout
    assert run_dates(client) == [f"2024-01-0{d}" for d in range(1, 6)]
    (record,) = records(tmp_path)
    assert record["job"] == JOB and record["job_id"] == job_id(client) and record["pack"] == "sales"
    assert {d: e["state"] for d, e in record["dates"].items()} == {
        f"2024-01-0{d}": "succeeded" for d in range(1, 6)
    }
    assert all(isinstance(e["run_id"], int) for e in record["dates"].values())
    assert f"--resume {record['id']}" in result.stdout


def test_weekly_and_hourly_steps(cli: Any, client: Any, pack: Path) -> None:
    weekly = cli("backfill", str(pack), JOB, "--from", "2024-01-01", "--to", "2024-01-20", "--every", "1w")
    assert weekly.code == 0, weekly.output
    hourly = cli(
        "backfill", str(pack), JOB, "--from", "2024-02-01", "--to", "2024-02-01T12:00", "--every", "6h",
        "--max-parallel", "1",
    )  # fmt: skip
    assert hourly.code == 0, hourly.output
    assert run_dates(client) == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
        "2024-02-01T00:00:00",
        "2024-02-01T06:00:00",
        "2024-02-01T12:00:00",
    ]


def test_dry_run_lists_the_dates_and_sends_nothing(
    cli: Any, emulator: Any, client: Any, pack: Path, tmp_path: Path
) -> None:
    before = emulator.mutating_count()
    result = cli("backfill", str(pack), JOB, "--from", "2024-03-30", "--to", "2024-04-02", "--dry-run")
    assert result.code == 0, result.output
    assert emulator.mutating_count() == before
    assert "Would start 4 runs" in result.stdout
    for day in ("2024-03-30", "2024-03-31", "2024-04-01", "2024-04-02"):
        assert f"run_date={day}" in result.stdout
    assert run_dates(client) == [] and records(tmp_path) == []


def test_failed_dates_exit_1_and_resume_reruns_only_those(
    cli: Any, emulator: Any, client: Any, pack: Path, tmp_path: Path
) -> None:
    emulator.set_job_outcome(job_id(client), "FAILED")
    first = cli("backfill", str(pack), JOB, "--from", "2024-01-01", "--to", "2024-01-03")
    assert first.code == 1
    assert "0 succeeded, 3 failed (of 3)" in first.stdout
    assert "✗ 2024-01-02: run" in first.stderr
    (record,) = records(tmp_path)

    emulator.set_job_outcome(job_id(client), "SUCCESS")
    resumed = cli("backfill", str(pack), JOB, "--resume", record["id"])
    assert resumed.code == 0, resumed.output
    assert "3 succeeded, 0 failed (of 3)" in resumed.stdout
    assert run_dates(client) == ["2024-01-01", "2024-01-02", "2024-01-03"] * 2
    assert {e["state"] for e in records(tmp_path)[0]["dates"].values()} == {"succeeded"}


def test_resume_after_an_interruption_runs_only_unfinished_dates(
    cli: Any, client: Any, pack: Path, tmp_path: Path
) -> None:
    """As a killed backfill leaves it: two dates done, one started but unrecorded, two untouched."""
    done = [client.jobs.run_now(job_id(client), job_parameters={"run_date": d}).response.run_id
            for d in ("2024-05-01", "2024-05-02")]  # fmt: skip
    folder = tmp_path / ".sharepack" / "backfills"
    folder.mkdir(parents=True)
    # The third date's run was triggered with the backfill's token but the process died before saving.
    client.jobs.run_now(
        job_id(client),
        job_parameters={"run_date": "2024-05-03"},
        idempotency_token="sharepack-backfill-bf1-2024-05-03",
    )
    record = {
        "id": "bf1",
        "pack": "sales",
        "job": JOB,
        "job_id": job_id(client),
        "created": "2024-06-01T00:00:00+00:00",
        "dates": {
            "2024-05-01": {"run_id": done[0], "state": "succeeded"},
            "2024-05-02": {"run_id": done[1], "state": "succeeded"},
            "2024-05-03": {"run_id": None, "state": "pending"},
            "2024-05-04": {"run_id": None, "state": "pending"},
            "2024-05-05": {"run_id": None, "state": "pending"},
        },
    }
    (folder / "bf1.json").write_text(json.dumps(record))

    result = cli("backfill", str(pack), "sales_daily_sync", "--resume", "bf1")
    assert result.code == 0, result.output
    assert "5 succeeded, 0 failed (of 5)" in result.stdout
    assert sorted(run_dates(client)) == [f"2024-05-0{d}" for d in range(1, 6)]
    saved = records(tmp_path)[0]["dates"]
    assert [saved[d]["run_id"] for d in ("2024-05-01", "2024-05-02")] == done
    assert {e["state"] for e in saved.values()} == {"succeeded"}


def test_max_parallel_one_and_json_output(cli: Any, client: Any, pack: Path) -> None:
    result = cli(
        "backfill", str(pack), JOB, "--from", "2024-01-01", "--to", "2024-01-02", "--max-parallel", "1",
        "-o", "json",
    )  # fmt: skip
    assert result.code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["succeeded"], report["failed"], report["job"]) == (2, 0, JOB)
    assert sorted(report["dates"]) == ["2024-01-01", "2024-01-02"]


def test_more_than_10000_runs_is_refused(cli: Any, emulator: Any, pack: Path) -> None:
    before = emulator.mutating_count()
    result = cli("backfill", str(pack), JOB, "--from", "2020-01-01", "--to", "2024-01-01", "--every", "1h")
    assert result.code == 2
    assert "35,065 runs" in result.stderr and "10,000" in result.stderr
    assert emulator.mutating_count() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-13-01", "--to", "2024-12-31"], "--from '2024-13-01' is not a date"),
        (["--from", "2024-02-01", "--to", "2024-01-01"], "is after --to"),
        (["--from", "2024-01-01", "--to", "2024-01-02", "--every", "2x"], "--every '2x'"),
        (["--from", "2024-01-01"], "needs --from and --to"),
        (["--resume", "nope"], "no backfill 'nope'"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    cli: Any, workspace_env: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    pack = write_pack(tmp_path, PACK, "sales.yaml")
    result = cli("backfill", str(pack), JOB, *args)
    assert result.code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_pipeline_without_a_job_cannot_be_backfilled(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK.replace('    schedule: {cron: "0 0 2 * * ?", timezone: UTC}\n', ""))
    result = cli("backfill", str(pack), "sales_daily_sync", "--from", "2024-01-01", "--to", "2024-01-02")
    assert result.code == 2
    assert "no schedule job of its own to backfill" in result.stderr
