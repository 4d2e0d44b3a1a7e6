"""sharepack run end to end: the real SDK over HTTP against the emulator."""

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
  - name_prefix: orders_sync
    source_asset: catalog.sales.orders
    catalog: analytics
    schema: shared_sales
    schedule: {cron: "0 0 3 * * ?", timezone: UTC}
  - name_prefix: stock_sync
    source_asset: catalog.sales.stock
    catalog: analytics
    schema: shared_sales
    schedule: {cron: "0 0 4 * * ?", timezone: UTC}
  - name_prefix: adhoc_sync
    source_asset: catalog.sales.adhoc
    catalog: analytics
    schema: shared_sales
"""


@pytest.fixture(autouse=True)
def _no_poll_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sharepack.ops.run_wait.POLL_INTERVAL_S", 0)


@pytest.fixture
def pack(cli: Any, workspace_env: Any, tmp_path: Path) -> Path:
    path = write_pack(tmp_path, PACK, "sales.yaml")
    applied = cli("apply", str(path), "--auto-approve")
    assert applied.code == 0, applied.output
    return path


def job_id(client: Any, name: str) -> int:
    return next(int(j.job_id) for j in client.jobs.list(name=name))


def pipeline_id(client: Any, name: str) -> str:
    return next(str(p.pipeline_id) for p in client.pipelines.list_pipelines() if p.name == name)


def manual_runs(client: Any, name: str) -> list[Any]:
    return [r for r in client.jobs.list_runs(job_id=job_id(client, name)) if r.trigger.value == "ONE_TIME"]


def test_run_by_pipeline_name_starts_a_manual_run_of_its_job(cli: Any, client: Any, pack: Path) -> None:
    result = cli("run", str(pack), "sales_daily_sync")
    assert result.code == 0, result.output
    runs = manual_runs(client, "sales_daily_sync_schedule")
    assert len(runs) == 1
    assert f"run {runs[0].run_id}" in result.stdout and runs[0].run_page_url in result.stdout
    assert manual_runs(client, "orders_sync_schedule") == []


def test_run_by_job_name_with_json_output(cli: Any, client: Any, pack: Path) -> None:
    result = cli("run", str(pack), "orders_sync_schedule", "--wait", "--output", "json")
    assert result.code == 0, result.output
    started = json.loads(result.stdout)["runs"]
    runs = manual_runs(client, "orders_sync_schedule")
    assert [(s["name"], s["run_id"], s["state"]) for s in started] == [
        ("orders_sync_schedule", runs[0].run_id, "SUCCESS")
    ]
    assert started[0]["job_id"] == job_id(client, "orders_sync_schedule")
    assert started[0]["url"] == runs[0].run_page_url


def test_run_without_names_starts_every_declared_job(cli: Any, client: Any, pack: Path) -> None:
    result = cli("run", str(pack), "--output", "json")
    assert result.code == 0, result.output
    names = sorted(r["name"] for r in json.loads(result.stdout)["runs"])
    assert names == ["orders_sync_schedule", "sales_daily_sync_schedule", "stock_sync_schedule"]
    assert all(len(manual_runs(client, n)) == 1 for n in names)


def test_wait_exits_1_when_a_run_fails(cli: Any, client: Any, emulator: Any, pack: Path) -> None:
    emulator.set_job_outcome(job_id(client, "orders_sync_schedule"), "FAILED")
    result = cli("run", str(pack), "sales_daily_sync", "orders_sync", "--wait")
    assert result.code == 1, result.output
    assert "✓ sales_daily_sync_schedule succeeded" in result.stdout
    assert "✗ orders_sync_schedule FAILED" in result.stderr
    assert "1 succeeded, 1 failed" in result.stdout


def test_without_wait_a_failing_run_does_not_fail_the_command(
    cli: Any, client: Any, emulator: Any, pack: Path
) -> None:
    emulator.set_job_outcome(job_id(client, "orders_sync_schedule"), "FAILED")
    assert cli("run", str(pack), "orders_sync").code == 0


def test_in_order_stops_at_the_first_failure(cli: Any, client: Any, emulator: Any, pack: Path) -> None:
    emulator.set_job_outcome(job_id(client, "orders_sync_schedule"), "FAILED")
    result = cli("run", str(pack), "sales_daily_sync", "orders_sync", "stock_sync", "--in-order")
    assert result.code == 1, result.output
    assert "stock_sync_schedule not started: an earlier run failed" in result.stderr
    assert len(manual_runs(client, "sales_daily_sync_schedule")) == 1
    assert len(manual_runs(client, "orders_sync_schedule")) == 1
    assert manual_runs(client, "stock_sync_schedule") == []


def test_in_order_json_reports_the_unstarted(cli: Any, client: Any, emulator: Any, pack: Path) -> None:
    emulator.set_job_outcome(job_id(client, "sales_daily_sync_schedule"), "FAILED")
    result = cli("run", str(pack), "sales_daily_sync", "orders_sync", "--in-order", "-o", "json")
    assert result.code == 1
    states = [(r["name"], r["state"]) for r in json.loads(result.stdout)["runs"]]
    assert states == [("sales_daily_sync_schedule", "FAILED"), ("orders_sync_schedule", "NOT_STARTED")]


def test_full_refresh_reaches_the_pipeline_update(cli: Any, client: Any, pack: Path) -> None:
    assert cli("run", str(pack), "sales_daily_sync", "--full-refresh").code == 0
    assert cli("run", str(pack), "orders_sync").code == 0
    daily = client.pipelines.list_updates(pipeline_id(client, "sales_daily_sync")).updates
    orders = client.pipelines.list_updates(pipeline_id(client, "orders_sync")).updates
    assert [u.full_refresh for u in daily] == [True]
    assert [u.full_refresh for u in orders] == [False]


def test_a_pipeline_without_a_job_is_started_directly(cli: Any, client: Any, pack: Path) -> None:
    result = cli("run", str(pack), "adhoc_sync", "--full-refresh", "--wait")
    assert result.code == 0, result.output
    updates = client.pipelines.list_updates(pipeline_id(client, "adhoc_sync")).updates
    assert [u.full_refresh for u in updates] == [True]
    assert "✓ adhoc_sync succeeded" in result.stdout


def test_a_job_missing_in_the_workspace_is_named_with_a_hint(cli: Any, client: Any, pack: Path) -> None:
    client.jobs.delete(job_id(client, "orders_sync_schedule"))
    result = cli("run", str(pack), "orders_sync")
    assert result.code == 1
    assert "orders_sync_schedule" in result.stderr and "sharepack apply" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_name_is_a_usage_error(cli: Any, pack: Path) -> None:
    result = cli("run", str(pack), "nope")
    assert result.code == 2
    assert "nope" in result.stderr and "sales_daily_sync" in result.stderr


def test_a_pipeline_that_only_runs_in_an_orchestration_is_started_alone(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    # Naming adhoc_sync must not start `nightly`, which would run orders_sync as well.
    text = (
        PACK + 'jobs:\n  nightly:\n    schedule: "daily at 01:00"\n    pipelines: [adhoc_sync, orders_sync]\n'
    )
    path = write_pack(tmp_path, text, "sales.yaml")
    assert cli("apply", str(path), "--auto-approve").code == 0
    result = cli("run", str(path), "adhoc_sync", "--output", "json")
    assert result.code == 0, result.output
    assert [r["pipeline_id"] for r in json.loads(result.stdout)["runs"]] == [
        pipeline_id(client, "adhoc_sync")
    ]
    assert manual_runs(client, "nightly") == []
    history = cli("history", str(path), "adhoc_sync")
    assert history.code == 2 and "it runs in nightly: name that job instead" in history.stderr
