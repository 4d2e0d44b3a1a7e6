"""The seed-000 algorithm, sequentially, with the real SDK: the baseline sharepack is compared to.

For each pipeline: try to create it; on "already exists", list pipelines with a name filter to
find its ID; then, unless a job with the name already exists, create `<pipeline>_schedule`.
Run as `python -m benchmarks.baseline PACK.yaml` with DATABRICKS_HOST/DATABRICKS_TOKEN set.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml


def provision(path: Path) -> int:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.service import jobs

    client = WorkspaceClient()
    pack: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = 0
    for share in pack["share"]:
        delta = share.get("delta_share", {})
        for pipeline in share.get("pipelines", []):
            name = pipeline["name_prefix"]
            try:
                pipeline_id = client.pipelines.create(
                    name=name,
                    catalog=delta.get("ext_catalog_name"),
                    schema=delta.get("ext_schema_name"),
                    serverless=True,
                ).pipeline_id
                created += 1
            except Exception as exc:
                if "already" not in str(exc).lower():
                    raise
                pipeline_id = next(
                    p.pipeline_id
                    for p in client.pipelines.list_pipelines(filter=f"name LIKE '{name}'")
                    if p.name == name
                )
            schedule = pipeline.get("schedule")
            if not isinstance(schedule, dict):
                continue
            job_name = f"{name}_schedule"
            if any(j.settings and j.settings.name == job_name for j in client.jobs.list(name=job_name)):
                continue  # "Schedule … already exists, skipping creation"
            client.jobs.create(
                name=job_name,
                tasks=[jobs.Task(task_key=name, pipeline_task=jobs.PipelineTask(pipeline_id=pipeline_id))],
                schedule=jobs.CronSchedule(
                    quartz_cron_expression=schedule["cron"],
                    timezone_id=schedule.get("timezone", "UTC"),
                    pause_status=jobs.PauseStatus.UNPAUSED,
                ),
                max_concurrent_runs=1,
            )
            created += 1
    return created


if __name__ == "__main__":
    print(provision(Path(sys.argv[1])))
