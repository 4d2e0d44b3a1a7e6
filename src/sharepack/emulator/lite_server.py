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
from sharepack.emulator import lite_pipelines as pipelines
from sharepack.emulator import lite_workspace as workspace
from sharepack.emulator.lite_errors import ApiError
from sharepack.emulator.lite_faults import Faults, RequestRecord
from sharepack.emulator.lite_store import Store
from sharepack.emulator.lite_uc import Metastore, Uc
from sharepack.emulator.lite_uc_routes import UC_ROUTES, UcHandler
from sharepack.emulator.lite_workspace_list import list_objects

Handler = Callable[["Context", dict[str, Any], dict[str, str], tuple[str, ...]], dict[str, Any]]
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_J = r"/api/2\.[12]/jobs"


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


ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    (m, re.compile(p + "$"), name, h)
    for m, p, name, h in [
        ("POST", r"/api/2\.0/pipelines", "pipelines/create", lambda c, b, q, a: pipelines.create(c.store, b)),
        (
            "GET",
            r"/api/2\.0/pipelines",
            "pipelines/list",
            lambda c, b, q, a: pipelines.list_pipelines(c.store, q),
        ),
        (
            "GET",
            r"/api/2\.0/pipelines/([^/]+)",
            "pipelines/get",
            lambda c, b, q, a: pipelines.get(c.store, a[0]),
        ),
        (
            "PUT",
            r"/api/2\.0/pipelines/([^/]+)",
            "pipelines/update",
            lambda c, b, q, a: pipelines.update(c.store, a[0], b),
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
            lambda c, b, q, a: pipelines.start_update(c.store, a[0], b),
        ),
        (
            "GET",
            r"/api/2\.0/pipelines/([^/]+)/updates",
            "pipelines/updates",
            lambda c, b, q, a: pipelines.list_updates(c.store, a[0]),
        ),
        ("POST", _J + "/create", "jobs/create", lambda c, b, q, a: jobs.create(c.store, b)),
        ("GET", _J + "/get", "jobs/get", lambda c, b, q, a: jobs.get(c.store, q)),
        ("GET", _J + "/list", "jobs/list", lambda c, b, q, a: jobs.list_jobs(c.store, q)),
        ("POST", _J + "/reset", "jobs/reset", lambda c, b, q, a: jobs.reset(c.store, b)),
        ("POST", _J + "/update", "jobs/update", lambda c, b, q, a: jobs.update(c.store, b)),
        ("POST", _J + "/delete", "jobs/delete", lambda c, b, q, a: jobs.delete(c.store, b)),
        (
            "POST",
            _J + "/run-now",
            "jobs/run-now",
            lambda c, b, q, a: jobs.run_now(c.store, b, c.run_duration_s),
        ),
        (
            "GET",
            _J + "/runs/list",
            "jobs/runs/list",
            lambda c, b, q, a: jobs.list_runs(c.store, q, c.run_duration_s, c.base_url),
        ),
        (
            "GET",
            _J + "/runs/get",
            "jobs/runs/get",
            lambda c, b, q, a: jobs.get_run(c.store, q, c.run_duration_s, c.base_url),
        ),
        ("POST", _J + "/runs/cancel", "jobs/runs/cancel", lambda c, b, q, a: jobs.cancel_run(c.store, b)),
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
        ("GET", r"/api/2\.0/workspace/list", "workspace/list", lambda c, b, q, a: list_objects(c.store, q)),
        (
            "GET",
            r"/api/2\.0/workspace/export",
            "workspace/export",
            lambda c, b, q, a: workspace.export(c.store, q),
        ),
        (
            "POST",
            r"/api/2\.0/workspace/delete",
            "workspace/delete",
            lambda c, b, q, a: workspace.delete(c.store, b),
        ),
        (
            "GET",
            r"/api/2\.0/preview/scim/v2/Me",
            "scim/me",
            lambda c, b, q, a: {
                "id": "1",
                "userName": pipelines.USER,
                "displayName": "Local User",
                "active": True,
            },
        ),
    ]
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


def make_handler(
    ctx: Context, admin: Callable[[str, str, dict[str, Any]], Any]
) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes; with Nagle on, the body waits for the client's
        # delayed ACK, adding ~40 ms to every keep-alive request.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the request log is ours
            return

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            try:
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timed out): nobody to answer

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            if not length:
                return {}
            try:
                parsed = json.loads(self.rfile.read(length))
            except ValueError:
                raise ApiError(400, "MALFORMED_REQUEST", "Invalid JSON in request body") from None
            return parsed if isinstance(parsed, dict) else {}

        def _handle(self, method: str) -> None:
            started = time.perf_counter()
            split = urlsplit(self.path)
            path, query = split.path, dict(parse_qsl(split.query))
            try:
                body = self._body()
            except ApiError as exc:
                self._send(exc.status, exc.body())
                return
            if path == "/.well-known/databricks-config":
                self._send(200, {})
                return
            if path.startswith("/admin/"):
                try:
                    self._send(200, admin(method, path[len("/admin/") :], body))
                except (KeyError, TypeError, ValueError) as exc:
                    self._send(400, {"error_code": "INVALID_PARAMETER_VALUE", "message": str(exc)})
                return
            status, response, headers = self._api(method, path, query, body)
            endpoint = (_route(method, path) or ("unknown", None, ()))[0]
            # Logged before answering: a client that has its answer must find its request in the log.
            with ctx.lock:
                ctx.log.append(
                    RequestRecord(
                        method, path, status, round((time.perf_counter() - started) * 1000, 2), endpoint
                    )
                )
            self._send(status, response, headers)

        def _api(
            self, method: str, path: str, query: dict[str, str], body: dict[str, Any]
        ) -> tuple[int, Any, dict[str, str]]:
            faults = ctx.faults
            if faults.latency_ms:
                time.sleep(faults.latency_ms / 1000)
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                return (
                    401,
                    {
                        "error_code": "UNAUTHENTICATED",
                        "message": "Credential was not sent or was of an unsupported type for this API.",
                    },
                    {},
                )
            if auth[len("Bearer ") :] != ctx.token:
                return 403, {"error_code": "PERMISSION_DENIED", "message": "Invalid access token."}, {}
            route = _route(method, path)
            if route is None:
                return (
                    404,
                    {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for '{method} {path}'"},
                    {},
                )
            name, handler, args = route
            mutating = method in MUTATING
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
            for rule_method, rule_path, status, code, message in faults.fail_matching:
                if rule_method == method and re.search(rule_path, path):
                    return status, {"error_code": code, "message": message}, {}
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
