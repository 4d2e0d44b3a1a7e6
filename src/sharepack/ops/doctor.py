"""doctor: checks, in the order a connection is made, each with what to do when it fails.

Nothing is created or changed in the workspace: permission to create jobs and pipelines is
inferred from being able to list them and said to be untested. Once a check fails, the checks
that depend on it are skipped rather than failed again with a less helpful message. No check
ever prints the token: only the SDK's name for the auth method and the host are shown.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sharepack.errors import SharepackError, UsageError
from sharepack.workspace.connect import LOCAL_STATE_DIR, WorkspaceTarget, check_reachable
from sharepack.workspace.credentials import check_host, check_token

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

REACH_TIMEOUT_S = 3.0
# The SDK retries connection errors for five minutes by default; a health check should not.
API_RETRY_TIMEOUT_S = 15
LOCAL_DB = "local.db"
_LOCAL_TABLES = ("pipelines", "jobs", "runs")


class Status(StrEnum):
    ok = "OK"
    fail = "FAIL"
    skip = "SKIP"
    info = "INFO"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    hint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.name, "status": self.status.value, "detail": self.detail, "hint": self.hint}


@dataclass
class Report:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.status != Status.fail for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [c.as_dict() for c in self.checks]}


def run_checks(target: WorkspaceTarget, *, state_dir: Path = LOCAL_STATE_DIR) -> Report:
    checks = [_sdk_version(), _local_state(state_dir)]
    if target.local:
        checks.extend(_local_workspace(state_dir))
    else:
        checks.extend(_remote_workspace(target))
    return Report(checks)


def _sdk_version() -> Check:
    from databricks.sdk.version import __version__ as sdk_version

    from sharepack import __version__

    return Check("versions", Status.info, f"sharepack {__version__}, databricks-sdk {sdk_version}")


def _local_state(state_dir: Path) -> Check:
    path = state_dir / LOCAL_DB
    if not path.exists():
        return Check(
            "local emulator state",
            Status.info,
            f"{path} does not exist yet",
            "it is created by the first command run with --target local",
        )
    try:
        # Read-only, so that doctor never creates or migrates the emulator's database.
        with closing(sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)) as db:
            counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in _LOCAL_TABLES}
    except sqlite3.Error as exc:
        return Check(
            "local emulator state",
            Status.fail,
            f"{path} cannot be read: {exc}",
            f"move {path} aside (the emulator starts afresh without it)",
        )
    size = _size_words(path.stat().st_size)
    shown = ", ".join(f"{n} {t if n != 1 else t[:-1]}" for t, n in counts.items())
    return Check("local emulator state", Status.ok, f"{path}: {size}, {shown}")


def _size_words(size: int) -> str:
    for unit, factor in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def _local_workspace(state_dir: Path) -> list[Check]:
    from sharepack.workspace.connect import connect

    try:
        workspace = connect(WorkspaceTarget(local=True), state_dir=state_dir)
    except (SharepackError, OSError) as exc:
        return [Check("auth", Status.fail, f"the local emulator did not start: {exc}", "see --debug")]
    with workspace:
        auth = Check("auth", Status.ok, f"pat (token of the local emulator) → {workspace.label}")
        return [auth, *_api_checks(workspace.client)]


def _remote_workspace(target: WorkspaceTarget) -> list[Check]:
    from sharepack.workspace.connect import host_from_environment

    # Reachability comes before the SDK's config: resolving it already sends a request, which
    # against a dead host would wait out the SDK's retries instead of failing in seconds.
    try:
        host = target.host or host_from_environment(target.profile)
    except SharepackError as exc:
        return [Check("host", Status.fail, exc.message, exc.hint), *_skipped(*_AFTER_HOST)]
    if host:
        source = "--host, the target or the pack" if target.host else _host_source(target)
        found = Check("host", Status.ok, f"{host} (from {source})")
        try:
            check_reachable(host, timeout=REACH_TIMEOUT_S)
        except SharepackError as exc:
            reach = Check("host reachable", Status.fail, exc.message, exc.hint)
            return [found, reach, *_skipped(*_AFTER_HOST[1:])]
        checks = [found, Check("host reachable", Status.ok, f"{host} accepts connections")]
    else:
        checks = []  # the SDK may still find one (cloud CLIs, metadata services): let it say
    config, auth = _config(target)
    if config is None:
        return [*checks, auth, *_skipped("token works", "jobs", "pipelines")]
    from databricks.sdk import WorkspaceClient

    return [*checks, auth, *_api_checks(WorkspaceClient(config=config))]


_AFTER_HOST = ("host reachable", "auth", "token works", "jobs", "pipelines")


def _host_source(target: WorkspaceTarget) -> str:
    import os

    if target.profile:
        return f"profile {target.profile}"
    if os.environ.get("DATABRICKS_HOST"):
        return "DATABRICKS_HOST"
    return "~/.databrickscfg"


def _config(target: WorkspaceTarget) -> tuple[Any, Check]:
    """The SDK's unified auth, as every other command uses it: which method, which host."""
    from databricks.sdk.config import Config

    kwargs: dict[str, Any] = {"retry_timeout_seconds": API_RETRY_TIMEOUT_S}
    if target.host:
        kwargs["host"] = target.host
    if target.profile:
        kwargs["profile"] = target.profile
    try:
        config = Config(**kwargs)
    except ValueError as exc:
        # The SDK's auth errors name the methods it tried; they never include secrets.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, Check(
            "auth",
            Status.fail,
            f"no usable credentials: {first.split('. Config:', 1)[0]}",
            "set DATABRICKS_HOST and DATABRICKS_TOKEN, pass --host/--profile, or use --target local",
        )
    if not config.host:
        return None, Check("auth", Status.fail, "no workspace host", "set DATABRICKS_HOST or pass --host")
    try:
        check_token(config)
        check_host(str(config.host))
    except UsageError as exc:
        return None, Check("auth", Status.fail, exc.message, exc.hint)
    return config, Check("auth", Status.ok, f"method {config.auth_type} for {config.host}")


