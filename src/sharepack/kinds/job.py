"""Schedule jobs: planned after the pipelines they run (a job's settings need their IDs), pruned with
the pipelines only they ran, and never fatal — a failed schedule does not fail the apply (seed 000)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sharepack.changes.diff import diff_settings
from sharepack.changes.model import Action, Change, ResourceType, change_key
from sharepack.changes.rules import JOB_RULES
from sharepack.desired.state import PIPELINE_REF_PREFIX, DesiredJob, DesiredState, settings_digest
from sharepack.errors import WorkspaceError
from sharepack.kinds.adoption import adopted_mark, let_go, too_many_tags, update_action
from sharepack.kinds.base import KindDefaults, PlanInput, PlanOutput, WriteContext, Written
from sharepack.kinds.job_settings import (
    keep_task_keys,
    mark_unknown_ids,
    resolve_pipeline_refs,
    schedule_details,
)
from sharepack.kinds.pipeline import DESTROY_RELEASE, let_go_of, scheduled_selection
from sharepack.workspace.ownership import PACK_TAG, is_managed

if TYPE_CHECKING:
    from datetime import datetime

    from sharepack.workspace.state import ActualJob, ActualPipeline, ActualState

NO_LONGER_DECLARED = "no longer declared in the SharePack"


class JobKind(KindDefaults):
    resource_type = ResourceType.JOB
    rank = 60
    fatal = False
    label = "schedule jobs"
    always_summarised = True

    def declared(self, desired: DesiredState) -> set[str]:
        return {j.name for j in desired.jobs}

    def plan(self, given: PlanInput) -> PlanOutput:
        _, selected = scheduled_selection(given.desired, given.select)
        pipelines = {c.name: c for c in given.earlier if c.resource_type == ResourceType.PIPELINE}
        ids = {name: c.id for name, c in pipelines.items() if c.id}
        changes = [
            _change(j, given.actual, given.desired.pack, pipelines, ids, given.now)
            for j in given.desired.jobs
            if j.name in selected
        ]
        removals, warnings = _removed(given)
        orphans, orphan_warnings = _orphans(given)
        return PlanOutput((*changes, *removals, *orphans), (*warnings, *orphan_warnings))

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        changes: list[Change] = []
        warnings: list[str] = []
        names = self.declared(desired) | {
            name for name, jobs in actual.jobs.items() if any(j.is_managed(desired.pack) for j in jobs)
        }
        for name in sorted(names):
            for job in actual.jobs_named(name):
                if not job.is_managed(desired.pack):
                    warnings.append(
                        f"job {name} (id {job.job_id}) does not carry this pack's tags: left alone"
                    )
                    continue
                changes.append(_let_go_of(job, actual, desired.pack, why=None, released=DESTROY_RELEASE))
        return PlanOutput(tuple(changes), tuple(warnings))

    def observed(self, change: Change, actual: ActualState) -> str:
        jobs = actual.jobs_named(change.name)
        if change.id:
            jobs = tuple(j for j in jobs if str(j.job_id) == change.id) or jobs
        return "ambiguous" if len(jobs) > 1 else job_observed(jobs[0] if jobs else None)

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        return set()

    def uses(self, change: Change) -> set[str] | None:
        # The pipelines its tasks run; a job whose pipelines the plan does not name (a saved plan
        # made before they were recorded) is taken to use anything, as other kinds are.
        if not change.pipelines:
            return None
        return {change_key(ResourceType.PIPELINE, p) for p in change.pipelines}

    def depends_on(self, change: Change) -> set[str]:
        # Only its own pipelines: jobs start while other pipelines are still being written, so
        # both endpoints' rate limits are used at once.
        if change.action == Action.DELETE:
            return set()
        return {change_key(ResourceType.PIPELINE, p) for p in change.pipelines}

    def write(self, change: Change, context: WriteContext) -> Written:
        writer = context.writer
        if change.action == Action.DELETE:
            assert change.id is not None
            writer.delete_job(int(change.id), change.name)
            return Written(change.id)
        assert change.settings is not None
        with context.lock:
            ids = {
                key.removeprefix(ResourceType.PIPELINE.key_prefix): value
                for key, value in context.ids.items()
                if key.startswith(ResourceType.PIPELINE.key_prefix)
            }
        settings = resolve_pipeline_refs(change.settings, ids)
        unresolved = [
            t
            for t in settings.get("tasks", [])
            if str(t.get("pipeline_task", {}).get("pipeline_id", "")).startswith(PIPELINE_REF_PREFIX)
        ]
        if unresolved:
            raise WorkspaceError("skipped: the ID of a pipeline it runs is unknown")
        if change.action == Action.CREATE:
            return Written(str(writer.create_job(settings)))
        assert change.id is not None
        writer.reset_job(int(change.id), settings)
        return Written(change.id)


def job_observed(job: ActualJob | None) -> str:
    if job is None:
        return "absent"
    return f"id:{job.job_id}:{settings_digest(job.settings)}"


def _let_go_of(job: ActualJob, actual: ActualState, pack: str, *, why: str | None, released: str) -> Change:
    change = let_go(
        ResourceType.JOB,
        job.name,
        pack,
        id=str(job.job_id),
        observed=job_observed(job),
        tags=job.tags,
        settings=job.settings,
        why=why,
        released=released,
    )
    # A delete records what the job ran: each of those pipelines is deleted once the job is gone.
    return replace(change, pipelines=_runs(job, actual)) if change.action == Action.DELETE else change


def _runs(job: ActualJob, actual: ActualState) -> tuple[str, ...]:
    """The names of the pipelines the job runs, as far as the read found them."""
    found = (actual.pipeline_by_id(pipeline_id) for pipeline_id in job.pipeline_ids)
    return tuple(pipeline.name for pipeline in found if pipeline is not None)


def _change(
    job: DesiredJob,
    actual: ActualState,
    pack: str,
    pipeline_changes: Mapping[str, Change],
    pipeline_ids: Mapping[str, str],
    now: datetime | None,
) -> Change:
    base: dict[str, Any] = {
        "resource_type": ResourceType.JOB,
        "name": job.name,
        "pack": pack,
        "pipelines": job.pipelines,
        "details": schedule_details(job, now),
    }
    blocked = [
        p
        for p in job.pipelines
        if pipeline_changes.get(p) and pipeline_changes[p].action in (Action.AMBIGUOUS, Action.CONFLICT)
    ]
    if blocked:
        return Change(
            action=Action.AMBIGUOUS,
            message=f"pipeline {blocked[0]} cannot be resolved; job left alone",
            **base,
        )
    settings = resolve_pipeline_refs(job.settings, pipeline_ids)
    found = actual.jobs_named(job.name)
    if not found:
        return Change(action=Action.CREATE, settings=settings, **base)
    if len(found) > 1:
        ids = ", ".join(str(j.job_id) for j in found)
        return Change(
            action=Action.AMBIGUOUS,
            message=f"{len(found)} jobs are named {job.name} ({ids}); neither is touched"
            " — delete the extra one",
            **base,
        )
    existing = found[0]
    settings = keep_task_keys(settings, existing.settings)
    observed = job_observed(existing)
    owner = existing.tags.get(PACK_TAG)
    if existing.is_managed() and owner != pack:
        return Change(
            action=Action.CONFLICT,
            id=str(existing.job_id),
            observed=observed,
            message=f"job {job.name} belongs to SharePack {owner!r}; it is left alone",
            **base,
        )
    managed = existing.is_managed(pack)
    settings = dict(adopted_mark(settings, existing.tags, managed))
    too_many = None if managed else too_many_tags("job", job.name, settings)
    if too_many:
        return Change(
            action=Action.CONFLICT, id=str(existing.job_id), observed=observed, message=too_many, **base
        )
    diff = tuple(mark_unknown_ids(diff_settings(settings, existing.settings, JOB_RULES)))
    action = update_action(managed, diff)
    if action != Action.NOOP:
        # jobs/reset replaces every setting: carry over what sharepack does not manage (a
        # description, job clusters, run_as set by hand) instead of silently wiping it.
        kept = {k: v for k, v in existing.settings.items() if k not in JOB_RULES and k not in settings}
        settings = {**kept, **settings}
    return Change(
        action=action,
        id=str(existing.job_id),
        diff=diff,
        settings=settings if action != Action.NOOP else None,
        observed=observed,
        **base,
    )


def _removed(given: PlanInput) -> tuple[list[Change], list[str]]:
    """`schedule: {action: remove}`: the pipeline's schedule job is deleted when it carries this
    pack's marks, as `*_to_remove` lists do; one that is not ours is left alone, with a warning."""
    desired, select = given.desired, given.select
    changes: list[Change] = []
    warnings: list[str] = []
    for name in desired.removed_jobs:
        if select and name not in select and name.removesuffix("_schedule") not in select:
            continue
        for job in given.actual.jobs_named(name):
            if not job.is_managed(desired.pack):
                owner = job.tags.get(PACK_TAG)
                whose = f"SharePack {owner!r}'s" if owner else "not made by sharepack"
                warnings.append(
                    f"job {name} ({whose}) is left alone: `schedule: {{action: remove}}` "
                    "deletes only a schedule job this pack made"
                )
                continue
            changes.append(
                Change(
                    Action.DELETE,
                    ResourceType.JOB,
                    name,
                    desired.pack,
                    id=str(job.job_id),
                    observed=job_observed(job),
                    message="schedule: {action: remove}",
                    pipelines=_runs(job, given.actual),
                )
            )
    return changes, warnings


