"""Build a plan: the desired state against what the workspace holds, resource by resource."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sharepack.changes.diff import FieldChange, diff_settings
from sharepack.changes.model import Action, Change, Plan, ResourceType
from sharepack.changes.rules import JOB_RULES, PIPELINE_RULES
from sharepack.desired.state import (
    PIPELINE_REF_PREFIX,
    DesiredJob,
    DesiredPipeline,
    DesiredState,
    settings_digest,
)
from sharepack.errors import UsageError
from sharepack.pack.variables import did_you_mean
from sharepack.plan.access import with_access
from sharepack.workspace.ownership import ADOPTED_TAG, PACK_TAG, is_managed, was_adopted, without_tags
from sharepack.workspace.state import ActualJob, ActualPipeline, ActualState

UNKNOWN_ID = "(known after apply)"


def build_plan(
    desired: DesiredState,
    actual: ActualState,
    *,
    source: str,
    host: str,
    target: str | None = None,
    prune: bool = False,
    select: Collection[str] = (),
    now: datetime | None = None,
) -> Plan:
    # One instant for the whole plan: every job's next runs are computed from the same moment.
    now = now or datetime.now(UTC)
    select = _as_declared(desired, select)
    selected = _selection(desired, select)
    pipeline_changes = [
        _pipeline_change(p, actual, desired) for p in desired.pipelines if p.name in selected.pipelines
    ]
    by_name = {c.name: c for c in pipeline_changes}
    ids = {name: c.id for name, c in by_name.items() if c.id}
    job_changes = [
        _job_change(j, actual, desired.pack, by_name, ids, now)
        for j in desired.jobs
        if j.name in selected.jobs
    ]
    removals, removal_warnings = _removed_jobs(desired, actual, select)
    orphans, warnings = _orphans(desired, actual, prune=prune, select=select)
    warnings = [*removal_warnings, *warnings]
    other_changes, other_warnings = _other_kinds(desired, actual, prune=prune, select=select)
    # A pipeline found but never fetched was vouched for by its schedule job's digest alone.
    digest_only = sum(
        1
        for p in desired.pipelines
        if p.name in selected.pipelines
        and len(found := actual.pipelines_named(p.name)) == 1
        and found[0].spec is None
    )
    from sharepack.plan.destroy import keep_what_released_pipelines_use

    changes, kept = keep_what_released_pipelines_use(
        [*other_changes, *pipeline_changes, *job_changes, *removals, *orphans], actual, desired.pack
    )
    plan = Plan(
        pack=desired.pack,
        source=source,
        host=host,
        target=target,
        changes=tuple(changes),
        warnings=(*other_warnings, *warnings, *kept),
        selection=tuple(select),
        prune=prune,
        digest_only=digest_only,
        governance=dict(desired.governance),
    )
    return with_access(plan, actual, desired)


def _other_kinds(
    desired: DesiredState, actual: ActualState, *, prune: bool, select: Collection[str]
) -> tuple[list[Change], list[str]]:
    """The changes of every registered kind beyond pipelines and jobs, in rank order."""
    from sharepack.kinds import KINDS
    from sharepack.kinds.base import PlanInput

    given = PlanInput(desired, actual, prune=prune, select=frozenset(select))
    changes: list[Change] = []
    warnings: list[str] = []
    for kind in KINDS:
        out = kind.plan(given)
        changes.extend(out.changes)
        warnings.extend(out.warnings)
    return changes, warnings


def _other_names(desired: DesiredState) -> set[str]:
    return {item.name for items in desired.resources.values() for item in items}


class _Selection:
    def __init__(self, pipelines: set[str], jobs: set[str]) -> None:
        self.pipelines = pipelines
        self.jobs = jobs


def _as_declared(desired: DesiredState, select: Collection[str]) -> tuple[str, ...]:
    """Each --select name as the pack spells it. Unity Catalog names (shares, recipients, catalogs)
    are case-insensitive, so `--select finance_share` means the pack's `Finance_Share`; pipeline
    and job names are not, and must match as written."""
    exact = {p.name for p in desired.pipelines} | {j.name for j in desired.jobs} | _other_names(desired)
    folded: dict[str, str] = {}
    for name in sorted(_other_names(desired)):
        folded.setdefault(name.lower(), name)
    return tuple(name if name in exact else folded.get(name.lower(), name) for name in select)


def _selection(desired: DesiredState, select: Collection[str]) -> _Selection:
    if not select:
        return _Selection({p.name for p in desired.pipelines}, {j.name for j in desired.jobs})
    wanted = set(select)
    known = {p.name for p in desired.pipelines} | {j.name for j in desired.jobs} | _other_names(desired)
    unknown = sorted(wanted - known)
    if unknown:
        raise UsageError(
            f"--select {', '.join(unknown)}: not declared in the pack",
            hint=did_you_mean(unknown[0], sorted(known)) or f"declared: {', '.join(sorted(known)[:10])}",
        )
    jobs = {j.name for j in desired.jobs if j.name in wanted or wanted & set(j.pipelines)}
    pipelines = {p.name for p in desired.pipelines if p.name in wanted}
    for job in desired.jobs:
        if job.name in jobs:
            pipelines.update(job.pipelines)
    return _Selection(pipelines, jobs)


def pipeline_observed(pipeline: ActualPipeline | None) -> str:
    if pipeline is None:
        return "absent"
    if pipeline.spec is None:
        return f"id:{pipeline.pipeline_id}"
    return f"id:{pipeline.pipeline_id}:{settings_digest(pipeline.spec)}"


def job_observed(job: ActualJob | None) -> str:
    if job is None:
        return "absent"
    return f"id:{job.job_id}:{settings_digest(job.settings)}"


def trusted_by_digest(
    pipeline: DesiredPipeline, found: ActualPipeline, desired: DesiredState, actual: ActualState
) -> bool:
    """True when the pipeline's own schedule job records that these exact settings were applied
    to this pipeline, so its settings need not be fetched."""
    carrier = next((j for j in desired.jobs if j.carries_digest_of == pipeline.name), None)
    if carrier is None:
        return False
    jobs = actual.jobs_named(carrier.name)
    if len(jobs) != 1 or not jobs[0].is_managed(desired.pack):
        return False
    return jobs[0].pipeline_digest == pipeline.digest and jobs[0].pipeline_ids == (found.pipeline_id,)


def pipelines_needing_settings(
    desired: DesiredState, actual: ActualState, *, trust_digest: bool = False
) -> list[ActualPipeline]:
    """The existing pipelines whose settings must be fetched before a plan can be built: every
    one, unless the caller accepts a schedule job's digest as proof (`--trust-digest`), which
    cannot see a pipeline edited by hand."""
    needed = []
    for pipeline in desired.pipelines:
        found = actual.pipelines_named(pipeline.name)
        unfetched = len(found) == 1 and found[0].spec is None
        if unfetched and not (trust_digest and trusted_by_digest(pipeline, found[0], desired, actual)):
            needed.append(found[0])
    return needed


def _pipeline_change(pipeline: DesiredPipeline, actual: ActualState, desired: DesiredState) -> Change:
    found = actual.pipelines_named(pipeline.name)

    def change(action: Action, **fields: Any) -> Change:
        return Change(action, ResourceType.PIPELINE, pipeline.name, desired.pack, **fields)

    if not found:
        return change(Action.CREATE, settings=pipeline.spec)
    if len(found) > 1:
        ids = ", ".join(p.pipeline_id for p in found)
        return change(
            Action.AMBIGUOUS,
            message=f"{len(found)} pipelines are named {pipeline.name} ({ids}); neither is touched",
        )
    existing = found[0]
    observed = pipeline_observed(existing)
    if existing.spec is None:
        # Settings were not fetched because the schedule job vouches for them (see trusted_by_digest).
        return change(Action.NOOP, id=existing.pipeline_id, observed=observed)
    owner = existing.tags.get(PACK_TAG)
    if is_managed(existing.tags) and owner != desired.pack:
        return change(
            Action.CONFLICT,
            id=existing.pipeline_id,
            observed=observed,
            message=f"pipeline {pipeline.name} belongs to SharePack {owner!r}; it is left alone",
        )
    managed = is_managed(existing.tags, desired.pack)
    spec = _adopted_mark(pipeline.spec, existing.tags, managed)
    too_many = None if managed else _too_many_tags("pipeline", pipeline.name, spec)
    if too_many:
        return change(Action.CONFLICT, id=existing.pipeline_id, observed=observed, message=too_many)
    diff = tuple(diff_settings(spec, existing.spec, PIPELINE_RULES))
    action = _update_action(managed, diff)
    return change(
        action,
        id=existing.pipeline_id,
        diff=diff,
        settings=spec if action != Action.NOOP else None,
        observed=observed,
    )


def _adopted_mark(settings: Mapping[str, Any], found: Mapping[str, str], managed: bool) -> Mapping[str, Any]:
    """The settings with the adopted flag among their tags when the pack adopts what it found (or
    adopted it before): destroy then releases it instead of deleting it (plan.destroy). What the
    pack made never carries it."""
    if managed and not was_adopted(found):
        return settings
    return {**settings, "tags": {**(settings.get("tags") or {}), ADOPTED_TAG: "true"}}


def _too_many_tags(what: str, name: str, settings: Mapping[str, Any]) -> str | None:
    """Said at plan time: adopting adds a tag, and Databricks refuses a 26th one at apply."""
    from sharepack.pack.names import MAX_TAGS

    count = len(settings.get("tags") or {})
    if count <= MAX_TAGS:
        return None
    return (
        f"{what} {name} exists and is not this pack's: adopting it marks it with {count} tags "
        f"(`{ADOPTED_TAG}` among them), and Databricks allows {MAX_TAGS}; it is left alone — "
        f"declare {count - MAX_TAGS} tag(s) fewer for it, or rename or delete the one that is there"
    )


def _update_action(managed: bool, diff: tuple[FieldChange, ...]) -> Action:
    if not managed:
        return Action.ADOPT
    return Action.UPDATE if diff else Action.NOOP


def _job_change(
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
        "details": _schedule_details(job, now),
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
    settings = dict(_adopted_mark(settings, existing.tags, managed))
    too_many = None if managed else _too_many_tags("job", job.name, settings)
    if too_many:
        return Change(
            action=Action.CONFLICT, id=str(existing.job_id), observed=observed, message=too_many, **base
        )
    diff = tuple(_mark_unknown_ids(diff_settings(settings, existing.settings, JOB_RULES)))
    action = _update_action(managed, diff)
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


def keep_task_keys(settings: Mapping[str, Any], existing: Mapping[str, Any]) -> dict[str, Any]:
    """Desired settings with each task keyed as the existing task that runs the same pipeline.

    Task keys are sharepack's own naming; a job built by hand (then exported and adopted) names
    its tasks otherwise, and renaming them would show as every task replaced."""
    by_pipeline = {
        str(t["pipeline_task"]["pipeline_id"]): str(t["task_key"])
        for t in existing.get("tasks") or []
        if isinstance(t.get("pipeline_task"), Mapping) and t.get("task_key")
    }
    tasks = settings.get("tasks") or []
    renames: dict[str, str] = {}
    for task in tasks:
        old = by_pipeline.get(str((task.get("pipeline_task") or {}).get("pipeline_id")))
        if old and old != task["task_key"]:
            renames[task["task_key"]] = old
    if not renames or len(set(renames.values())) != len(renames):
        return dict(settings)
    taken = {t["task_key"] for t in tasks} - set(renames)
    if taken & set(renames.values()):
        return dict(settings)  # a rename would collide with another task's key
    renamed = copy.deepcopy(dict(settings))
    for task in renamed["tasks"]:
        task["task_key"] = renames.get(task["task_key"], task["task_key"])
        for dependency in task.get("depends_on") or []:
            dependency["task_key"] = renames.get(dependency["task_key"], dependency["task_key"])
    return renamed


def resolve_pipeline_refs(settings: Mapping[str, Any], ids: Mapping[str, str | None]) -> dict[str, Any]:
    """Job settings with `pipeline:<name>` placeholders replaced by the IDs known so far."""
    resolved = copy.deepcopy(dict(settings))
    for task in resolved.get("tasks") or []:
        pipeline_task = task.get("pipeline_task") or {}
        ref = str(pipeline_task.get("pipeline_id", ""))
        if ref.startswith(PIPELINE_REF_PREFIX):
            pipeline_id = ids.get(ref[len(PIPELINE_REF_PREFIX) :])
            if pipeline_id:
                pipeline_task["pipeline_id"] = pipeline_id
    return resolved


def _mark_unknown_ids(changes: list[FieldChange]) -> list[FieldChange]:
    return [
        FieldChange(c.path, c.before, UNKNOWN_ID)
        if isinstance(c.after, str) and c.after.startswith(PIPELINE_REF_PREFIX)
        else c
        for c in changes
    ]


def _schedule_details(job: DesiredJob, now: datetime | None) -> tuple[str, ...]:
    if job.schedule is None:
        return ("no schedule: runs only when triggered",)
    from sharepack.schedule.explain import explain

    explanation = explain(job.schedule, now=now)
    lines = [explanation.description]
    if explanation.next_runs:
        lines.append("next: " + ", ".join(t.isoformat() for t in explanation.next_runs[:3]))
    lines.extend(f"warning: {w}" for w in explanation.warnings)
    return tuple(lines)


def _orphans(
    desired: DesiredState, actual: ActualState, *, prune: bool, select: Collection[str]
) -> tuple[list[Change], list[str]]:
    """Jobs (and the pipelines they run) that carry this pack's tags but are no longer declared."""
    if not actual.complete:
        return [], []
    # A job the pack asks to remove is planned by _removed_jobs, prune or not.
    declared_jobs = {j.name for j in desired.jobs} | set(desired.removed_jobs)
    declared_pipelines = {p.name for p in desired.pipelines}
    changes: list[Change] = []
    seen_pipelines: set[str] = set()
    for name, jobs in sorted(actual.jobs.items()):
        for job in jobs:
            if name in declared_jobs or not job.is_managed(desired.pack):
                continue
            if select and name not in select:
                continue
            if was_adopted(job.tags):
                settings = {**job.settings, "tags": without_tags(job.tags)}
                changes.append(
                    _pruned_release(
                        ResourceType.JOB, name, desired.pack, str(job.job_id), job_observed(job), settings
                    )
                )
            else:
                changes.append(_job_delete(name, job, desired.pack, "no longer declared in the SharePack"))
            for pipeline_id in job.pipeline_ids:
                pipeline = actual.pipeline_by_id(pipeline_id)
                if (
                    pipeline is not None
                    and pipeline.name not in declared_pipelines
                    and pipeline.pipeline_id not in seen_pipelines
                    and is_managed(pipeline.tags, desired.pack)
                ):
                    seen_pipelines.add(pipeline.pipeline_id)
                    changes.append(_orphan_pipeline(pipeline, desired.pack))
    # Pipelines of ours that no job runs any more (unscheduled, or their job already pruned).
    for pipeline in sorted(_undeclared_owned_pipelines(desired, actual), key=lambda p: p.name):
        if pipeline.pipeline_id in seen_pipelines or (select and pipeline.name not in select):
            continue
        seen_pipelines.add(pipeline.pipeline_id)
        changes.append(_orphan_pipeline(pipeline, desired.pack))
    if prune or not changes:
        return changes, []
    names = ", ".join(c.name for c in changes)
    return [], [
        f"{len(changes)} resource(s) of this SharePack are no longer declared ({names}); "
        "run with --prune to delete them"
    ]


