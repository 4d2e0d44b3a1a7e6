"""HTTP front of the emulator: routing, bearer auth, injected faults and the request log."""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sharepack.emulator import lite_jobs as jobs
from sharepack.emulator import lite_permissions as permissions
from sharepack.emulator import lite_pipelines as pipelines
from sharepack.emulator import lite_runs as runs
from sharepack.emulator import lite_workspace as workspace
from sharepack.emulator.lite_errors import ApiError
from sharepack.emulator.lite_faults import Faults, RequestRecord
from sharepack.emulator.lite_raw import RawResponse, form_fields
from sharepack.emulator.lite_store import Store
from sharepack.emulator.lite_uc import Metastore, Uc
from sharepack.emulator.lite_uc_routes import UC_ROUTES, UcHandler

# The body a handler gets is the JSON object sent, or the bytes themselves for a RAW_BODY endpoint;
# it answers a JSON object, or a RawResponse sent as is.
Handler = Callable[["Context", Any, dict[str, str], tuple[str, ...]], Any]
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Endpoints whose request body is not JSON: a file's bytes.
RAW_BODY = frozenset({"workspace-files/import-file"})
# POSTs that change nothing in the workspace: not counted as writes (nor crashed by
# fail_after_mutations).
NOT_WRITES = frozenset({"telemetry"})
_J = r"/api/2\.[012]/jobs"  # 2.0: the alias older clients (the legacy CLI) call
# Larger bodies answer 413 unread: Databricks' own ceiling for a workspace import is 10 MB.
MAX_BODY_BYTES = 10 * 1024 * 1024
# Seconds the emulator waits on a silent client (a body shorter than its Content-Length, a
# half-sent request line, an idle keep-alive connection) before closing the connection.
READ_TIMEOUT_S = 30.0


class Context:
    def __init__(
        self,
        store: Store,
        faults: Faults,
        token: str,
        run_duration_s: float,
        uc_store: Store | None = None,
        metastore: Metastore | None = None,
    ) -> None:
        self.store = store
        self.uc_store = uc_store or store
        self.metastore = metastore or Metastore("", "", "", "", "")
        self.faults = faults
        self.token = token
        self.run_duration_s = run_duration_s
        self.base_url = ""
        self.log: list[RequestRecord] = []
        self.mutations = 0
        self.lock = threading.Lock()

    @property
    def uc(self) -> Uc:
        return Uc(self.uc_store, self.metastore, self.base_url, pipelines.USER)

    def known_catalogs(self) -> frozenset[str] | None:
        """This metastore's catalogs (lower case), or None while it has none."""
        rows = self.uc_store.query(
            "SELECT name FROM uc_catalogs WHERE metastore_id = ?", (self.metastore.metastore_id,)
        )
        return frozenset(str(r["name"]).lower() for r in rows) or None


def _p(handler: Callable[..., dict[str, Any]], *, query: bool = False) -> Handler:
    """A pipelines handler on (store, pipeline id[, query], run duration)."""
    if query:
        return lambda c, b, q, a: handler(c.store, a[0], q, c.run_duration_s)
    return lambda c, b, q, a: handler(c.store, a[0], c.run_duration_s)


_PIPELINE_ROUTES: list[tuple[str, str, str, Handler]] = [
    (
        "POST",
        r"/api/2\.0/pipelines",
        "pipelines/create",
        lambda c, b, q, a: pipelines.create(c.store, b, c.known_catalogs()),
    ),
    (
        "GET",
        r"/api/2\.0/pipelines",
        "pipelines/list",
        lambda c, b, q, a: pipelines.list_pipelines(c.store, q, c.run_duration_s),
    ),
    ("GET", r"/api/2\.0/pipelines/([^/]+)", "pipelines/get", _p(pipelines.get)),
    (
        "PUT",
        r"/api/2\.0/pipelines/([^/]+)",
        "pipelines/update",
        lambda c, b, q, a: pipelines.update(c.store, a[0], b, c.known_catalogs()),
    ),
    (
        "DELETE",
        r"/api/2\.0/pipelines/([^/]+)",
        "pipelines/delete",
        lambda c, b, q, a: pipelines.delete(c.store, a[0]),
    ),
    (
        "POST",
        r"/api/2\.0/pipelines/([^/]+)/updates",
        "pipelines/start",
        lambda c, b, q, a: pipelines.start_update(c.store, a[0], b, c.run_duration_s),
    ),
    (
        "GET",
        r"/api/2\.0/pipelines/([^/]+)/updates",
        "pipelines/updates",
        _p(pipelines.list_updates, query=True),
    ),
    (
        "GET",
        r"/api/2\.0/pipelines/([^/]+)/updates/([^/]+)",
        "pipelines/get-update",
        lambda c, b, q, a: pipelines.get_update(c.store, a[0], a[1], c.run_duration_s),
    ),
    ("POST", r"/api/2\.0/pipelines/([^/]+)/stop", "pipelines/stop", _p(pipelines.stop)),
    ("GET", r"/api/2\.0/pipelines/([^/]+)/events", "pipelines/events", _p(pipelines.list_events, query=True)),
]

