"""export end to end: what a workspace holds, written as a pack that plans to no changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import write_pack

PACK = """
metadata: {name: retail}
share:
  - name: sales_share
    share_assets: [main.sales.daily, main.sales.orders]
    delta_share: {ext_catalog_name: shared, ext_schema_name: sales}
    pipelines:
      - name_prefix: sales_daily
        source_asset: main.sales.daily
        notebook: /Workspace/etl/daily
        configuration: {window: 7d}
        tags: {team: data}
        notification: [ops@example.com]
        schedule:
          cron: "0 0 2 * * ?"
          timezone: America/New_York
          retries: 2
          timeout: 2h
          paused: true
      - name_prefix: sales_orders
        source_asset: main.sales.orders
        schedule: {every: 6h, max_concurrent_runs: 3}
pipelines:
  - name_prefix: stream_events
    source_asset: main.raw.events
    schedule: continuous
  - name_prefix: quarter_hourly
    source_asset: main.raw.clicks
    schedule: {every: 15m, tags: {tier: gold}}
  - name_prefix: on_files
    source_asset: main.raw.files
    schedule: {on: {file_arrival: {url: "s3://bucket/in/", debounce: 5m}}}
jobs:
  nightly:
    schedule: {cron: "0 30 3 ? * MON-FRI", timezone: Europe/Paris}
    pipelines: [sales_daily, sales_orders]
