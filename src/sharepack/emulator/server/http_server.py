"""The HTTP server: a thread a connection, bearer auth, the request log, and each request handed
to its route (server/dispatch.py) or to the emulator's admin endpoints."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sharepack.emulator.errors import ApiError
from sharepack.emulator.raw_response import RawResponse
from sharepack.emulator.server.context import Context, RequestRecord
from sharepack.emulator.server.dispatch import answer
from sharepack.emulator.server.request_body import parse_body, read_body
from sharepack.emulator.server.routes import endpoint

# Seconds the emulator waits on a silent client (a body shorter than its Content-Length, a
# half-sent request line, an idle keep-alive connection) before closing the connection.
READ_TIMEOUT_S = 30.0


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
                name = "admin" if path.startswith("/admin/") else endpoint(method, path)
                body = parse_body(self.headers, read_body(self.headers, self.rfile), name)
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
            status, response, headers = answer(ctx, method, path, query, body)
            # Logged before answering: a client that has its answer must find its request in the log.
            self._record(method, path, status, started)
            self._send(status, response, headers)

        def _record(self, method: str, path: str, status: int, started: float) -> None:
            name = endpoint(method, path)
            elapsed = time.perf_counter() - started
            with ctx.lock:
                ctx.log.append(
                    RequestRecord(
                        method,
                        path,
                        status,
                        round(elapsed * 1000, 2),
                        name,
                        round(time.time() - elapsed, 4),
                    )
                )

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
