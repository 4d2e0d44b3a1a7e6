"""plan and apply end to end: the real SDK over HTTP against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import write_pack

SEED = """
share:
  - name: sales_share
    share_assets:
      - catalog.sales_schema.daily_sales
      - catalog.sales_schema.customer_orders
    delta_share:
      ext_catalog_name: analytics_prod
      ext_schema_name: shared_sales
    pipelines:
      - name_prefix: sales_daily_sync
        source_asset: catalog.sales_schema.daily_sales
        schedule:
          cron: "0 0 2 * * ?"
          timezone: "America/New_York"
        notification:
          - analytics-team@jll.com
      - name_prefix: sales_orders_sync
        source_asset: catalog.sales_schema.customer_orders
        schedule:
          cron: "0 0 */6 * * ?"
          timezone: "UTC"
"""


def jobs_by_name(client: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for job in client.jobs.list(expand_tasks=True):
        found.setdefault(job.settings.name, []).append(job)
    return found


def pipelines_by_name(client: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for pipeline in client.pipelines.list_pipelines():
        found.setdefault(pipeline.name, []).append(pipeline)
    return found


def test_fresh_apply_creates_each_pipeline_and_its_schedule_job(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "✓ Created pipeline: sales_daily_sync" in result.stdout
    pipelines = pipelines_by_name(client)
    jobs = jobs_by_name(client)
    assert sorted(pipelines) == ["sales_daily_sync", "sales_orders_sync"]
    assert sorted(jobs) == ["sales_daily_sync_schedule", "sales_orders_sync_schedule"]
    daily = jobs["sales_daily_sync_schedule"][0].settings
    assert daily.schedule.quartz_cron_expression == "0 0 2 * * ?"
    assert daily.schedule.timezone_id == "America/New_York"
    assert daily.schedule.pause_status.value == "UNPAUSED"
    assert daily.tasks[0].pipeline_task.pipeline_id == pipelines["sales_daily_sync"][0].pipeline_id
    assert daily.tags["managed_by"] == "sharepack" and daily.tags["sharepack_pack"] == "sales"
    assert daily.email_notifications.on_failure == ["analytics-team@jll.com"]
    assert daily.max_concurrent_runs == 1
    spec = client.pipelines.get(pipelines["sales_daily_sync"][0].pipeline_id).spec
    assert (spec.catalog, spec.schema, spec.serverless) == ("analytics_prod", "shared_sales", True)
    assert spec.tags["managed_by"] == "sharepack"


def test_reapply_sends_no_mutating_request(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    before = workspace_env.mutating_count()
    again = cli("apply", str(pack), "--auto-approve")
    assert again.code == 0, again.output
    assert "No changes" in again.stdout
    assert workspace_env.mutating_count() == before


def test_plan_and_dry_run_send_no_mutating_request(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("plan", str(pack)).code == 0
    assert cli("apply", str(pack), "--dry-run").code == 0
    assert workspace_env.mutating_count() == 0
    assert all(r.method == "GET" for r in workspace_env.request_log())


def test_plan_json_lists_every_change_with_a_summary(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli("plan", str(pack), "--output", "json")
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format_version"] == 1
    # The share, its objects, two pipelines, their generated code and their two schedule jobs.
    assert data["summary"]["create"] == 8
    kinds = sorted((c["resource_type"], c["name"], c["action"]) for c in data["changes"])
    assert kinds == [
        ("job", "sales_daily_sync_schedule", "create"),
        ("job", "sales_orders_sync_schedule", "create"),
        ("pipeline", "sales_daily_sync", "create"),
        ("pipeline", "sales_orders_sync", "create"),
        ("share", "sales_share", "create"),
        ("share_objects", "sales_share", "create"),
        ("workspace_file", "/Workspace/Shared/.sharepack/sales/pipelines/sales_daily_sync.py", "create"),
        ("workspace_file", "/Workspace/Shared/.sharepack/sales/pipelines/sales_orders_sync.py", "create"),
    ]


def test_detailed_exitcode_tells_changes_from_none(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("plan", str(pack), "--detailed-exitcode").code == 2
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_cron_changed_in_the_workspace_is_shown_and_fixed(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.jobs import CronSchedule, JobSettings

    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    job = jobs_by_name(client)["sales_daily_sync_schedule"][0]
    client.jobs.update(job.job_id, new_settings=JobSettings(schedule=CronSchedule("0 0 5 * * ?", "UTC")))
    plan = cli("plan", str(pack), "--output", "json")
    changes = [c for c in json.loads(plan.stdout)["changes"] if c["action"] != "no-op"]
    assert [(c["name"], c["action"]) for c in changes] == [("sales_daily_sync_schedule", "update")]
    diff = {d["path"]: (d["before"], d["after"]) for d in changes[0]["diff"]}
    assert diff["schedule.quartz_cron_expression"] == ("0 0 5 * * ?", "0 0 2 * * ?")
    assert diff["schedule.timezone_id"] == ("UTC", "America/New_York")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    fixed = client.jobs.get(job.job_id).settings.schedule
    assert (fixed.quartz_cron_expression, fixed.timezone_id) == ("0 0 2 * * ?", "America/New_York")
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_existing_pipeline_is_adopted_not_duplicated(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    made_by_hand = client.pipelines.create(name="sales_daily_sync", catalog="analytics_prod", schema="old")
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    plan = json.loads(cli("plan", str(pack), "--output", "json").stdout)
    adopt = next(c for c in plan["changes"] if c["name"] == "sales_daily_sync")
    assert adopt["action"] == "adopt" and adopt["id"] == made_by_hand.pipeline_id
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert len(pipelines_by_name(client)["sales_daily_sync"]) == 1
    spec = client.pipelines.get(made_by_hand.pipeline_id).spec
    assert spec.schema == "shared_sales" and spec.tags["sharepack_pack"] == "sales"


def test_two_jobs_with_one_name_are_left_alone(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    for _ in range(2):
        client.jobs.create(name="sales_daily_sync_schedule")
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output  # a schedule problem is a warning, not a failure
    assert "2 jobs are named sales_daily_sync_schedule" in result.output
    jobs = jobs_by_name(client)["sales_daily_sync_schedule"]
    assert len(jobs) == 2 and all(not j.settings.tasks for j in jobs)
    assert cli("apply", str(pack), "--auto-approve", "--strict").code == 1


def test_schedule_failure_keeps_the_pipeline_and_warns(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    workspace_env.configure(
        fail_matching=[
            ("POST", r"/api/2\.[12]/jobs/create", 400, "INVALID_PARAMETER_VALUE", "Quota exceeded for jobs")
        ]
    )
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "Quota exceeded for jobs" in result.stderr
    assert sorted(pipelines_by_name(client)) == ["sales_daily_sync", "sales_orders_sync"]
    assert cli("apply", str(pack), "--auto-approve", "--strict").code == 1
    workspace_env.configure(fail_matching=[])
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert sorted(jobs_by_name(client)) == ["sales_daily_sync_schedule", "sales_orders_sync_schedule"]


def test_prune_deletes_only_jobs_that_carry_our_tags(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    stranger = client.jobs.create(name="someone_elses_job", tags={"team": "other"})
    shorter = SEED.split("      - name_prefix: sales_orders_sync")[0]
    write_pack(tmp_path, shorter.replace("      - catalog.sales_schema.customer_orders\n", ""), "sales.yaml")
    plan = cli("plan", str(pack))
    assert "--prune" in plan.output  # the orphan is reported, not deleted
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert "sales_orders_sync_schedule" in jobs_by_name(client)
    pruned = cli("apply", str(pack), "--auto-approve", "--prune")
    assert pruned.code == 0, pruned.output
    jobs = jobs_by_name(client)
    assert "sales_orders_sync_schedule" not in jobs
    assert "sales_orders_sync" not in pipelines_by_name(client)
    assert jobs["someone_elses_job"][0].job_id == stranger.job_id


def test_destroy_removes_the_pack_and_nothing_else(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    hand_made = client.pipelines.create(name="unrelated_pipeline", catalog="x", schema="y")
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert sorted(pipelines_by_name(client)) == ["unrelated_pipeline"]
    assert jobs_by_name(client) == {}
    assert client.pipelines.get(hand_made.pipeline_id).name == "unrelated_pipeline"


def test_saved_plan_is_refused_once_the_workspace_moved_on(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    plan_file = tmp_path / "plan.json"
    assert cli("plan", str(pack), "--out", str(plan_file)).code == 0
    client.pipelines.create(name="sales_daily_sync", catalog="c", schema="s")
    result = cli("apply", str(plan_file), "--auto-approve")
    assert result.code == 1
    assert "changed since the plan was made" in result.stderr
    assert "Traceback" not in result.output


def test_saved_plan_applies_exactly_what_it_shows(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    plan_file = tmp_path / "plan.json"
    assert cli("plan", str(pack), "--out", str(plan_file)).code == 0
    result = cli("apply", str(plan_file), "--auto-approve")
    assert result.code == 0, result.output
    assert sorted(jobs_by_name(client)) == ["sales_daily_sync_schedule", "sales_orders_sync_schedule"]


def test_non_interactive_apply_without_approval_changes_nothing(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli("apply", str(pack))
    assert result.code != 0
    assert "--auto-approve" in result.stderr
    assert workspace_env.mutating_count() == 0


def test_select_limits_apply_to_one_pipeline_and_its_job(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve", "--select", "sales_orders_sync").code == 0
    assert sorted(pipelines_by_name(client)) == ["sales_orders_sync"]
    assert sorted(jobs_by_name(client)) == ["sales_orders_sync_schedule"]


def test_markdown_plan_is_ready_for_a_pull_request(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli("plan", str(pack), "--output", "markdown")
    assert result.code == 0
    assert result.stdout.startswith("## sharepack plan")
    assert "| + | create | job | `sales_daily_sync_schedule` |" in result.stdout


def test_unreachable_host_fails_fast_with_a_clear_message(cli: Any, tmp_path: Path, monkeypatch: Any) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-secret-never-shown")
        pack = write_pack(tmp_path, SEED, "sales.yaml")
        result = cli("plan", str(pack), "--host", f"http://127.0.0.1:{port}")
    assert result.code == 1
    assert f"cannot reach http://127.0.0.1:{port}" in result.stderr
    assert "dapi-secret-never-shown" not in result.output


def test_a_host_that_accepts_but_never_answers_fails_fast(cli: Any, tmp_path: Path, monkeypatch: Any) -> None:
    import socket

    from sharepack.workspace import connect

    monkeypatch.setattr(connect, "CONNECT_TIMEOUT_S", 0.3)
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-secret-never-shown")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections are accepted by the kernel, and nobody ever answers
        port = silent.getsockname()[1]
        pack = write_pack(tmp_path, SEED, "sales.yaml")
        result = cli("plan", str(pack), "--host", f"http://127.0.0.1:{port}")
    assert result.code == 1
    assert "accepted the connection but sent no answer" in result.stderr
    assert "dapi-secret-never-shown" not in result.output


def test_resources_owned_by_another_pack_fail_plan_and_apply_and_say_why(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    first = write_pack(tmp_path, "metadata:\n  name: sales\n" + SEED, "sales.yaml")
    assert cli("apply", str(first), "--auto-approve").code == 0
    rival = write_pack(tmp_path, "metadata:\n  name: other\n" + SEED, "other.yaml")
    planned = cli("plan", str(rival), "--detailed-exitcode")
    assert planned.code == 1, planned.output  # a CI plan gate fails as the apply would
    quiet = cli("apply", str(rival), "--auto-approve", "--quiet")
    assert quiet.code == 1
    assert "pipeline sales_daily_sync left alone" in quiet.stderr
    loud = cli("apply", str(rival), "--auto-approve")
    assert loud.code == 1 and "The workspace matches" not in loud.output
    assert "left alone" in loud.stderr


def test_select_of_an_undeclared_name_is_refused_with_a_suggestion(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    result = cli("apply", str(pack), "--select", "sales_daily", "--auto-approve")
    assert result.code == 2
    assert "--select sales_daily: not declared" in result.stderr and "sales_daily_sync" in result.stderr
    assert workspace_env.mutating_count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", 'not a saved sharepack plan (no "plans" list)'),
        ("{not json", "not JSON"),
        ('{"format_version": 99, "plans": []}', "saved plan format 99 is not the one"),
        ('{"format_version": 1, "plans": [{"x": 1}]}', "incomplete or damaged"),
    ],
)
def test_a_broken_saved_plan_is_refused_in_plain_words(
    cli: Any, workspace_env: Any, tmp_path: Path, content: str, message: str
) -> None:
    saved = tmp_path / "plan.json"
    saved.write_text(content, encoding="utf-8")
    result = cli("apply", str(saved), "--auto-approve")
    assert result.code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert workspace_env.mutating_count() == 0


def test_an_update_keeps_job_settings_sharepack_does_not_manage(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service.jobs import JobSettings

    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    job = jobs_by_name(client)["sales_daily_sync_schedule"][0]
    client.jobs.update(
        job.job_id, new_settings=JobSettings(description="owned by finance", max_concurrent_runs=5)
    )
    assert cli("apply", str(pack), "--auto-approve").code == 0
    settings = client.jobs.get(job.job_id).settings
    assert settings.max_concurrent_runs == 1  # managed: put back
    assert settings.description == "owned by finance"  # not managed: kept
