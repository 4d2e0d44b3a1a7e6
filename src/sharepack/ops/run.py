"""`sharepack run`: start a pack's schedule jobs now (or a pipeline that has no job), optionally
waiting for them, or one after another (`--in-order`) stopping at the first failure."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sharepack.errors import SharepackError, UsageError
from sharepack.ops.context import OpsContext
from sharepack.ops.run_wait import RunState, get_run_state, get_update_state, pause, state_of_run


@dataclass(frozen=True)
class RunTarget:
    """What one NAME starts: a job (by ID), or a pipeline's update when it has no job."""

    name: str
    job_id: int | None = None
    pipeline_id: str | None = None


@dataclass
class Started:
    """One run started by this command (or, with `--in-order`, one left unstarted)."""

    target: RunTarget
    run_id: int | None = None
    update_id: str | None = None
    url: str = ""
    state: RunState | None = None

    @property
    def started(self) -> bool:
        return self.run_id is not None or self.update_id is not None

    @property
    def failed(self) -> bool:
        return self.state is not None and self.state.terminal and not self.state.succeeded

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.target.name,
            "job_id": self.target.job_id,
            "pipeline_id": self.target.pipeline_id,
            "run_id": self.run_id,
            "update_id": self.update_id,
            "url": self.url or None,
            "state": (self.state.label if self.state else None) if self.started else "NOT_STARTED",
        }


class RunWatcher(Protocol):
    """What the CLI shows as runs start, change state and end."""

    def started(self, run: Started) -> None: ...

    def changed(self, run: Started) -> None: ...

    def skipped(self, run: Started) -> None: ...


def targets_for(ctx: OpsContext, names: Sequence[str]) -> list[RunTarget]:
    """The jobs (or job-less pipelines) NAMEs stand for; every declared job when none is given."""
    named = ctx.resolve(names)
    ctx.refuse_unowned(named)
    if not named:
        example = ctx.deployment.command("run", ctx.deployment.pack.path, "PIPELINE")
        raise UsageError(
            f"{ctx.deployment.pack.path} declares no schedule jobs",
            hint=f"name a pipeline to start its update: {example}",
        )
    targets: list[RunTarget] = []
    missing: list[str] = []
    seen: set[str] = set()
    for item in named:
        if item.job is not None:
            if item.job.name in seen:
                continue
            seen.add(item.job.name)
            if item.actual_job is None:
                missing.append(f"job {item.job.name}")
            else:
                targets.append(RunTarget(item.job.name, job_id=item.actual_job.job_id))
        elif item.pipeline is not None:
            if item.pipeline.name in seen:
                continue
            seen.add(item.pipeline.name)
            if item.actual_pipeline is None:
                missing.append(f"pipeline {item.pipeline.name}")
            else:
                targets.append(RunTarget(item.pipeline.name, pipeline_id=item.actual_pipeline.pipeline_id))
    if missing:
        raise SharepackError(
            f"not in the workspace yet: {', '.join(missing)}",
            hint=f"create it first with `{ctx.deployment.command('apply', ctx.deployment.pack.path)}`",
        )
    return targets


def start(client: Any, host: str, target: RunTarget, *, full_refresh: bool) -> Started:
    """Start one run. The token makes a retried request return the same run instead of a second one."""
    if target.job_id is None:
        assert target.pipeline_id is not None
        response = client.pipelines.start_update(target.pipeline_id, full_refresh=full_refresh or None)
        url = f"{host}/#joblist/pipelines/{target.pipeline_id}/updates/{response.update_id}"
        return Started(target, update_id=response.update_id, url=url, state=RunState("PENDING"))
    from databricks.sdk.service.jobs import PipelineParams

    waiter = client.jobs.run_now(
        target.job_id,
        idempotency_token=f"sharepack-run-{uuid.uuid4().hex}",
        pipeline_params=PipelineParams(full_refresh=True) if full_refresh else None,
    )
    run_id = int(waiter.response.run_id)
    run = client.jobs.get_run(run_id)
    url = run.run_page_url or f"{host}/#job/{target.job_id}/run/{run_id}"
    return Started(target, run_id=run_id, url=url, state=state_of_run(run))


def current_state(client: Any, run: Started) -> RunState:
    if run.run_id is not None:
        return get_run_state(client, run.run_id)
    assert run.target.pipeline_id is not None and run.update_id is not None
    return get_update_state(client, run.target.pipeline_id, run.update_id)


def wait_all(client: Any, runs: Sequence[Started], watcher: RunWatcher) -> None:
    """Poll every unfinished run until all have ended, telling the watcher of each change."""
    pending: list[Started] = []
    for run in runs:
        if run.started and run.state is not None and run.state.terminal:
            watcher.changed(run)  # ended before the first poll: still worth a line
        elif run.started:
            pending.append(run)
    while pending:
        for run in list(pending):
            state = current_state(client, run)
            if state != run.state:
                run.state = state
                watcher.changed(run)
            if state.terminal:
                pending.remove(run)
        if pending:
            pause()


def run_targets(
    client: Any,
    host: str,
    targets: Sequence[RunTarget],
    watcher: RunWatcher,
    *,
    full_refresh: bool = False,
    wait: bool = False,
    in_order: bool = False,
) -> list[Started]:
    """Start every target; with `in_order`, each only after the one before it succeeded."""
    runs: list[Started] = []
    if in_order:
        for index, target in enumerate(targets):
            run = start(client, host, target, full_refresh=full_refresh)
            runs.append(run)
            watcher.started(run)
            wait_all(client, [run], watcher)
            if run.failed:
                for later in targets[index + 1 :]:
                    skipped = Started(later)
                    runs.append(skipped)
                    watcher.skipped(skipped)
                break
        return runs
    for target in targets:
        run = start(client, host, target, full_refresh=full_refresh)
        runs.append(run)
        watcher.started(run)
    if wait:
        wait_all(client, runs, watcher)
    return runs
