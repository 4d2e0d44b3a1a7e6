"""Behaving as Databricks behaves, through the real SDK: jobs/update merges, runs and their tasks,
pipeline updates over time, response shapes, and the endpoints other tools call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceConflict
from databricks.sdk.service import jobs, pipelines
from databricks.sdk.service.jobs import JobAccessControlRequest, JobPermissionLevel
from databricks.sdk.service.pipelines import PipelineAccessControlRequest, PipelinePermissionLevel

from tests.conftest import TOKEN
from tests.emulator.helpers import http


@pytest.fixture
def slow() -> Iterator[tuple[Any, Any]]:
    """Runs and updates take 10 emulated seconds; tests move the clock."""
    from sharepack.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=10)) as emu:
        yield emu, WorkspaceClient(host=emu.url, token=TOKEN, auth_type="pat")


def _nb(key: str, **extra: Any) -> jobs.Task:
    return jobs.Task(task_key=key, notebook_task=jobs.NotebookTask(notebook_path=f"/Shared/{key}"), **extra)


# -- jobs/update ------------------------------------------------------------------------------
def test_update_merges_tasks_by_key_and_removes_by_key(client: Any) -> None:
    job_id = client.jobs.create(name="merge", tasks=[_nb("a"), _nb("b"), _nb("c")], tags={"t": "1"}).job_id
    client.jobs.update(
        job_id,
        new_settings=jobs.JobSettings(tasks=[_nb("b", description="changed"), _nb("d")]),
        fields_to_remove=["tasks/c", "tags"],
    )
    settings = client.jobs.get(job_id).settings
    assert [(t.task_key, t.description) for t in settings.tasks] == [
        ("a", None),
        ("b", "changed"),
        ("d", None),
    ]
    assert not settings.tags and settings.name == "merge"


def test_update_refuses_removing_what_is_not_there(client: Any) -> None:
    job_id = client.jobs.create(name="x", tasks=[_nb("a")]).job_id
    with pytest.raises(InvalidParameterValue):
        client.jobs.update(job_id, fields_to_remove=["tasks/nope"])
    with pytest.raises(InvalidParameterValue):
        client.jobs.update(job_id, fields_to_remove=["schedule/quartz_cron_expression"])


def test_update_keeps_dependencies_on_tasks_it_does_not_resend(client: Any) -> None:
    job_id = client.jobs.create(
        name="x", tasks=[_nb("a"), _nb("b", depends_on=[jobs.TaskDependency("a")])]
    ).job_id
    client.jobs.update(
        job_id, new_settings=jobs.JobSettings(tasks=[_nb("b", depends_on=[jobs.TaskDependency("a")])])
    )
    with pytest.raises(InvalidParameterValue, match="unknown task a"):
        client.jobs.update(job_id, fields_to_remove=["tasks/a"])


def test_update_checks_only_newly_named_pipelines(client: Any) -> None:
    pipeline_id = client.pipelines.create(name="p").pipeline_id
    task = jobs.Task(task_key="p", pipeline_task=jobs.PipelineTask(pipeline_id=pipeline_id))
    job_id = client.jobs.create(name="x", tasks=[task]).job_id
    client.pipelines.delete(pipeline_id)  # out of band: the job still names it
    client.jobs.update(job_id, new_settings=jobs.JobSettings(tags={"paused": "yes"}))
    with pytest.raises(InvalidParameterValue, match="does not exist"):
        client.jobs.update(
            job_id,
            new_settings=jobs.JobSettings(
                tasks=[
                    _nb("a"),
                    jobs.Task(task_key="q", pipeline_task=jobs.PipelineTask(pipeline_id="gone-too")),
                ]
            ),
        )


def test_get_pages_past_100_tasks_and_the_sdk_joins_the_pages(client: Any, emulator: Any) -> None:
    job_id = client.jobs.create(name="wide", tasks=[_nb(f"t{i:03d}") for i in range(250)]).job_id
    emulator.reset_log()
    tasks = client.jobs.get(job_id).settings.tasks
    assert [t.task_key for t in tasks] == [f"t{i:03d}" for i in range(250)]
    assert [r.endpoint for r in emulator.request_log()] == ["jobs/get"] * 3


# -- runs ------------------------------------------------------------------------------------
def test_runs_carry_name_creator_and_task_runs(client: Any) -> None:
    pipeline_id = client.pipelines.create(name="p").pipeline_id
    job_id = client.jobs.create(
        name="named",
        tasks=[
            jobs.Task(task_key="refresh", pipeline_task=jobs.PipelineTask(pipeline_id=pipeline_id)),
            _nb("after", depends_on=[jobs.TaskDependency("refresh")]),
        ],
    ).job_id
    run_id = client.jobs.run_now(
        job_id, pipeline_params=jobs.PipelineParams(full_refresh=True)
    ).response.run_id
    run = client.jobs.get_run(run_id)
    assert (run.run_name, run.creator_user_name, run.run_type) == (
        "named",
        "local@sharepack.dev",
        jobs.RunType.JOB_RUN,
    )
    assert [t.task_key for t in run.tasks] == ["refresh", "after"]
    assert len({t.run_id for t in run.tasks} | {run_id}) == 3
    assert run.tasks[0].pipeline_task.pipeline_id == pipeline_id
    assert run.overriding_parameters.pipeline_params.full_refresh is True
    raw = client.api_client.do("GET", "/api/2.2/jobs/runs/get", query={"run_id": run_id})
    assert "pipeline_params" not in raw  # it sits under overriding_parameters only
    assert "job_parameters" not in raw  # empty arrays are omitted


def test_termination_codes(slow: tuple[Any, Any]) -> None:
    emu, client = slow
    ok = client.jobs.create(name="ok", tasks=[_nb("a")]).job_id
    bad = client.jobs.create(
        name="bad", tasks=[_nb("a"), _nb("b", depends_on=[jobs.TaskDependency("a")]), _nb("c")]
    ).job_id
    cancelled = client.jobs.create(name="cancelled", tasks=[_nb("a")]).job_id
    emu.set_job_outcome(bad, "FAILED")
    runs = {j: client.jobs.run_now(j).response.run_id for j in (ok, bad, cancelled)}
    client.api_client.do("POST", "/api/2.2/jobs/runs/cancel", body={"run_id": runs[cancelled]})
    emu.advance_clock(60)

    def summary(run_id: int) -> tuple[Any, ...]:
        run = client.jobs.get_run(run_id)
        details = run.status.termination_details
        return (
            run.state.life_cycle_state.value,
            run.state.result_state.value,
            details.code.value,
            details.type.value,
        )

    assert summary(runs[ok]) == ("TERMINATED", "SUCCESS", "SUCCESS", "SUCCESS")
    assert summary(runs[cancelled]) == ("TERMINATED", "CANCELED", "USER_CANCELED", "SUCCESS")
    assert summary(runs[bad]) == ("INTERNAL_ERROR", "FAILED", "RUN_EXECUTION_ERROR", "CLIENT_ERROR")
    failed = client.jobs.get_run(runs[bad])
    assert (
        failed.state.state_message
        == "Task a failed with message: Workload failed, see run output for details."
    )
    assert [t.state.result_state.value for t in failed.tasks] == ["FAILED", "UPSTREAM_FAILED", "SUCCESS"]


def test_runs_list_filters_and_expand_tasks(slow: tuple[Any, Any]) -> None:
    emu, client = slow
    job_id = client.jobs.create(name="filtered", tasks=[_nb("a")]).job_id
    first = client.jobs.run_now(job_id).response.run_id
    started = client.jobs.get_run(first).start_time
    emu.advance_clock(3600)
    second = client.jobs.run_now(job_id).response.run_id
    submitted = client.jobs.submit(
        run_name="one-off", tasks=[jobs.SubmitTask(task_key="s", notebook_task=jobs.NotebookTask("/n"))]
    ).response.run_id

    def ids(**kwargs: Any) -> list[int]:
        return [r.run_id for r in client.jobs.list_runs(**kwargs)]

    assert ids() == [submitted, second, first]
    assert ids(start_time_to=started + 1000) == [first]
    assert ids(start_time_from=started + 1000) == [submitted, second]
    assert ids(run_type=jobs.RunType.SUBMIT_RUN) == [submitted]
    assert ids(job_id=job_id, active_only=True) == [second]
    assert ids(completed_only=True) == [first]
    assert ids(limit=0) == [submitted, second, first]
    assert all(not r.tasks for r in client.jobs.list_runs())
    assert [t.task_key for r in client.jobs.list_runs(job_id=job_id, expand_tasks=True) for t in r.tasks] == [
        "a",
        "a",
    ]
    with pytest.raises(InvalidParameterValue):
        list(client.jobs.list_runs(active_only=True, completed_only=True))


def test_submit_get_output_cancel_all_and_delete(slow: tuple[Any, Any]) -> None:
    emu, client = slow
    run_id = client.jobs.submit(
        tasks=[jobs.SubmitTask(task_key="s", notebook_task=jobs.NotebookTask("/n"))]
    ).response.run_id
    run = client.jobs.get_run(run_id)
    assert (run.run_name, run.run_type, run.job_id) == ("Untitled", jobs.RunType.SUBMIT_RUN, None)
    output = client.jobs.get_run_output(run.tasks[0].run_id)
    assert output.metadata.run_id == run.tasks[0].run_id and output.error is None

    job_id = client.jobs.create(name="many", tasks=[_nb("a"), _nb("b")]).job_id
    active = [client.jobs.run_now(job_id).response.run_id for _ in range(2)]
    with pytest.raises(InvalidParameterValue, match="multiple tasks"):
        client.jobs.get_run_output(active[0])
    with pytest.raises(InvalidParameterValue, match="still active"):
        client.jobs.delete_run(active[0])
    client.jobs.cancel_all_runs(job_id=job_id)
    assert {client.jobs.get_run(r).state.result_state for r in active} == {jobs.RunResultState.CANCELED}
    client.jobs.delete_run(active[0])
    with pytest.raises(NotFound):
        client.jobs.get_run(active[0])
    emu.advance_clock(60)
    client.jobs.delete_run(run_id)


# -- pipelines -------------------------------------------------------------------------------
def test_pipeline_runs_while_updating_and_refuses_a_second_start(slow: tuple[Any, Any]) -> None:
    emu, client = slow
    pipeline_id = client.pipelines.create(name="busy").pipeline_id
    assert client.pipelines.get(pipeline_id).state == pipelines.PipelineState.IDLE
    update_id = client.pipelines.start_update(pipeline_id).update_id
    assert client.pipelines.get(pipeline_id).state == pipelines.PipelineState.RUNNING
    with pytest.raises(ResourceConflict, match="active update"):
        client.pipelines.start_update(pipeline_id)
    assert (
        client.pipelines.get_update(pipeline_id, update_id).update.state
        == pipelines.UpdateInfoState.INITIALIZING
    )
    emu.advance_clock(6)
    assert (
        client.pipelines.get_update(pipeline_id, update_id).update.state == pipelines.UpdateInfoState.RUNNING
    )
    emu.advance_clock(6)
    assert (
        client.pipelines.get_update(pipeline_id, update_id).update.state
        == pipelines.UpdateInfoState.COMPLETED
    )
    assert client.pipelines.get(pipeline_id).state == pipelines.PipelineState.IDLE

    second = client.pipelines.start_update(pipeline_id).update_id
    client.api_client.do("POST", f"/api/2.0/pipelines/{pipeline_id}/stop")
    assert client.pipelines.get_update(pipeline_id, second).update.state == pipelines.UpdateInfoState.CANCELED
    events = list(client.pipelines.list_pipeline_events(pipeline_id))
    assert [e.origin.update_id for e in events] == [second, update_id]
    with pytest.raises(NotFound):
        client.pipelines.get_update(pipeline_id, "no-such-update")


def test_updates_started_by_a_job_fail_with_its_run(slow: tuple[Any, Any]) -> None:
    emu, client = slow
    pipeline_id = client.pipelines.create(name="from-job").pipeline_id
    job_id = client.jobs.create(
        name="j", tasks=[jobs.Task(task_key="p", pipeline_task=jobs.PipelineTask(pipeline_id=pipeline_id))]
    ).job_id
    emu.set_job_outcome(job_id, "FAILED")
    client.jobs.run_now(job_id)
    (update,) = client.pipelines.list_updates(pipeline_id).updates
    assert (update.state, update.cause) == (
        pipelines.UpdateInfoState.WAITING_FOR_RESOURCES,
        pipelines.UpdateInfoCause.JOB_TASK,
    )
    emu.advance_clock(60)
    assert client.pipelines.list_updates(pipeline_id).updates[0].state == pipelines.UpdateInfoState.FAILED


def test_list_updates_pages_and_stops_at_until_update_id(client: Any) -> None:
    pipeline_id = client.pipelines.create(name="paged").pipeline_id
    started = [client.pipelines.start_update(pipeline_id).update_id for _ in range(5)]
    newest_first = list(reversed(started))
    page = client.pipelines.list_updates(pipeline_id, max_results=2)
    assert [u.update_id for u in page.updates] == newest_first[:2]
    rest = client.pipelines.list_updates(pipeline_id, max_results=2, page_token=page.next_page_token)
    assert [u.update_id for u in rest.updates] == newest_first[2:4]
    until = client.pipelines.list_updates(pipeline_id, until_update_id=started[2])
    assert [u.update_id for u in until.updates] == newest_first[:3]


def test_pipeline_shapes(client: Any) -> None:
    pipeline_id = client.pipelines.create(name="shaped").pipeline_id
    assert "latest_updates" not in client.api_client.do("GET", f"/api/2.0/pipelines/{pipeline_id}")
    assert client.api_client.do("GET", "/api/2.0/pipelines", query={"filter": "name LIKE 'none'"}) == {}
    client.pipelines.start_update(pipeline_id)
    (item,) = client.pipelines.list_pipelines()
    assert (item.run_as_user_name, item.health) == (
        "local@sharepack.dev",
        pipelines.PipelineStateInfoHealth.HEALTHY,
    )
    (latest,) = item.latest_updates
    assert datetime.fromisoformat(latest.creation_time.replace("Z", "+00:00")).year >= 2024
    (update,) = client.pipelines.list_updates(pipeline_id).updates
    assert isinstance(update.creation_time, int)


# -- workspace, permissions, aliases ----------------------------------------------------------
def test_workspace_get_status_and_list(client: Any) -> None:
    import base64

    from databricks.sdk.service.workspace import ImportFormat, ObjectType

    client.workspace.mkdirs("/Shared/a/b")
    client.workspace.import_(
        "/Shared/a/f", content=base64.b64encode(b"hi").decode(), format=ImportFormat.AUTO
    )
    status = client.workspace.get_status("/Shared/a/f")
    assert status.object_id and status.object_type == ObjectType.FILE and status.size == 2
    assert client.workspace.get_status("/Shared/a/f").object_id == status.object_id  # stable
    listed = {(o.path, o.object_type) for o in client.workspace.list("/Shared/a")}
    assert listed == {("/Shared/a/b", ObjectType.DIRECTORY), ("/Shared/a/f", ObjectType.FILE)}
    assert list(client.workspace.list("/Shared/a/b")) == []
    with pytest.raises(NotFound):
        list(client.workspace.list("/Shared/none"))


def test_job_and_pipeline_permissions(client: Any) -> None:
    job_id = client.jobs.create(name="acl").job_id
    pipeline_id = client.pipelines.create(name="acl").pipeline_id
    perms = client.jobs.set_permissions(
        str(job_id),
        access_control_list=[
            JobAccessControlRequest(group_name="readers", permission_level=JobPermissionLevel.CAN_VIEW)
        ],
    )
    assert perms.object_id == f"/jobs/{job_id}"
    levels = {
        (a.user_name or a.group_name): a.all_permissions[0].permission_level.value
        for a in perms.access_control_list
    }
    assert levels["readers"] == "CAN_VIEW" and levels["local@sharepack.dev"] == "IS_OWNER"
    client.pipelines.update_permissions(
        pipeline_id,
        access_control_list=[
            PipelineAccessControlRequest(user_name="a@b.c", permission_level=PipelinePermissionLevel.CAN_RUN)
        ],
    )
    got = client.pipelines.get_permissions(pipeline_id)
    assert {a.user_name for a in got.access_control_list if a.user_name} == {"local@sharepack.dev", "a@b.c"}
    with pytest.raises(InvalidParameterValue, match="CAN_MANAGE_RUN is not supported for pipelines"):
        client.api_client.do(
            "PUT",
            f"/api/2.0/permissions/pipelines/{pipeline_id}",
            body={"access_control_list": [{"user_name": "a@b.c", "permission_level": "CAN_MANAGE_RUN"}]},
        )


def test_jobs_api_2_0_aliases(client: Any, emulator: Any) -> None:
    job_id = client.api_client.do("POST", "/api/2.0/jobs/create", body={"name": "old"})["job_id"]
    status, _, body = http(f"{emulator.url}/api/2.0/jobs/get?job_id={job_id}", token=emulator.token)
    assert (status, body["settings"]["name"]) == (200, "old")
    assert client.api_client.do("GET", "/api/2.0/jobs/list")["jobs"][0]["job_id"] == job_id