_JOB_ROUTES: list[tuple[str, str, str, Handler]] = [
    ("POST", _J + "/create", "jobs/create", lambda c, b, q, a: jobs.create(c.store, b)),
    ("GET", _J + "/get", "jobs/get", lambda c, b, q, a: jobs.get(c.store, q)),
    ("GET", _J + "/list", "jobs/list", lambda c, b, q, a: jobs.list_jobs(c.store, q)),
    ("POST", _J + "/reset", "jobs/reset", lambda c, b, q, a: jobs.reset(c.store, b)),
    ("POST", _J + "/update", "jobs/update", lambda c, b, q, a: jobs.update(c.store, b)),
    ("POST", _J + "/delete", "jobs/delete", lambda c, b, q, a: jobs.delete(c.store, b)),
    ("POST", _J + "/run-now", "jobs/run-now", lambda c, b, q, a: runs.run_now(c.store, b, c.run_duration_s)),
    ("POST", _J + "/runs/submit", "jobs/runs/submit", lambda c, b, q, a: runs.submit(c.store, b)),
    (
        "GET",
        _J + "/runs/list",
        "jobs/runs/list",
        lambda c, b, q, a: runs.list_runs(c.store, q, c.run_duration_s, c.base_url),
    ),
    (
        "GET",
        _J + "/runs/get",
        "jobs/runs/get",
        lambda c, b, q, a: runs.get_run(c.store, q, c.run_duration_s, c.base_url),
    ),
    (
        "GET",
        _J + "/runs/get-output",
        "jobs/runs/get-output",
        lambda c, b, q, a: runs.get_output(c.store, q, c.run_duration_s, c.base_url),
    ),
    ("POST", _J + "/runs/cancel", "jobs/runs/cancel", lambda c, b, q, a: runs.cancel_run(c.store, b)),
    (
        "POST",
        _J + "/runs/cancel-all",
        "jobs/runs/cancel-all",
        lambda c, b, q, a: runs.cancel_all(c.store, b, c.run_duration_s),
    ),
    (
        "POST",
        _J + "/runs/delete",
        "jobs/runs/delete",
        lambda c, b, q, a: runs.delete_run(c.store, b, c.run_duration_s),
    ),
]

_WORKSPACE_ROUTES: list[tuple[str, str, str, Handler]] = [
    (
        "POST",
        r"/api/2\.0/workspace/mkdirs",
        "workspace/mkdirs",
        lambda c, b, q, a: workspace.mkdirs(c.store, b),
    ),
    (
        "POST",
        r"/api/2\.0/workspace/import",
        "workspace/import",
        lambda c, b, q, a: workspace.import_file(c.store, b),
    ),
    (
        "GET",
        r"/api/2\.0/workspace/get-status",
        "workspace/get-status",
        lambda c, b, q, a: workspace.get_status(c.store, q),
    ),
    (
        "GET",
        r"/api/2\.0/workspace/export",
        "workspace/export",
        lambda c, b, q, a: workspace.export(c.store, q),
    ),
    (
        "GET",
        r"/api/2\.0/workspace/list",
        "workspace/list",
        lambda c, b, q, a: workspace.list_objects(c.store, q),
    ),
    (
        "POST",
        r"/api/2\.0/workspace/delete",
        "workspace/delete",
        lambda c, b, q, a: workspace.delete(c.store, b),
    ),
    (
        "POST",
        r"/api/2\.0/workspace-files/import-file/(.+)",
        "workspace-files/import-file",
        lambda c, b, q, a: workspace.import_raw(c.store, a[0], b, q),
    ),
    (
        "GET",
        r"/api/2\.0/workspace-files/(.+)",
        "workspace-files/export",
        lambda c, b, q, a: workspace.export_raw(c.store, a[0]),
    ),
    ("GET", r"/api/2\.0/preview/scim/v2/Me", "scim/me", lambda c, b, q, a: _me()),
    # The Databricks CLI's usage report: taken and counted, never kept.
    (
        "POST",
        r"/telemetry-ext",
        "telemetry",
        lambda c, b, q, a: {"errors": [], "numProtoSuccess": len(b.get("protoLogs") or [])},
    ),
]


