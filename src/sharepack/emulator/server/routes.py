"""Which handler answers a request: the route table of every endpoint, by method and path."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from sharepack.emulator.iam import current_user, permissions
from sharepack.emulator.jobs import jobs, runs
from sharepack.emulator.pipelines import pipelines
from sharepack.emulator.server.context import Handler
from sharepack.emulator.unity_catalog.routes import UC_ROUTES, UcHandler
from sharepack.emulator.workspace import objects as workspace

_J = r"/api/2\.[012]/jobs"  # 2.0: the alias older clients (the legacy CLI) call


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
    ("GET", r"/api/2\.0/preview/scim/v2/Me", "scim/me", lambda c, b, q, a: current_user.me()),
    # The Databricks CLI's usage report: taken and counted, never kept.
    (
        "POST",
        r"/telemetry-ext",
        "telemetry",
        lambda c, b, q, a: {"errors": [], "numProtoSuccess": len(b.get("protoLogs") or [])},
    ),
]

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


def route(method: str, path: str) -> tuple[str, Handler, tuple[str, ...]] | None:
    for route_method, pattern, name, handler in ROUTES:
        if route_method == method:
            match = pattern.match(path)
            if match:
                return name, handler, tuple(unquote(group) for group in match.groups())
    return None


def endpoint(method: str, path: str) -> str:
    """The endpoint's name in the request log and in rate limits ("unknown" when none matches)."""
    return (route(method, path) or ("unknown", None, ()))[0]
