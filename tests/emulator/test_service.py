"""What surrounds the API: auth, discovery, rate limits, injected faults, admin endpoints, state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.credentials_provider import CredentialsProvider, CredentialsStrategy
from databricks.sdk.errors import PermissionDenied, Unauthenticated

from sharepack.emulator import Emulator, EmulatorConfig
from tests.conftest import TOKEN
from tests.emulator.helpers import http


class _NoCredentials(CredentialsStrategy):
    """A client that sends no Authorization header at all."""

    def auth_type(self) -> str:
        return "none"

    def __call__(self, cfg: Config) -> CredentialsProvider:
        return lambda: {}


def test_well_known_config_answers_a_workspace_host_without_auth(emulator: Any) -> None:
    # An oidc_endpoint, or the Go SDK (and the Databricks CLI) warn on every command.
    assert http(f"{emulator.url}/.well-known/databricks-config")[::2] == (
        200,
        {"oidc_endpoint": f"{emulator.url}/oidc", "host_type": "WORKSPACE_HOST"},
    )


def test_missing_token_is_401_and_wrong_token_403(emulator: Any) -> None:
    status, _, body = http(f"{emulator.url}/api/2.2/jobs/list")
    assert (status, body["error_code"]) == (401, "UNAUTHENTICATED")
    status, _, body = http(f"{emulator.url}/api/2.2/jobs/list", token="dapi-wrong")
    assert (status, body["error_code"]) == (403, "PERMISSION_DENIED")

    with pytest.raises(PermissionDenied):
        list(WorkspaceClient(host=emulator.url, token="dapi-wrong", auth_type="pat").jobs.list())
    anonymous = WorkspaceClient(host=emulator.url, credentials_strategy=_NoCredentials())
    with pytest.raises(Unauthenticated):
        list(anonymous.jobs.list())


def test_unknown_endpoint_is_404(emulator: Any) -> None:
    status, _, body = http(f"{emulator.url}/api/2.0/clusters/list", token=TOKEN)
    assert (status, body["error_code"]) == (404, "ENDPOINT_NOT_FOUND")


def test_429_carries_retry_after() -> None:
    # One request per 100 s: the second request is refused however slow the machine is.
    with Emulator(EmulatorConfig(token=TOKEN, rate_limits={"jobs/list": 0.01})) as emu:
        assert http(f"{emu.url}/api/2.2/jobs/list", token=TOKEN)[0] == 200
        status, headers, body = http(f"{emu.url}/api/2.2/jobs/list", token=TOKEN)
        assert (status, body["error_code"]) == (429, "TOO_MANY_REQUESTS")
        assert 90 <= int(headers["Retry-After"]) <= 100
        assert http(f"{emu.url}/api/2.2/jobs/get?job_id=1", token=TOKEN)[0] != 429  # limits are per endpoint


def test_429_is_retried_by_the_sdk() -> None:
    with Emulator(EmulatorConfig(token=TOKEN, rate_limits={"jobs/list": 1})) as emu:
        client: Any = WorkspaceClient(host=emu.url, token=TOKEN, auth_type="pat")
        made = {client.jobs.create(name=f"throttled-{i}").job_id for i in range(3)}
        emu.reset_log()

        # Three pages requested back to back by the SDK: the second finds the bucket empty.
        assert {j.job_id for j in client.jobs.list(limit=1)} == made

        statuses = [r.status for r in emu.request_log()]
        assert 429 in statuses
        assert statuses.count(200) == 3 and statuses[-1] == 200


def test_realistic_profile_uses_published_limits() -> None:
    config = EmulatorConfig.realistic()
    assert config.latency_ms == 50
    assert config.rate_limits is not None
    assert {k: config.rate_limits[k] for k in ("jobs/create", "jobs/delete", "jobs/runs/get")} == {
        "jobs/create": 20,
        "jobs/delete": 10,
        "jobs/runs/get": 100,
    }
    assert config.rate_limits["pipelines"] == 20


def _statuses(seed: int, *, fault_rate: float = 0, drop_rate: float = 0, writes: bool = False) -> list[int]:
    config = EmulatorConfig(token=TOKEN, fault_rate=fault_rate, drop_rate=drop_rate, seed=seed)
    with Emulator(config) as emu:
        if writes:
            out = [
                http(f"{emu.url}/api/2.2/jobs/create", "POST", {"name": f"j{i}"}, TOKEN)[0] for i in range(16)
            ]
            # A dropped response still committed its write.
            assert len(http(f"{emu.url}/api/2.2/jobs/list?limit=100", token=TOKEN)[2]["jobs"]) == 16
            return out
        return [http(f"{emu.url}/api/2.2/jobs/list", token=TOKEN)[0] for _ in range(16)]


def test_fault_rate_is_replayable_from_the_seed() -> None:
    first = _statuses(7, fault_rate=0.5)
    assert 200 in first and any(s in (500, 503) for s in first)
    assert _statuses(7, fault_rate=0.5) == first
    assert _statuses(8, fault_rate=0.5) != first


def test_drop_rate_commits_then_fails_replayably() -> None:
    first = _statuses(3, drop_rate=0.5, writes=True)
    assert set(first) == {200, 503}
    assert _statuses(3, drop_rate=0.5, writes=True) == first


def test_admin_endpoints_expose_log_and_counters(emulator: Any, client: Any) -> None:
    client.jobs.create(name="a")
    list(client.jobs.list())
    status, _, stats = http(f"{emulator.url}/admin/stats", token=TOKEN)
    assert (status, stats) == (200, {"mutating": 1, "requests": 2})
    requests = http(f"{emulator.url}/admin/requests", token=TOKEN)[2]["requests"]
    assert [(r["method"], r["endpoint"], r["status"]) for r in requests] == [
        ("POST", "jobs/create", 200),
        ("GET", "jobs/list", 200),
    ]
    assert http(f"{emulator.url}/admin/reset-log", "POST", {}, token=TOKEN)[0] == 200
    assert http(f"{emulator.url}/admin/stats", token=TOKEN)[2] == {"mutating": 0, "requests": 0}


def test_admin_config_changes_faults_at_run_time(emulator: Any) -> None:
    assert http(f"{emulator.url}/admin/config", "POST", {"fault_rate": 1, "seed": 1}, token=TOKEN)[0] == 200
    assert http(f"{emulator.url}/api/2.2/jobs/list", token=TOKEN)[0] in (500, 503)
    assert http(f"{emulator.url}/admin/config", "POST", {"fault_rate": 0}, token=TOKEN)[0] == 200
    assert http(f"{emulator.url}/api/2.2/jobs/list", token=TOKEN)[0] == 200

    status, _, body = http(f"{emulator.url}/admin/config", "POST", {"fault_rat": 1}, token=TOKEN)
    assert status == 400 and "fault_rat" in body["message"]
    assert http(f"{emulator.url}/admin/nothing", token=TOKEN)[0] == 400


def test_admin_job_outcome_and_clock(client: Any, emulator: Any) -> None:
    emulator.configure(run_duration_s=10)
    job_id = client.jobs.create(name="admin-driven").job_id
    assert (
        http(
            f"{emulator.url}/admin/job-outcome", "POST", {"job_id": job_id, "outcome": "FAILED"}, token=TOKEN
        )[0]
        == 200
    )
    run_id = client.jobs.run_now(job_id).response.run_id
    assert client.jobs.get_run(run_id).state.life_cycle_state.value == "PENDING"
    assert http(f"{emulator.url}/admin/advance-clock", "POST", {"seconds": 11}, token=TOKEN)[0] == 200
    assert client.jobs.get_run(run_id).state.result_state.value == "FAILED"


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "workspace.db")
    with Emulator(EmulatorConfig(token=TOKEN, state_path=state, run_duration_s=0)) as emu:
        client: Any = WorkspaceClient(host=emu.url, token=TOKEN, auth_type="pat")
        pipeline_id = client.pipelines.create(name="kept").pipeline_id
        job_id = client.jobs.create(name="kept-job", tags={"a": "b"}).job_id
        run_id = client.jobs.run_now(job_id).response.run_id

    with Emulator(EmulatorConfig(token=TOKEN, state_path=state, run_duration_s=0)) as emu:
        client = WorkspaceClient(host=emu.url, token=TOKEN, auth_type="pat")
        assert client.pipelines.get(pipeline_id).name == "kept"
        assert client.jobs.get(job_id).settings.tags == {"a": "b"}
        assert client.jobs.get_run(run_id).job_id == job_id
        assert client.jobs.create(name="next").job_id > job_id  # ids are never reused
