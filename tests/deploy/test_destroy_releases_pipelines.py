"""Destroy takes only the pipelines and schedule jobs the pack made (issue 24, finding 7): one it
found by name and adopted carries `sharepack_adopted`, and destroy releases it — our tags taken
off, the pipeline, its job, its code and its schema left running — unless --delete-adopted says
otherwise. Real SDK over HTTP against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import write_pack

PACK = """
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
          timezone: "UTC"
        tags: {team: sales}
      - name_prefix: sales_orders_sync
        source_asset: catalog.sales_schema.customer_orders
"""

OURS = ("managed_by", "sharepack_pack", "sharepack_adopted", "sharepack_pipeline_spec")


def _hand_made(client: Any) -> tuple[str, int]:
    """A pipeline and its schedule job, made by a team before the pack existed."""
    pipeline = client.pipelines.create(
        name="sales_daily_sync", catalog="analytics_prod", schema="shared_sales"
    ).pipeline_id
    job = client.jobs.create(name="sales_daily_sync_schedule", tasks=[_pipeline_task(pipeline)]).job_id
    return pipeline, job


def _pipeline_task(pipeline_id: str) -> Any:
    from databricks.sdk.service.jobs import PipelineTask, Task

    return Task(task_key="refresh", pipeline_task=PipelineTask(pipeline_id=pipeline_id))


def _pipeline_tags(client: Any, pipeline_id: str) -> dict[str, str]:
    return dict(client.pipelines.get(pipeline_id).spec.tags or {})


def _job_tags(client: Any, job_id: int) -> dict[str, str]:
    return dict(client.jobs.get(job_id).settings.tags or {})


def _pipeline_ids(client: Any) -> dict[str, str]:
    return {p.name: p.pipeline_id for p in client.pipelines.list_pipelines()}


def _actions(cli: Any, pack: Path) -> dict[str, str]:
    plan = json.loads(cli("plan", str(pack), "--output", "json").stdout)
    return {c["name"]: c["action"] for c in plan["changes"]}


def test_an_adopted_pipeline_and_job_carry_the_adopted_mark_and_one_made_does_not(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pipeline, job = _hand_made(client)
    pack = write_pack(tmp_path, PACK, "sales.yaml")
    actions = _actions(cli, pack)
    assert actions["sales_daily_sync"] == "adopt" and actions["sales_daily_sync_schedule"] == "adopt"
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert _pipeline_tags(client, pipeline)["sharepack_adopted"] == "true"
    assert _job_tags(client, job)["sharepack_adopted"] == "true"
    made = _pipeline_ids(client)["sales_orders_sync"]
    assert _pipeline_tags(client, made)["sharepack_pack"] == "sales"
    assert "sharepack_adopted" not in _pipeline_tags(client, made)
    # The mark is part of what the pack wants of an adopted resource: no drift on the next plan.
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_destroy_releases_an_adopted_pipeline_and_job_and_deletes_the_pipeline_it_made(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pipeline, job = _hand_made(client)
    pack = write_pack(tmp_path, PACK, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    code = client.pipelines.get(pipeline).spec.libraries[0].file.path
    plan = cli("destroy", str(pack))  # no --auto-approve and no terminal: the plan, nothing sent
    assert "released (its mark removed), not deleted" in plan.output
    assert "pipeline sales_daily_sync" in plan.output and "job sales_daily_sync_schedule" in plan.output
    assert "--delete-adopted" in plan.output
    assert f"{code} is kept: pipeline sales_daily_sync, released, still uses it" in plan.output
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    released = _pipeline_tags(client, pipeline)
    assert released == {"team": "sales"}  # the pack's own tags stay; every one of ours is gone
    assert not set(OURS) & set(_job_tags(client, job))
    assert client.jobs.get(job).settings.tasks[0].pipeline_task.pipeline_id == pipeline
    assert set(_pipeline_ids(client)) == {"sales_daily_sync"}  # the one the pack made is gone
    # The released pipeline still runs: the generated code it was pointed at is kept.
    assert client.workspace.get_status(code).path
    # Released means unmarked: the pack finds them again as anybody's, and would adopt them.
    actions = _actions(cli, pack)
    assert actions["sales_daily_sync"] == "adopt" and actions["sales_daily_sync_schedule"] == "adopt"


def test_destroy_with_delete_adopted_deletes_the_adopted_pipeline_and_job(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.errors import NotFound

    pipeline, job = _hand_made(client)
    pack = write_pack(tmp_path, PACK, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    code = client.pipelines.get(pipeline).spec.libraries[0].file.path
    result = cli("destroy", str(pack), "--auto-approve", "--delete-adopted")
    assert result.code == 0, result.output
    assert _pipeline_ids(client) == {}
    assert job not in [j.job_id for j in client.jobs.list()] and not list(client.jobs.list())
    with pytest.raises(NotFound):
        client.workspace.get_status(code)  # deleted with the pipeline that ran it


def test_adopting_a_job_past_the_tag_limit_is_refused_at_plan_time(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    # 22 tags of the pack's own, sharepack's three (its mark and the schedule's digest): 25, the
    # most a job may carry. Adopting a job adds `sharepack_adopted`, a 26th.
    tags = ", ".join(f"t{i}: v" for i in range(22))
    text = PACK.replace("tags: {team: sales}", f"tags: {{{tags}}}")
    client.jobs.create(name="sales_daily_sync_schedule")
    pack = write_pack(tmp_path, text, "sales.yaml")
    plan = json.loads(cli("plan", str(pack), "--output", "json").stdout)
    job = next(c for c in plan["changes"] if c["name"] == "sales_daily_sync_schedule")
    assert job["action"] == "conflict"
    assert "26 tags" in job["message"] and "Databricks allows 25" in job["message"]
    result = cli("apply", str(pack), "--auto-approve")
    assert "26 tags" in result.output
    (found,) = client.jobs.list(name="sales_daily_sync_schedule")
    assert not found.settings.tags  # left as it was: never marked, never half-adopted


SYNC = """\
metadata: {name: leases}
pipeline_defaults: {catalog: analytics, schema: shared}
pipelines:
  - name_prefix: leases_sync
    source_asset: main.leasing.leases
    key_columns: [id]