def _me() -> dict[str, Any]:
    """SCIM's Me in a workspace's shape: the Databricks CLI reads userName (its home folder),
    and tells a service principal from a user by it."""
    return {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:workspace:2.0:User",
        ],
        "id": "1",
        "userName": pipelines.USER,
        "displayName": "Local User",
        "name": {"givenName": "Local", "familyName": "User"},
        "active": True,
        "emails": [{"type": "work", "value": pipelines.USER, "primary": True}],
        "groups": [{"display": "users", "type": "direct", "value": "2", "$ref": "Groups/2"}],
    }


_PERMISSION_ROUTES: list[tuple[str, str, str, Handler]] = [
    (
        "GET",
        r"/api/2\.0/permissions/(jobs|pipelines)/([^/]+)",
        "permissions/get",
        lambda c, b, q, a: permissions.get(c.store, a[0], a[1]),
    ),
    (
        "PUT",
        r"/api/2\.0/permissions/(jobs|pipelines)/([^/]+)",
        "permissions/set",
        lambda c, b, q, a: permissions.change(c.store, a[0], a[1], b, replace=True),
    ),
    (
        "PATCH",
        r"/api/2\.0/permissions/(jobs|pipelines)/([^/]+)",
        "permissions/update",
        lambda c, b, q, a: permissions.change(c.store, a[0], a[1], b, replace=False),
    ),
]

ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    (m, re.compile(p + "$"), name, h)
    for m, p, name, h in _PIPELINE_ROUTES + _JOB_ROUTES + _WORKSPACE_ROUTES + _PERMISSION_ROUTES
]


def _on_uc(handler: UcHandler) -> Handler:
    """Unity Catalog handlers take the request's Uc (state, metastore, URL, user), not the Context."""
    return lambda c, b, q, a: handler(c.uc, b, q, a)


ROUTES += [(m, re.compile(p + "$"), name, _on_uc(h)) for m, p, name, h in UC_ROUTES]


def _route(method: str, path: str) -> tuple[str, Handler, tuple[str, ...]] | None:
    for route_method, pattern, name, handler in ROUTES:
        if route_method == method:
            match = pattern.match(path)
            if match:
                return name, handler, tuple(unquote(group) for group in match.groups())
    return None


def _endpoint(method: str, path: str) -> str:
    return (_route(method, path) or ("unknown", None, ()))[0]


