"""The emulator survives bad clients: malformed lengths and bodies, huge numbers, unauthenticated
admin calls, bad settings, non-loopback binds and raw-socket abuse. Every case is bounded by a
socket timeout; none waits on a clock."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient

from sharepack.emulator import Emulator, EmulatorConfig
from tests.conftest import TOKEN
from tests.emulator.helpers import http

HUGE = 10**30  # past int64 (and SQLite's integers)
# The emulator gives up on a silent client after this long; a test waits at most SAFETY_S.
READ_TIMEOUT_S = 0.5
SAFETY_S = 10.0


@pytest.fixture
def impatient() -> Iterator[Emulator]:
    """An emulator that drops silent clients quickly, so waiting on it stays short."""
    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0, read_timeout_s=READ_TIMEOUT_S)) as emu:
        yield emu


def _address(emu: Emulator) -> tuple[str, int]:
    host, port = emu.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _raw(emu: Emulator, data: bytes, *, shut: bool = False) -> bytes:
    """Send `data` as is and read until the emulator closes the connection (or SAFETY_S passes).

    `shut`: also close our sending side, as a client that has nothing more to say."""
    with socket.create_connection(_address(emu), timeout=SAFETY_S) as sock:
        try:
            sock.sendall(data)
            if shut:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            return b""  # the emulator hung up mid-send: an answer of its own
        chunks: list[bytes] = []
        for _ in range(1000):  # bounded: an answer is a few hundred bytes
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


def _request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _authed(length: str, body: bytes = b"") -> bytes:
    return _request(
        "POST",
        "/api/2.2/jobs/create",
        {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "Content-Length": length},
        body,
    )


def _still_serves(emu: Emulator) -> None:
    # A fresh client each time: no pooled connection the emulator may have closed meanwhile.
    client: Any = WorkspaceClient(host=emu.url, token=TOKEN, auth_type="pat")
    assert client.current_user.me().user_name


# -- 1. auth before the body, bounded and defensive parsing ---------------------------------


def test_no_token_is_refused_before_the_body_is_read(impatient: Emulator) -> None:
    # A length of 1 GB never sent: the old handler would wait for it before checking the token.
    answer = _raw(impatient, _request("POST", "/api/2.2/jobs/create", {"Content-Length": str(10**9)}))
    assert _status(answer) == 401
    answer = _raw(
        impatient,
        _request("POST", "/admin/config", {"Content-Length": "5", "Authorization": "Bearer dapi-wrong"}),
    )
    assert _status(answer) == 403
    _still_serves(impatient)


@pytest.mark.parametrize("length", ["abc", "-1", "+5", "1_0", "0x10", "½"])
def test_a_content_length_that_is_not_a_length_is_400(impatient: Emulator, length: str) -> None:
    assert _status(_raw(impatient, _authed(length, b"{}"))) == 400
    _still_serves(impatient)


@pytest.mark.parametrize("length", [str(10 * 1024 * 1024 + 1), str(10**15), "9" * 5000])
def test_a_body_over_10_mb_is_413_unread(impatient: Emulator, length: str) -> None:
    answer = _raw(impatient, _authed(length, b"{}"))
    assert _status(answer) == 413 and b"REQUEST_ENTITY_TOO_LARGE" in answer
    _still_serves(impatient)


def test_a_body_shorter_than_its_length_is_400_after_the_read_timeout(impatient: Emulator) -> None:
    # The client stays connected and silent: only the emulator's read timeout ends the wait.
    answer = _raw(impatient, _authed("100", b'{"name": "x"'))
    assert _status(answer) == 400 and b"ended after 12 of 100 bytes" in answer
    # And when the client closes its side early, at once.
    assert _status(_raw(impatient, _authed("100", b'{"name"'), shut=True)) == 400
    _still_serves(impatient)
    assert http(f"{impatient.url}/api/2.2/jobs/list", token=TOKEN)[2].get("jobs") is None  # nothing created


def test_deeply_nested_json_is_400_not_a_crash(emulator: Emulator) -> None:
    body = b"[" * 100_000
    answer = _raw(emulator, _authed(str(len(body)), body))
    assert _status(answer) == 400 and b"Invalid JSON" in answer
    _still_serves(emulator)


@pytest.mark.parametrize("body", [[{"name": "x"}], "x", 7, None])
def test_a_body_that_is_not_an_object_is_400(emulator: Emulator, body: Any) -> None:
    status = http(f"{emulator.url}/api/2.2/jobs/create", "POST", body=None, token=TOKEN)[0]
    assert status == 200  # an empty body is still fine: {} (this emulator answers with a job)
    raw = json.dumps(body).encode()
    answer_bytes = _raw(emulator, _authed(str(len(raw)), raw))
    assert _status(answer_bytes) == 400 and b"expected a map" in answer_bytes
    jobs = http(f"{emulator.url}/api/2.2/jobs/list", token=TOKEN)[2]["jobs"]
    assert len(jobs) == 1  # only the empty-body one: no "Untitled" job from the array


# -- 2. huge integers, pipelines page size -----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/2.2/jobs/get?job_id={HUGE}", None),
        ("GET", f"/api/2.2/jobs/runs/get?run_id={HUGE}", None),
        ("GET", f"/api/2.2/jobs/runs/list?job_id={HUGE}", None),
        ("GET", f"/api/2.2/jobs/runs/list?page_token={HUGE}", None),
        ("GET", f"/api/2.2/jobs/list?page_token={HUGE}", None),
        ("GET", f"/api/2.0/pipelines?page_token={HUGE}", None),
        ("GET", f"/api/2.0/pipelines?page_token={'9' * 5000}", None),
        ("POST", "/api/2.2/jobs/delete", {"job_id": HUGE}),
        ("POST", "/api/2.2/jobs/reset", {"job_id": HUGE, "new_settings": {"name": "x"}}),
        ("POST", "/api/2.2/jobs/run-now", {"job_id": HUGE}),
        ("POST", "/api/2.2/jobs/runs/cancel", {"run_id": HUGE}),
        ("POST", "/api/2.2/jobs/runs/delete", {"run_id": HUGE}),
        ("POST", "/api/2.2/jobs/runs/cancel-all", {"job_id": HUGE}),
        ("GET", f"/api/2.0/permissions/jobs/{HUGE}", None),
    ],
)
def test_a_number_past_64_bits_is_400(emulator: Emulator, method: str, path: str, body: Any) -> None:
    status, _, answer = http(f"{emulator.url}{path}", method, body, token=TOKEN)
    assert (status, answer["error_code"]) == (400, "INVALID_PARAMETER_VALUE"), answer
    _still_serves(emulator)


@pytest.mark.parametrize("size", ["0", "-1", str(HUGE)])
def test_pipelines_list_refuses_a_page_size_out_of_range(emulator: Emulator, size: str) -> None:
    status, _, answer = http(f"{emulator.url}/api/2.0/pipelines?max_results={size}", token=TOKEN)
    assert (status, answer["error_code"]) == (400, "INVALID_PARAMETER_VALUE")


# -- 3. binds and admin ----------------------------------------------------------------


@pytest.mark.parametrize("host", ["", "0.0.0.0", "::"])
def test_a_non_loopback_bind_must_be_asked_for(host: str) -> None:
    with pytest.raises(ValueError, match="not a loopback address"):
        Emulator(EmulatorConfig(token=TOKEN, host=host)).start()


def test_admin_endpoints_need_the_token(emulator: Emulator) -> None:
    for method, name, body in [
        ("GET", "stats", None),
        ("GET", "requests", None),
        ("POST", "config", {"fault_rate": 1}),
        ("POST", "reset-log", {}),
    ]:
        assert http(f"{emulator.url}/admin/{name}", method, body)[0] == 401
        assert http(f"{emulator.url}/admin/{name}", method, body, token="dapi-wrong")[0] == 403
    assert http(f"{emulator.url}/api/2.2/jobs/list", token=TOKEN)[0] == 200  # fault_rate unchanged


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("fault_rate", "0.5"),
        ("fault_rate", 2),
        ("fault_rate", -0.1),
        ("fault_rate", True),
        ("drop_rate", None),
        ("latency_ms", -5),
        ("rate_limit_per_s", 0),
        ("rate_limits", {"jobs/get": "fast"}),
        ("rate_limits", [1]),
        ("seed", "x"),
        ("fail_after_mutations", -1),
        ("fail_matching", [["GET", "(", 500, "X", "y"]]),
        ("fail_matching", [["GET"]]),
        ("stall_endpoint", "["),
        ("stall_count", 1.5),
        ("run_duration_s", "soon"),
        ("like_backslash_escapes", "yes"),
        ("profile", "fast"),
    ],
)
def test_a_bad_admin_setting_is_400_naming_it_and_changes_nothing(
    emulator: Emulator, setting: str, value: Any
) -> None:
    status, _, answer = http(f"{emulator.url}/admin/config", "POST", {"seed": 3, setting: value}, token=TOKEN)
    assert status == 400 and setting in answer["message"], answer
    assert emulator._faults.seed == 0  # nothing of a refused change is applied
    # Requests after it are served as before (a string fault_rate made every one crash).
    assert http(f"{emulator.url}/api/2.2/jobs/list", token=TOKEN)[0] == 200
    with pytest.raises(ValueError, match=setting):
        emulator.configure(**{setting: value})


def test_admin_numbers_past_floats_are_400(emulator: Emulator) -> None:
    raw = b'{"seconds": 1e999}'  # JSON's way to say infinity to Python's parser
    answer = _raw(
        emulator,
        _request(
            "POST",
            "/admin/advance-clock",
            {"Authorization": f"Bearer {TOKEN}", "Content-Length": str(len(raw)), "Connection": "close"},
            raw,
        ),
    )
    assert _status(answer) == 400
    _still_serves(emulator)


# -- 4. raw-socket abuse ---------------------------------------------------------------

_ABUSE: list[tuple[str, bytes, bool]] = [
    # (what, bytes sent, close our side after sending)
    ("garbage request line", b"HELLO THERE\r\n\r\n", False),
    ("binary junk", bytes(range(256)) * 4, True),
    ("NUL bytes", b"\x00" * 2048 + b"\r\n\r\n", True),
    ("request line only, then silence", b"GET /api/2.2/jobs/list HTTP/1.1\r\n", False),
    ("truncated headers, then silence", b"GET /api/2.2/jobs/list HTTP/1.1\r\nHost: 127.0", False),
    ("truncated headers, then close", b"POST /api/2.2/jobs/create HTTP/1.1\r\nContent-Le", True),
    ("half a request line (slowloris)", b"GE", False),
    ("nothing at all", b"", False),
    ("over-long request line", b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", True),
    ("a header line of 70 KB", b"GET / HTTP/1.1\r\nX: " + b"b" * 70_000 + b"\r\n\r\n", True),
    ("200 headers", b"GET / HTTP/1.1\r\n" + b"".join(b"X%d: y\r\n" % i for i in range(200)) + b"\r\n", True),
    ("HTTP/0.9", b"GET /\r\n", True),
    ("unknown method", b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", True),
    ("duplicate lengths", _authed("2\r\nContent-Length: 99999999999", b"{}"), True),
    ("chunked body", b"POST /api/2.2/jobs/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", True),
    ("chunked body with a token", _authed("2\r\nTransfer-Encoding: chunked", b"{}"), True),
    (
        "pipelined junk after a request",
        _request("GET", "/.well-known/databricks-config", {}) + b"\xff" * 64,
        True,
    ),
]


def test_raw_socket_abuse_leaves_the_emulator_serving(impatient: Emulator) -> None:
    for what, data, shut in _ABUSE:
        answer = _raw(impatient, data, shut=shut)
        # Whatever it answered (an error status or a hang-up), it is no 2xx to a non-request ...
        if answer and what != "pipelined junk after a request":
            assert not answer.startswith(b"HTTP/1.1 2"), (what, answer[:200])
        # ... and the next ordinary call is served.
        _still_serves(impatient)


@pytest.mark.parametrize("host", ["", "0.0.0.0"])
def test_the_cli_refuses_a_non_loopback_host_without_allow_remote(cli: Any, host: str) -> None:
    result = cli("emulator", "--host", host, "--port", "0", "--state", ":memory:")
    assert (
        result.code == 2 and "not a loopback address" in result.output and "--allow-remote" in result.output
    )
