"""Runs: run-now, the PENDING -> RUNNING -> TERMINATED life cycle, listing and cancelling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import InvalidParameterValue, ResourceDoesNotExist
from databricks.sdk.service import jobs

from tests.conftest import TOKEN


@pytest.fixture
def slow_runs() -> Iterator[tuple[Any, Any]]:
    """Runs that take 10 emulated seconds; the test moves the emulator's clock, nobody waits."""
    from sharepack.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=10)) as emu:
        yield emu, WorkspaceClient(host=emu.url, token=TOKEN, auth_type="pat")


def _state(client: Any, run_id: int) -> tuple[str, str | None]:
    state = client.jobs.get_run(run_id).state
    assert state is not None and state.life_cycle_state is not None
    result = state.result_state.value if state.result_state else None
    return state.life_cycle_state.value, result


def test_run_now_answers_run_id_and_number_in_job(client: Any) -> None:
    job_id = client.jobs.create(name="numbered").job_id
    first = client.jobs.run_now(job_id).response
    second = client.jobs.run_now(job_id).response
    assert (first.number_in_job, second.number_in_job) == (1, 2)
    assert first.run_id != second.run_id
    run = client.jobs.get_run(second.run_id)
    assert (run.job_id, run.number_in_job, run.run_page_url.startswith("http")) == (job_id, 2, True)


def test_life_cycle_pending_running_terminated(slow_runs: tuple[Any, Any]) -> None:
    emu, client = slow_runs
    job_id = client.jobs.create(name="lifecycle").job_id
    run_id = client.jobs.run_now(job_id).response.run_id

    assert _state(client, run_id) == ("PENDING", None)
    emu.advance_clock(6)
    assert _state(client, run_id) == ("RUNNING", None)
    emu.advance_clock(5)
    assert _state(client, run_id) == ("TERMINATED", "SUCCESS")
    run = client.jobs.get_run(run_id)
    assert run.end_time is not None and run.end_time >= run.start_time


def test_failed_outcome_is_configurable_per_job(slow_runs: tuple[Any, Any]) -> None:
    emu, client = slow_runs
    failing = client.jobs.create(name="fails").job_id
    fine = client.jobs.create(name="fine").job_id
    emu.set_job_outcome(failing, "FAILED")
    runs = [client.jobs.run_now(failing).response.run_id, client.jobs.run_now(fine).response.run_id]
    emu.advance_clock(60)
    assert [_state(client, r) for r in runs] == [("TERMINATED", "FAILED"), ("TERMINATED", "SUCCESS")]


def test_sdk_waiter_reaches_terminated(client: Any) -> None:
    # run_duration_s=0 in the shared fixture: the SDK's own poll loop ends at once.
    job_id = client.jobs.create(name="waited").job_id
    run = client.jobs.run_now_and_wait(job_id)
    assert run.state.life_cycle_state == jobs.RunLifeCycleState.TERMINATED
    assert run.state.result_state == jobs.RunResultState.SUCCESS


def test_cancel_terminates_as_canceled(slow_runs: tuple[Any, Any]) -> None:
    _, client = slow_runs
    job_id = client.jobs.create(name="cancelled").job_id
    run_id = client.jobs.run_now(job_id).response.run_id
    assert _state(client, run_id)[0] == "PENDING"
    run = client.jobs.cancel_run(run_id).result()
    assert run.state.life_cycle_state == jobs.RunLifeCycleState.TERMINATED
    assert run.state.result_state == jobs.RunResultState.CANCELED


def test_list_runs_newest_first_across_pages(client: Any, emulator: Any) -> None:
    job_id = client.jobs.create(name="many-runs").job_id
    other = client.jobs.create(name="other").job_id
    started = [client.jobs.run_now(job_id).response.run_id for _ in range(7)]
    client.jobs.run_now(other)
    emulator.reset_log()

    listed = [r.run_id for r in client.jobs.list_runs(job_id=job_id, limit=3)]

    assert listed == list(reversed(started))
    assert len([r for r in emulator.request_log() if r.endpoint == "jobs/runs/list"]) == 3
    assert len(list(client.jobs.list_runs(limit=25))) == 8


def test_list_runs_active_and_completed_only(slow_runs: tuple[Any, Any]) -> None:
    emu, client = slow_runs
    job_id = client.jobs.create(name="mixed").job_id
    done = client.jobs.run_now(job_id).response.run_id
    emu.advance_clock(60)
    active = client.jobs.run_now(job_id).response.run_id
    assert [r.run_id for r in client.jobs.list_runs(job_id=job_id, active_only=True)] == [active]
    assert [r.run_id for r in client.jobs.list_runs(job_id=job_id, completed_only=True)] == [done]


def test_pipeline_task_run_records_a_pipeline_update(client: Any) -> None:
    pipeline_id = client.pipelines.create(name="refreshed").pipeline_id
    job_id = client.jobs.create(
        name="refresh",
        tasks=[jobs.Task(task_key="refresh", pipeline_task=jobs.PipelineTask(pipeline_id=pipeline_id))],
    ).job_id
    assert not client.pipelines.list_updates(pipeline_id).updates

    client.jobs.run_now(job_id, pipeline_params=jobs.PipelineParams(full_refresh=True))

    updates = client.pipelines.list_updates(pipeline_id).updates
    assert len(updates) == 1 and updates[0].full_refresh is True


def test_run_reports_job_parameters_with_defaults(client: Any) -> None:
    job_id = client.jobs.create(
        name="parameterised",
        parameters=[
            jobs.JobParameterDefinition(name="env", default="dev"),
            jobs.JobParameterDefinition(name="day", default="today"),
        ],
    ).job_id
    run_id = client.jobs.run_now(job_id, job_parameters={"env": "prod"}).response.run_id
    got = {p.name: (p.default, p.value) for p in client.jobs.get_run(run_id).job_parameters}
    assert got == {"env": ("dev", "prod"), "day": ("today", "today")}


def test_run_now_with_idempotency_token_starts_one_run(client: Any) -> None:
    job_id = client.jobs.create(name="once").job_id
    first = client.jobs.run_now(job_id, idempotency_token="tok-1").response
    again = client.jobs.run_now(job_id, idempotency_token="tok-1").response
    assert first.run_id == again.run_id
    assert len(list(client.jobs.list_runs(job_id=job_id))) == 1


def test_unknown_run_errors(client: Any) -> None:
    with pytest.raises(ResourceDoesNotExist, match="Run 424242 does not exist"):
        client.jobs.get_run(424242)
    with pytest.raises(InvalidParameterValue, match="Run 424242 does not exist"):
        client.jobs.cancel_run(424242)
