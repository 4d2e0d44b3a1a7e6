"""A 500 or 504 on a request that is safe to repeat is retried, and the user is told so."""

from __future__ import annotations

import pytest
import responses

from sharepack.workspace import retry
from sharepack.workspace.connect import _client

HOST = "https://adb-1.2.azuredatabricks.net"
JOBS = f"{HOST}/api/2.2/jobs/list"


@pytest.fixture(autouse=True)
def _instant_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "_wait", lambda seconds: None)


def _workspace() -> object:
    # Newer SDKs look the host's metadata up first; a host without any is fine.
    responses.get(f"{HOST}/.well-known/databricks-config", status=404)
    return _client(host=HOST, token="dapi-0123456789abcdef", auth_type="pat")


@responses.activate
def test_a_read_answered_500_then_200_succeeds_and_says_it_retried(
    capsys: pytest.CaptureFixture[str],
) -> None:
    responses.get(JOBS, status=500, json={"error_code": "INTERNAL_ERROR", "message": "boom"})
    responses.get(JOBS, status=504, json={"error_code": "DEADLINE_EXCEEDED", "message": "slow"})
    responses.get(JOBS, json={"jobs": [{"job_id": 7, "settings": {"name": "n"}}]})
    jobs = list(_workspace().jobs.list())  # type: ignore[attr-defined]
    assert [j.job_id for j in jobs] == [7]
    assert [c.request.url.split("?")[0] for c in responses.calls].count(JOBS) == 3
    err = capsys.readouterr().err
    assert "the workspace answered InternalError (boom); retrying (1 so far" in err


@responses.activate
def test_a_workspace_that_keeps_answering_500_gives_up_within_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHAREPACK_RETRY_BUDGET_S", "1")
    clock = iter(float(s) for s in range(1000))
    monkeypatch.setattr(retry.time, "monotonic", lambda: next(clock))
    responses.get(JOBS, status=500, json={"error_code": "INTERNAL_ERROR", "message": "down"})
    with pytest.raises(TimeoutError) as raised:
        list(_workspace().jobs.list())  # type: ignore[attr-defined]
    assert "InternalError" in type(raised.value.__cause__).__name__


@responses.activate
def test_a_client_error_is_not_retried() -> None:
    from databricks.sdk.errors import PermissionDenied

    responses.get(JOBS, status=403, json={"error_code": "PERMISSION_DENIED", "message": "no"})
    with pytest.raises(PermissionDenied):
        list(_workspace().jobs.list())  # type: ignore[attr-defined]
    assert [c.request.url.split("?")[0] for c in responses.calls].count(JOBS) == 1