"""


def _plan_is_clean(cli: Any, pack: Path) -> dict[str, Any]:
    result = cli("plan", str(pack), "--output", "json")
    assert result.code == 0, result.output
    plan: dict[str, Any] = json.loads(result.stdout)
    actions = {c["name"]: c["action"] for c in plan["changes"]}
    assert set(actions.values()) == {"no-op"}, actions
    return plan


def test_round_trip_plans_no_changes(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    out = tmp_path / "exported.yaml"

    result = cli("export", "--out", str(out))
    assert result.code == 0, result.output
    assert "Exported 5 pipeline(s) and 6 job(s) as pack retail" in result.stderr
    assert cli("validate", str(out)).code == 0
    workspace_env.reset_log()
    plan = cli("plan", str(out), "--detailed-exitcode")
    assert plan.code == 0, plan.output
    assert "0 to create, 0 to update, 0 to adopt" in plan.stdout
    assert workspace_env.mutating_count() == 0
    _plan_is_clean(cli, out)

    text = out.read_text()
    assert text.startswith("# Exported by `sharepack export`")
    document = yaml.safe_load(text)
    schedules = {
        p["name_prefix"]: p.get("schedule") for p in document["pipelines"] + document["share"][0]["pipelines"]
    }
    # The richest form each schedule has, not the cron it was sent as.
    assert schedules["stream_events"] == {"continuous": True}
    assert schedules["quarter_hourly"] == {"every": "15m", "tags": {"tier": "gold"}}
    assert schedules["sales_orders"] == {"every": "6h", "max_concurrent_runs": 3}
    assert schedules["sales_daily"] == {
        "cron": "0 0 2 * * ?",
        "timezone": "America/New_York",
        "paused": True,
        "timeout": "2h",
        "retries": 2,
    }
    assert schedules["on_files"] == {"on": {"file_arrival": {"url": "s3://bucket/in/", "debounce": "5m"}}}
    assert document["jobs"]["nightly"]["pipelines"] == ["sales_daily", "sales_orders"]


def test_paused_by_hand_exports_paused_and_still_round_trips(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert cli("pause", str(pack), "stream_events").code == 0
    out = tmp_path / "exported.yaml"
    assert cli("export", "--out", str(out)).code == 0
    document = yaml.safe_load(out.read_text())
    stream = next(p for p in document["pipelines"] if p["name_prefix"] == "stream_events")
    assert stream["schedule"] == {"continuous": True, "paused": True}
    _plan_is_clean(cli, out)


def test_name_like_exports_only_matching_pipelines(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    result = cli("export", "--name-like", "sales%", "--output", "json")
    assert result.code == 0, result.output
    payload = json.loads(result.stdout)
    assert sorted(payload["pipelines"]) == ["sales_daily", "sales_orders"]
    assert sorted(payload["jobs"]) == ["nightly", "sales_daily_schedule", "sales_orders_schedule"]
    assert "LIKE 'sales%'" in payload["yaml"]
    out = write_pack(tmp_path, payload["yaml"], "sales.yaml")
    assert cli("validate", str(out)).code == 0
    _plan_is_clean(cli, out)


def test_hand_made_pipelines_are_adopted(cli: Any, workspace_env: Any, client: Any, tmp_path: Path) -> None:
    from databricks.sdk.service import jobs, pipelines

    made = client.pipelines.create(
        name="hand_made",
        catalog="main",
        schema="raw",
        serverless=True,
        libraries=[pipelines.PipelineLibrary(notebook=pipelines.NotebookLibrary(path="/Workspace/x"))],
    )
    client.jobs.create(
        name="hand_made_schedule",
        tasks=[jobs.Task(task_key="run", pipeline_task=jobs.PipelineTask(pipeline_id=made.pipeline_id))],
        schedule=jobs.CronSchedule(
            quartz_cron_expression="0 15 4 * * ?",
            timezone_id="Europe/Berlin",
            pause_status=jobs.PauseStatus.PAUSED,
        ),
    )
    out = tmp_path / "adopt.yaml"
    result = cli("export", "--out", str(out))
    assert result.code == 0, result.output
    assert cli("validate", str(out)).code == 0
    text = out.read_text()
    assert "source_asset is not recorded on hand-made pipelines" in text
    document = yaml.safe_load(text)
    (pipeline,) = document["pipelines"]
    assert pipeline["schedule"] == {
        "cron": "0 15 4 * * ?",
        "timezone": "Europe/Berlin",
        "paused": True,
        "queue": False,
    }

    plan = json.loads(cli("plan", str(out), "--output", "json").stdout)
    assert {c["name"]: c["action"] for c in plan["changes"]} == {
        "hand_made": "adopt",
        "hand_made_schedule": "adopt",
    }
    # Adopting only adds sharepack's tags (and run_date): the hand-made task keeps its key.
    (job_change,) = [c for c in plan["changes"] if c["name"] == "hand_made_schedule"]
    assert not any(str(d.get("path", d)).startswith("tasks") for d in job_change["diff"]), job_change["diff"]
    assert cli("apply", str(out), "--auto-approve").code == 0
    _plan_is_clean(cli, out)
    (job,) = list(client.jobs.list(name="hand_made_schedule", expand_tasks=True))
    assert [t.task_key for t in job.settings.tasks] == ["run"]
    # Adopted, not duplicated: still one pipeline and one job of that name.
    assert len(list(client.jobs.list(name="hand_made_schedule"))) == 1


def test_existing_out_file_is_not_overwritten(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    out = write_pack(tmp_path, "keep me\n", "exists.yaml")
    result = cli("export", "--out", str(out))
    assert result.code == 2
    assert "--force" in result.stderr
    assert out.read_text() == "keep me\n"


def test_job_running_pipelines_outside_the_filter_is_left_out_with_a_note(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    out = tmp_path / "daily.yaml"
    result = cli("export", "--name-like", "sales_daily", "--out", str(out))
    assert result.code == 0, result.output
    assert "job nightly also runs other tasks or pipelines not exported: left out" in out.read_text()
    assert "nightly" in result.stderr
    assert cli("validate", str(out)).code == 0
    _plan_is_clean(cli, out)


def test_an_out_path_in_a_missing_folder_is_a_message_not_a_traceback(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    result = cli("export", "--out", str(tmp_path / "missing" / "x.yaml"))
    assert result.code == 1
    assert "No such file or directory" in result.stderr and "missing" in result.stderr
    assert "Traceback" not in result.output
