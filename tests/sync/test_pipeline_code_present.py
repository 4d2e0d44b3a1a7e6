"""A pipeline's code must be in the workspace: Databricks refuses a `file` library that is no
Python or SQL file when the pipeline is saved, and fails an update whose code is missing. The
emulator does both; `plan` warns of missing code before anything is written."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue
from databricks.sdk.service import pipelines
from databricks.sdk.service.workspace import ImportFormat, Language

from tests.helpers import write_pack

NOTEBOOK = "/Workspace/Shared/cdc/generic_cdc"
PACK = f"""\
metadata: {{name: leasing}}
pipelines:
  - name_prefix: leases_sync
    source_asset: main.leasing.leases
    key_columns: lease_id
    pipeline_source: {NOTEBOOK}
    schedule: {{every: 1h}}
"""


def _notebook(path: str) -> pipelines.PipelineLibrary:
    return pipelines.PipelineLibrary(notebook=pipelines.NotebookLibrary(path=path))


def _upload(client: Any, path: str) -> None:
    client.workspace.mkdirs(path.rsplit("/", 1)[0])
    client.workspace.import_(
        path,
        content=base64.b64encode(b"# Databricks notebook source\nprint('sync')\n").decode(),
        format=ImportFormat.SOURCE,
        language=Language.PYTHON,
    )


def test_a_file_library_that_is_no_python_or_sql_file_is_refused_on_create_and_edit(client: Any) -> None:
    bad = pipelines.PipelineLibrary(file=pipelines.FileLibrary(path="/Workspace/Shared/cdc/copy.txt"))
    with pytest.raises(InvalidParameterValue, match=r"Paths must end with \.py or \.sql"):
        client.pipelines.create(name="bad_code", catalog="main", schema="s", libraries=[bad])
    assert not list(client.pipelines.list_pipelines())
    created = client.pipelines.create(name="good_code", catalog="main", schema="s")
    with pytest.raises(InvalidParameterValue, match=r"copy\.txt"):
        client.pipelines.update(created.pipeline_id, name="good_code", libraries=[bad])


def test_an_update_of_a_pipeline_whose_notebook_is_missing_fails_and_says_why(client: Any) -> None:
    # Saved without complaint, as on Databricks: the code may be uploaded after the pipeline.
    pipeline_id = client.pipelines.create(
        name="no_code", catalog="main", schema="s", libraries=[_notebook("/Shared/cdc/generic_cdc")]
    ).pipeline_id
    failed = client.pipelines.start_update(pipeline_id).update_id
    assert client.pipelines.get_update(pipeline_id, failed).update.state.value == "FAILED"
    errors = [e for e in client.pipelines.list_pipeline_events(pipeline_id) if e.level.value == "ERROR"]
    assert [e.error.exceptions[0].message for e in errors] == [
        "Failed to load the pipeline's notebook library: /Shared/cdc/generic_cdc is not in the workspace."
    ]
    # `/Workspace/Shared/...` and `/Shared/...` are one object: uploaded either way, the next update runs.
    _upload(client, NOTEBOOK)
    ran = client.pipelines.start_update(pipeline_id).update_id
    assert client.pipelines.get_update(pipeline_id, ran).update.state.value == "COMPLETED"


def test_a_job_run_of_a_pipeline_without_its_code_fails_at_that_task(client: Any) -> None:
    from databricks.sdk.service import jobs

    ready = client.pipelines.create(name="ready", catalog="main", schema="s").pipeline_id
    missing = client.pipelines.create(
        name="missing", catalog="main", schema="s", libraries=[_notebook(NOTEBOOK)]
    ).pipeline_id
    job_id = client.jobs.create(
        name="both",
        tasks=[
            jobs.Task(task_key="first", pipeline_task=jobs.PipelineTask(pipeline_id=ready)),
            jobs.Task(
                task_key="second",
                pipeline_task=jobs.PipelineTask(pipeline_id=missing),
                depends_on=[jobs.TaskDependency(task_key="first")],
            ),
        ],
    ).job_id
    run = client.jobs.get_run(client.jobs.run_now(job_id).response.run_id)
    assert run.state.result_state.value == "FAILED"
    assert f"Task second failed with message: Failed to load the pipeline's notebook library: {NOTEBOOK}" in (
        run.state.state_message
    )
    results = {t.task_key: t.state.result_state.value for t in run.tasks}
    assert results == {"first": "SUCCESS", "second": "FAILED"}


def test_plan_warns_of_a_pipeline_source_that_is_not_in_the_workspace(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK)
    warning = f"pipeline leases_sync: its code {NOTEBOOK} is not in the workspace"
    plan = cli("plan", str(pack))
    assert plan.code == 0 and warning in plan.stdout
    as_json = json.loads(cli("plan", str(pack), "--output", "json").stdout)
    assert any(warning in w for w in as_json["warnings"])
    # The run of a pipeline applied anyway fails, naming what is missing.
    assert cli("apply", str(pack), "--auto-approve").code == 0
    run = cli("run", str(pack), "leases_sync_schedule", "--wait")
    assert run.code != 0 and NOTEBOOK in run.output
    _upload(client, NOTEBOOK)
    assert cli("run", str(pack), "leases_sync_schedule", "--wait").code == 0


def test_generated_code_planned_in_the_same_plan_is_not_warned_of(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK.replace(f"    pipeline_source: {NOTEBOOK}\n", ""))
    plan = cli("plan", str(pack))
    assert plan.code == 0 and "is not in the workspace" not in plan.stdout
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert cli("run", str(pack), "leases_sync_schedule", "--wait").code == 0


def test_doctor_finds_a_declared_pipelines_code_gone_from_the_workspace(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK)
    _upload(client, NOTEBOOK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    assert cli("doctor", str(pack)).code == 0
    client.workspace.delete(NOTEBOOK)  # by hand: the plan sees no change, doctor sees the gap
    assert "is not in the workspace" not in cli("plan", str(pack)).stdout
    doctor = cli("doctor", str(pack))
    assert doctor.code == 1 and f"pipeline leases_sync: {NOTEBOOK} is not in the workspace" in doctor.output