def _removed_jobs(
    desired: DesiredState, actual: ActualState, select: Collection[str]
) -> tuple[list[Change], list[str]]:
    """`schedule: {action: remove}`: the pipeline's schedule job is deleted when it carries this
    pack's marks, as `*_to_remove` lists do; one that is not ours is left alone, with a warning."""
    changes: list[Change] = []
    warnings: list[str] = []
    for name in desired.removed_jobs:
        if select and name not in select and name.removesuffix("_schedule") not in select:
            continue
        for job in actual.jobs_named(name):
            if not job.is_managed(desired.pack):
                owner = job.tags.get(PACK_TAG)
                whose = f"SharePack {owner!r}'s" if owner else "not made by sharepack"
                warnings.append(
                    f"job {name} ({whose}) is left alone: `schedule: {{action: remove}}` "
                    "deletes only a schedule job this pack made"
                )
                continue
            changes.append(_job_delete(name, job, desired.pack, "schedule: {action: remove}"))
    return changes, warnings


def _job_delete(name: str, job: ActualJob, pack: str, why: str) -> Change:
    return Change(
        action=Action.DELETE,
        resource_type=ResourceType.JOB,
        name=name,
        pack=pack,
        id=str(job.job_id),
        observed=job_observed(job),
        message=why,
    )