def _skipped(*names: str) -> list[Check]:
    return [Check(name, Status.skip, "skipped: an earlier check failed") for name in names]


def _api_checks(client: WorkspaceClient) -> list[Check]:
    me = _attempt(
        "token works",
        lambda: client.current_user.me(),
        "check DATABRICKS_TOKEN (or the profile): it may be expired, revoked, or for another workspace",
    )
    if me.status == Status.fail:
        return [me, *_skipped("jobs", "pipelines")]
    jobs = _attempt(
        "jobs",
        lambda: _probe_jobs(client),
        "ask a workspace admin for access to Jobs (Workflows)",
        ok="can list and create jobs (a probe job was created and deleted at once)",
    )
    pipelines = _attempt(
        "pipelines",
        lambda: _probe_pipelines(client),
        "ask a workspace admin for access to Delta Live Tables pipelines",
        ok="can list pipelines and create them (checked with a dry-run create: nothing made)",
    )
    return [me, jobs, pipelines]


def _probe_jobs(client: WorkspaceClient) -> None:
    # Jobs have no dry-run create: a task-less probe job proves the right and is gone at once.
    import uuid

    next(iter(client.jobs.list(limit=1)), None)
    probe = client.jobs.create(
        name=f"sharepack_doctor_probe_{uuid.uuid4().hex[:12]}", tags={"managed_by": "sharepack"}
    )
    if probe.job_id is not None:
        client.jobs.delete(probe.job_id)


def _probe_pipelines(client: WorkspaceClient) -> None:
    import uuid

    next(iter(client.pipelines.list_pipelines(max_results=1)), None)
    client.pipelines.create(name=f"sharepack_doctor_probe_{uuid.uuid4().hex[:12]}", dry_run=True)


def _attempt(name: str, call: Callable[[], Any], hint: str, *, ok: str | None = None) -> Check:
    try:
        result = call()
    except Exception as exc:
        if not type(exc).__module__.startswith(("databricks.sdk", "requests", "urllib3")):
            raise
        text = str(exc).split(". Config:", 1)[0].strip() or type(exc).__name__
        return Check(name, Status.fail, f"{type(exc).__name__}: {text}", hint)
    if ok is None:
        user = getattr(result, "user_name", None) or getattr(result, "display_name", None) or "unknown"
        return Check(name, Status.ok, f"authenticated as {user}")
    return Check(name, Status.ok, ok)
