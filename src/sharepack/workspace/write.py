"""Writes to the workspace, each one safe to repeat.

`jobs/create` has no idempotency token, and the SDK re-sends a POST after a timeout, a dropped
connection or a 503 — each of which may come after the server committed the first one. So
creates go through a client whose retries are switched off, and after any failure that may
have been committed we look the name up before trying again, keeping exactly one of ours.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from sharepack.errors import WorkspaceError
from sharepack.workspace.listing import lookup_job, lookup_pipeline
from sharepack.workspace.ownership import is_managed, owner_label
from sharepack.workspace.pacing import pace, paced, pacer_for
from sharepack.workspace.retry import RetrySuppressed, retry_after, unwrap

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

T = TypeVar("T")
CREATE_ATTEMPTS = 6
# 429s are not failed attempts (nothing was committed), but an endless throttle must still end:
# after this long of being told to wait, on the clock (not counted in answers), stop.
THROTTLED_BUDGET_S = 900.0


class CreateConflict(WorkspaceError):
    """A create found the name taken by a resource that is not this pack's: nothing was written."""


def owner_of(tags: Mapping[str, str] | None) -> str:
    if is_managed(tags):
        return owner_label(tags)
    return "someone else (it carries no sharepack tags; a new plan shows it as adopt)"


class Attempts:
    """Counts failed create attempts, backing off between them; 429s are waited out apart."""

    def __init__(self) -> None:
        self.count = 0
        self.started = time.monotonic()

    def left(self) -> bool:
        return self.count < CREATE_ATTEMPTS and not self._throttled_too_long()

    def _throttled_too_long(self) -> bool:
        return time.monotonic() - self.started > THROTTLED_BUDGET_S

    def throttled(self, exc: BaseException) -> bool:
        """True (after waiting Retry-After) when the answer was a 429: send the create again."""
        wait = retry_after(exc)
        if wait is None:
            return False
        _wait(wait)
        return True

    def gave_up(self, what: str) -> WorkspaceError:
        if self._throttled_too_long():
            return WorkspaceError(
                f"{what}: the workspace kept answering 429 (too many requests) for {THROTTLED_BUDGET_S:g} s"
            )
        return WorkspaceError(f"{what}: gave up after {CREATE_ATTEMPTS} attempts")

    def failed(self) -> None:
        _wait(min(2**self.count * 0.2, 5))
        self.count += 1


def _wait(seconds: float) -> None:
    """Back off between attempts (a module function so tests can make it instant)."""
    time.sleep(seconds)


def maybe_committed(exc: BaseException) -> bool:
    """True when the server may have carried out the request although the client saw a failure."""
    import requests
    from databricks.sdk.errors import DeadlineExceeded, InternalError, TemporarilyUnavailable

    return isinstance(
        exc,
        (
            InternalError,
            TemporarilyUnavailable,
            DeadlineExceeded,
            requests.ConnectionError,
            requests.Timeout,
            TimeoutError,
        ),
    )


def already_exists(exc: BaseException) -> bool:
    """Whether the service refused a create because the name is taken — told by what Databricks
    sends, not by its wording: a 409, or an error code naming it (Unity Catalog answers 400 with
    CATALOG_ALREADY_EXISTS, RESOURCE_ALREADY_EXISTS and the like)."""
    from databricks.sdk.errors import ResourceConflict

    code = str(getattr(exc, "error_code", "") or "")
    return isinstance(exc, ResourceConflict) or code.endswith("ALREADY_EXISTS")


def api_message(exc: BaseException) -> str:
    """The API's own message, never a request dump (which could carry headers)."""
    from databricks.sdk.errors.base import DatabricksError

    if isinstance(exc, DatabricksError):
        code = getattr(exc, "error_code", None)
        return f"{code}: {exc}" if code else str(exc)
    return f"{type(exc).__name__}: {exc}"