def make_handler(
    ctx: Context,
    admin: Callable[[str, str, dict[str, Any]], Any],
    read_timeout_s: float = READ_TIMEOUT_S,
) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The socket's timeout for every read: a client that stops sending (slowloris, a short
        # body) is dropped after this long instead of holding a thread forever.
        timeout = read_timeout_s
        # Headers and body go out as two writes; with Nagle on, the body waits for the client's
        # delayed ACK, adding ~40 ms to every keep-alive request.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the request log is ours
            return

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = isinstance(body, RawResponse)
            data = body.data if raw else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", body.content_type if raw else "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            try:
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timed out): nobody to answer

        def _refuse(self, status: int, code: str, message: str) -> None:
            """Answer and hang up: the rest of what the client sent (if anything) is never read, so
            the connection cannot be trusted to start at the next request."""
            self.close_connection = True
            self._send(status, {"error_code": code, "message": message}, {"Connection": "close"})

        def _auth_error(self) -> tuple[int, dict[str, str]] | None:
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                return 401, {
                    "error_code": "UNAUTHENTICATED",
                    "message": "Credential was not sent or was of an unsupported type for this API.",
                }
            if auth[len("Bearer ") :] != ctx.token:
                return 403, {"error_code": "PERMISSION_DENIED", "message": "Invalid access token."}
            return None

        def _body(self) -> bytes:
            """The bytes sent, read within MAX_BODY_BYTES and the socket's read timeout."""
            if "Transfer-Encoding" in self.headers:
                # Not implemented here: reading such a body as no body would leave its bytes to
                # be parsed as the next request.
                raise ApiError(411, "LENGTH_REQUIRED", "Send the body with a Content-Length.")
            if len(self.headers.get_all("Content-Length") or []) > 1:
                # Which one counts is how requests are smuggled: refuse, as RFC 9112 asks.
                raise ApiError(400, "MALFORMED_REQUEST", "More than one Content-Length.")
            raw = (self.headers.get("Content-Length") or "0").strip()
            # Digits only: int() also takes "-1", "+5", "1_000" and " 7 ", none of them a length.
            if not raw.isascii() or not raw.isdigit():
                raise ApiError(400, "MALFORMED_REQUEST", f"Invalid Content-Length: {raw[:40]!r}")
            # Checked on the text first: int() of a 5,000-digit string is itself refused.
            if len(raw) > len(str(MAX_BODY_BYTES)) or int(raw) > MAX_BODY_BYTES:
                raise ApiError(
                    413,
                    "REQUEST_ENTITY_TOO_LARGE",
                    f"The request body is larger than {MAX_BODY_BYTES} bytes.",
                )
            length = int(raw)
            data = bytearray()
            while len(data) < length:
                # read1: what has arrived so far survives a timeout (read() would lose it). Each
                # pass either grows `data` or ends the loop.
                try:
                    # The handler's rfile is a BufferedReader; older typesheds call it a BinaryIO.
                    chunk = getattr(self.rfile, "read1")(length - len(data))  # noqa: B009
                except TimeoutError:
                    break
                if not chunk:
                    break
                data += chunk
            if len(data) < length:
                raise ApiError(
                    400, "MALFORMED_REQUEST", f"The request body ended after {len(data)} of {length} bytes."
                )
            return bytes(data)

        def _parsed(self, data: bytes, endpoint: str) -> Any:
            """The body as the endpoint takes it: bytes for a RAW_BODY endpoint, the form's fields
            for a multipart upload (the Python SDK's `workspace.upload`), else a JSON object."""
            if endpoint in RAW_BODY:
                return data
            content_type = self.headers.get("Content-Type", "")
            if endpoint == "workspace/import" and content_type.startswith("multipart/form-data"):
                return form_fields(data, content_type)
            if not data:
                return {}
            try:
                parsed = json.loads(data)
            except (ValueError, RecursionError):
                # RecursionError: `[` nested deeper than the parser's stack (a few thousand levels).
                raise ApiError(400, "MALFORMED_REQUEST", "Invalid JSON in request body") from None
            if not isinstance(parsed, dict):
                # Databricks' message: every endpoint's body is an object.
                raise ApiError(
                    400,
                    "MALFORMED_REQUEST",
                    "Invalid JSON given in the body of the request - expected a map",
                )
            return parsed

        def _handle(self, method: str) -> None:
            started = time.perf_counter()
            split = urlsplit(self.path)
            path, query = split.path, dict(parse_qsl(split.query))
            if path == "/.well-known/databricks-config":
                if self.headers.get("Content-Length", "0").strip() not in ("", "0"):
                    self.close_connection = True  # a body we do not read
                # Without an oidc_endpoint the Go SDK (and the Databricks CLI) warn on every call.
                self._send(200, {"oidc_endpoint": f"{ctx.base_url}/oidc", "host_type": "WORKSPACE_HOST"})
                return
            # Who is asking comes before what they sent: an unauthenticated client cannot make
            # the emulator read (or wait for) a body.
            denied = self._auth_error()
            if denied is not None:
                if not path.startswith("/admin/"):
                    self._record(method, path, denied[0], started)
                self.close_connection = True
                self._send(denied[0], denied[1], {"Connection": "close"})
                return
            try:
                # Routed before it is parsed: what the body is depends on the endpoint.
                endpoint = "admin" if path.startswith("/admin/") else _endpoint(method, path)
                body = self._parsed(self._body(), endpoint)
            except ApiError as exc:
                self._refuse(exc.status, exc.error_code, exc.message)
                return
            if path.startswith("/admin/"):
                try:
                    self._send(200, admin(method, path[len("/admin/") :], body))
                except (KeyError, TypeError, ValueError, OverflowError) as exc:
                    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
                    self._send(400, {"error_code": "INVALID_PARAMETER_VALUE", "message": str(message)})
                return
            status, response, headers = self._api(method, path, query, body)
            # Logged before answering: a client that has its answer must find its request in the log.
            self._record(method, path, status, started)
            self._send(status, response, headers)

        def _record(self, method: str, path: str, status: int, started: float) -> None:
            endpoint = _endpoint(method, path)
            elapsed = time.perf_counter() - started
            with ctx.lock:
                ctx.log.append(
                    RequestRecord(
                        method,
                        path,
                        status,
                        round(elapsed * 1000, 2),
                        endpoint,
                        round(time.time() - elapsed, 4),
                    )
                )

        def _api(
            self, method: str, path: str, query: dict[str, str], body: Any
        ) -> tuple[int, Any, dict[str, str]]:
            faults = ctx.faults
            if faults.latency_ms:
                time.sleep(faults.latency_ms / 1000)
            route = _route(method, path)
            if route is None:
                return (
                    404,
                    {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for '{method} {path}'"},
                    {},
                )
            name, handler, args = route
            mutating = method in MUTATING and name not in NOT_WRITES
            wait_s = faults.wait_for(name)
            if wait_s:
                return (
                    429,
                    {
                        "error_code": "TOO_MANY_REQUESTS",
                        "message": f"Too many requests to {name}. Please try again later.",
                    },
                    # Whole seconds, rounded up: a client that waits this long is admitted.
                    {"Retry-After": str(max(1, math.ceil(wait_s)))},
                )
            if faults.fault_rate and faults.roll() < faults.fault_rate:
                status = 503 if faults.roll() < 0.5 else 500
                code = "TEMPORARILY_UNAVAILABLE" if status == 503 else "INTERNAL_ERROR"
                return (
                    status,
                    {"error_code": code, "message": "Injected fault: the service is unavailable."},
                    {"Retry-After": "1"} if status == 503 else {},
                )
            rule = faults.failing_rule(method, path)
            if rule is not None:
                return rule[2], {"error_code": rule[3], "message": rule[4]}, {}
            if mutating:
                with ctx.lock:
                    ctx.mutations += 1
                    crashed = (
                        faults.fail_after_mutations is not None
                        and ctx.mutations > faults.fail_after_mutations
                    )
                if crashed:
                    # As if the client process had died: nothing more is written, and the
                    # answer is one that no client retries.
                    return 400, {"error_code": "INJECTED_CRASH", "message": "Injected crash."}, {}
            try:
                result = handler(ctx, body, query, args)
            except ApiError as exc:
                return exc.status, exc.body(), {}
            except (KeyError, TypeError, ValueError) as exc:
                return (
                    400,
                    {"error_code": "INVALID_PARAMETER_VALUE", "message": f"Invalid request: {exc}"},
                    {},
                )
            except OverflowError:
                # An id or page token past 64 bits (SQLite's integers): Databricks' ids are int64.
                return (
                    400,
                    {
                        "error_code": "INVALID_PARAMETER_VALUE",
                        "message": "Invalid request: a number is out of range",
                    },
                    {},
                )
            except Exception as exc:  # an answer, not a dropped connection the SDK retries for minutes
                return 500, {"error_code": "INTERNAL_ERROR", "message": f"Emulator error: {exc!r}"}, {}
            stall_s = faults.take_stall(name) if mutating else 0.0
            if stall_s:
                time.sleep(stall_s)
            if mutating and faults.drop_rate and faults.roll() < faults.drop_rate:
                return (
                    503,
                    {
                        "error_code": "TEMPORARILY_UNAVAILABLE",
                        "message": "Injected fault: the response was lost.",
                    },
                    {"Retry-After": "1"},
                )
            return 200, result, {}

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    return RequestHandler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True