def _orphans(given: PlanInput) -> tuple[list[Change], list[str]]:
    """Jobs (and the pipelines they run) that carry this pack's tags but are no longer declared,
    and pipelines of ours that no job runs any more (unscheduled, or their job already pruned)."""
    desired, actual, select = given.desired, given.actual, given.select
    if not actual.complete:
        return [], []
    # A job the pack asks to remove is planned by _removed, prune or not.
    declared_jobs = {j.name for j in desired.jobs} | set(desired.removed_jobs)
    declared_pipelines = {p.name for p in desired.pipelines}
    changes: list[Change] = []
    seen: set[str] = set()

    def prune(pipeline: ActualPipeline) -> None:
        seen.add(pipeline.pipeline_id)
        changes.append(let_go_of(pipeline, desired.pack, why=NO_LONGER_DECLARED, released=NO_LONGER_DECLARED))

    for name, jobs in sorted(actual.jobs.items()):
        for job in jobs:
            if name in declared_jobs or not job.is_managed(desired.pack):
                continue
            if select and name not in select:
                continue
            changes.append(
                _let_go_of(job, actual, desired.pack, why=NO_LONGER_DECLARED, released=NO_LONGER_DECLARED)
            )
            for pipeline_id in job.pipeline_ids:
                pipeline = actual.pipeline_by_id(pipeline_id)
                if (
                    pipeline is not None
                    and pipeline.name not in declared_pipelines
                    and pipeline.pipeline_id not in seen
                    and is_managed(pipeline.tags, desired.pack)
                ):
                    prune(pipeline)
    # Read with their settings, so their own tags are known.
    undeclared = [
        pipeline
        for name, found in actual.pipelines.items()
        if name not in declared_pipelines
        for pipeline in found
        if pipeline.spec is not None and is_managed(pipeline.tags, desired.pack)
    ]
    for pipeline in sorted(undeclared, key=lambda p: p.name):
        if pipeline.pipeline_id not in seen and not (select and pipeline.name not in select):
            prune(pipeline)
    if given.prune or not changes:
        return changes, []
    names = ", ".join(c.name for c in changes)
    return [], [
        f"{len(changes)} resource(s) of this SharePack are no longer declared ({names}); "
        "run with --prune to delete them"
    ]