"""


def test_the_schema_a_released_pipeline_publishes_into_is_kept_by_destroy(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from tests.sync.test_source_checks import seed

    seed(client, "main.leasing.leases", ["id"])
    client.catalogs.create("analytics")
    pipeline = client.pipelines.create(name="leases_sync", catalog="analytics", schema="shared").pipeline_id
    pack = write_pack(tmp_path, SYNC, "leases.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert client.schemas.get("analytics.shared").properties["sharepack_pack"] == "leases"
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "schema analytics.shared is kept: pipeline leases_sync, released, still uses it" in result.output
    assert client.schemas.get("analytics.shared").full_name == "analytics.shared"
    assert "sharepack_pack" not in _pipeline_tags(client, pipeline)


def test_prune_releases_an_adopted_pipeline_and_job_the_pack_no_longer_declares(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pipeline, job = _hand_made(client)
    pack = write_pack(tmp_path, PACK, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    code = client.pipelines.get(pipeline).spec.libraries[0].file.path
    without = PACK.split("      - name_prefix: sales_daily_sync")[0] + PACK.split("tags: {team: sales}\n")[1]
    pack = write_pack(tmp_path, without, "sales.yaml")
    result = cli("apply", str(pack), "--auto-approve", "--prune")
    assert result.code == 0, result.output
    assert "released (its mark removed), not deleted; no longer declared" in result.output
    assert not set(OURS) & set(_pipeline_tags(client, pipeline))
    assert not set(OURS) & set(_job_tags(client, job))
    assert client.workspace.get_status(code).path  # the released pipeline still runs its code
    assert cli("plan", str(pack), "--prune", "--detailed-exitcode").code == 0