def _pruned_release(
    resource_type: ResourceType, name: str, pack: str, id: str, observed: str, settings: Mapping[str, Any]
) -> Change:
    """A pipeline or job the pack adopted and no longer declares: --prune releases it (takes our
    tags off) as destroy does, rather than deleting what the pack never made."""
    from sharepack.kinds.base import RELEASED

    return Change(
        Action.UPDATE,
        resource_type,
        name,
        pack,
        id=id,
        observed=observed,
        settings=settings,
        message=f"{RELEASED}; no longer declared in the SharePack",
    )


def _orphan_pipeline(pipeline: ActualPipeline, pack: str) -> Change:
    if was_adopted(pipeline.tags) and pipeline.spec is not None:
        settings = {**pipeline.spec, "tags": without_tags(pipeline.tags)}
        return _pruned_release(
            ResourceType.PIPELINE,
            pipeline.name,
            pack,
            pipeline.pipeline_id,
            pipeline_observed(pipeline),
            settings,
        )
    return Change(
        action=Action.DELETE,
        resource_type=ResourceType.PIPELINE,
        name=pipeline.name,
        pack=pack,
        id=pipeline.pipeline_id,
        observed=pipeline_observed(pipeline),
        message="no longer declared in the SharePack",
    )


def _undeclared_owned_pipelines(desired: DesiredState, actual: ActualState) -> list[ActualPipeline]:
    """Pipelines read with their settings (so their tags are known) that carry this pack's tags
    but that the pack no longer declares."""
    declared = {p.name for p in desired.pipelines}
    return [
        pipeline
        for name, found in actual.pipelines.items()
        if name not in declared
        for pipeline in found
        if pipeline.spec is not None and is_managed(pipeline.tags, desired.pack)
    ]