@dataclass
class Writer:
    client: WorkspaceClient
    create_client: WorkspaceClient  # the same workspace with the SDK's retries switched off
    pack: str
    # Other targets' workspaces (where a share is mounted), by target name.
    peers: Mapping[str, WorkspaceClient] = field(default_factory=dict)

    # -- pipelines -------------------------------------------------------------------------
    def create_pipeline(self, spec: Mapping[str, Any]) -> str:
        name = str(spec["name"])
        attempts = Attempts()
        while attempts.left():
            try:
                pace(self.client, "pipelines/create")
                created = self.create_client.pipelines.create(**_pipeline_kwargs(spec))
                if not created.pipeline_id:
                    raise WorkspaceError(f"creating pipeline {name}: the response carried no pipeline_id")
                return created.pipeline_id
            except RetrySuppressed as wrapped:
                exc = unwrap(wrapped)
            except Exception as raw:
                exc = raw
            if retry_after(exc) is not None:
                pacer_for(self.client).refused("pipelines/create")
            if attempts.throttled(exc):
                continue  # nothing was committed: not a failed attempt
            if already_exists(exc) or maybe_committed(exc):
                # Ours from an attempt whose answer was lost: make it match. Anybody else's (another
                # pack's, or one made by hand since the plan was read): a conflict, nothing written.
                found = lookup_pipeline(self.client, name)
                if len(found) == 1:
                    self._refuse_unless_ours("pipeline", name, self._pipeline_tags(found[0].pipeline_id))
                    self.update_pipeline(found[0].pipeline_id, spec)
                    return found[0].pipeline_id
                if already_exists(exc):
                    raise WorkspaceError(f"creating pipeline {name}: {api_message(exc)}") from None
                attempts.failed()
                continue
            raise WorkspaceError(f"creating pipeline {name}: {api_message(exc)}") from None
        raise attempts.gave_up(f"creating pipeline {name}")

    def _pipeline_tags(self, pipeline_id: str) -> Mapping[str, str]:
        found = self.call("reading pipeline settings", lambda: self.client.pipelines.get(pipeline_id))
        return dict(found.spec.tags or {}) if found.spec else {}

    def _refuse_unless_ours(self, kind: str, name: str, tags: Mapping[str, str] | None) -> None:
        if not is_managed(tags, self.pack):
            raise CreateConflict(f"{kind} {name} was created meanwhile by {owner_of(tags)}; it is left alone")

    def update_pipeline(self, pipeline_id: str, spec: Mapping[str, Any]) -> None:
        self._write(
            f"updating pipeline {spec.get('name')}",
            "pipelines/update",
            lambda c: c.pipelines.update(pipeline_id, **_pipeline_kwargs(spec)),
        )

    def delete_pipeline(self, pipeline_id: str, name: str) -> None:
        from databricks.sdk.errors import NotFound

        with contextlib.suppress(NotFound):  # already gone: the goal is reached
            self._write(
                f"deleting pipeline {name}",
                "pipelines/delete",
                lambda c: c.pipelines.delete(pipeline_id),
                passthrough=(NotFound,),
            )

    # -- jobs ------------------------------------------------------------------------------
    def create_job(self, settings: Mapping[str, Any]) -> int:
        from databricks.sdk.service.jobs import JobSettings

        name = str(settings["name"])
        job_settings = JobSettings.from_dict(dict(settings))
        kwargs = {
            f.name: getattr(job_settings, f.name)
            for f in fields(job_settings)
            if getattr(job_settings, f.name) is not None
        }
        attempts = Attempts()
        while attempts.left():
            try:
                pace(self.client, "jobs/create")
                created = self.create_client.jobs.create(**kwargs)
                if created.job_id is None:
                    raise WorkspaceError(f"creating job {name}: the response carried no job_id")
                return created.job_id
            except RetrySuppressed as wrapped:
                exc = unwrap(wrapped)
            except WorkspaceError:
                raise
            except Exception as raw:
                exc = raw
            if retry_after(exc) is not None:
                pacer_for(self.client).refused("jobs/create")
            if attempts.throttled(exc):
                continue  # nothing was committed: not a failed attempt
            if not maybe_committed(exc):
                raise WorkspaceError(f"creating job {name}: {api_message(exc)}") from None
            survivor = self._keep_one_job(name)
            if survivor is not None:
                return survivor
            attempts.failed()
        raise attempts.gave_up(f"creating job {name}")

    def _keep_one_job(self, name: str) -> int | None:
        """After an uncertain create: the one job of ours with this name, deleting any extra copies.

        A job of this name that is not ours appeared since the plan was read (another pack's, or
        one made by hand): creating ours as well would leave two jobs with one name, so none is
        created and the job is reported as a conflict."""
        found = lookup_job(self.client, name)
        ours = sorted(j.job_id for j in found if is_managed(j.tags, self.pack))
        if not ours and found:
            self._refuse_unless_ours("job", name, found[0].tags)
        for extra in ours[1:]:
            self.delete_job(extra, name)
        return ours[0] if ours else None

    def reset_job(self, job_id: int, settings: Mapping[str, Any]) -> None:
        from databricks.sdk.service.jobs import JobSettings

        new_settings = JobSettings.from_dict(dict(settings))
        self._write(
            f"updating job {settings.get('name')}", "jobs/reset", lambda c: c.jobs.reset(job_id, new_settings)
        )

    def delete_job(self, job_id: int, name: str) -> None:
        from databricks.sdk.errors import NotFound

        with contextlib.suppress(NotFound):
            self._write(
                f"deleting job {name}",
                "jobs/delete",
                lambda c: c.jobs.delete(job_id),
                passthrough=(NotFound,),
            )

    # -- helpers ---------------------------------------------------------------------------
    def _write(
        self,
        what: str,
        endpoint: str,
        func: Callable[[WorkspaceClient], T],
        passthrough: tuple[type[BaseException], ...] = (),
    ) -> T:
        """An idempotent write, paced once the workspace has throttled `endpoint`."""
        return self.call(
            what, lambda: paced(self.client, self.create_client, endpoint, func), passthrough=passthrough
        )

    def call(self, what: str, func: Callable[[], T], passthrough: tuple[type[BaseException], ...] = ()) -> T:
        """Idempotent writes: the SDK's retries are safe here; turn what is left into our error."""
        try:
            return func()
        except passthrough:
            raise
        except Exception as exc:
            raise WorkspaceError(f"{what}: {api_message(exc)}") from None


def _pipeline_kwargs(spec: Mapping[str, Any]) -> dict[str, Any]:
    from databricks.sdk.service.pipelines import PipelineSpec

    parsed = PipelineSpec.from_dict(dict(spec))
    return {f.name: getattr(parsed, f.name) for f in fields(parsed) if getattr(parsed, f.name) is not None}
