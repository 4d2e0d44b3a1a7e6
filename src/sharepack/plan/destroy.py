"""The plan that deletes what a pack owns, and nothing it does not."""

from __future__ import annotations

from sharepack.desired import DesiredState
from sharepack.ownership import is_managed
from sharepack.plan.access import with_access
from sharepack.plan.build import job_observed, pipeline_observed
from sharepack.plan.model import Action, Change, Plan, ResourceType
from sharepack.workspace.state import ActualState


def build_destroy_plan(
    desired: DesiredState, actual: ActualState, *, source: str, host: str, delete_adopted: bool = False
) -> Plan:
    """Deletes of what carries the pack's mark; what it adopted is released (unless
    `delete_adopted`), and what others still rely on is kept — each said in the plan."""
    changes: list[Change] = []
    warnings: list[str] = []
    seen_pipelines: set[str] = set()
    job_names = {j.name for j in desired.jobs} | {
        name for name, jobs in actual.jobs.items() if any(j.is_managed(desired.pack) for j in jobs)
    }
    for name in sorted(job_names):
        for job in actual.jobs_named(name):
            if not job.is_managed(desired.pack):
                warnings.append(f"job {name} (id {job.job_id}) does not carry this pack's tags: left alone")
                continue
            changes.append(
                Change(
                    Action.DELETE,
                    ResourceType.JOB,
                    name,
                    desired.pack,
                    id=str(job.job_id),
                    observed=job_observed(job),
                )
            )
            for pipeline_id in job.pipeline_ids:
                seen_pipelines.add(pipeline_id)
    pipelines = {p.pipeline_id: p for found in actual.pipelines.values() for p in found}
    declared = {p.name for p in desired.pipelines}
    for pipeline in sorted(pipelines.values(), key=lambda p: p.name):
        # Undeclared ones were read with their settings (see workspace.read): their tags decide,
        # whether or not a job of ours still runs them.
        if pipeline.spec is None:
            continue  # never fetched, so never proven ours
        if not is_managed(pipeline.tags, desired.pack):
            if pipeline.name in declared or pipeline.pipeline_id in seen_pipelines:
                warnings.append(f"pipeline {pipeline.name} does not carry this pack's tags: left alone")
            continue
        changes.append(
            Change(
                Action.DELETE,
                ResourceType.PIPELINE,
                pipeline.name,
                desired.pack,
                id=pipeline.pipeline_id,
                observed=pipeline_observed(pipeline),
            )
        )
    from sharepack.kinds import KINDS

    for kind in KINDS:
        out = kind.destroy(desired, actual)
        changes.extend(_deleted(c) if delete_adopted else c for c in out.changes)
        warnings.extend(out.warnings)
    released = [c for c in changes if c.action == Action.UPDATE]
    if released:
        warnings.append(
            f"{len(released)} resource(s) this pack adopted are released, not deleted "
            f"({', '.join(f'{c.resource_type.value} {c.name}' for c in released)}): "
            "pass --delete-adopted to delete them too"
        )
    plan = Plan(
        pack=desired.pack,
        source=source,
        host=host,
        changes=tuple(changes),
        warnings=tuple(warnings),
        governance=dict(desired.governance),
    )
    return with_access(plan, actual, desired)


def _deleted(change: Change) -> Change:
    """--delete-adopted: a release becomes the delete it stood in for."""
    from dataclasses import replace

    from sharepack.kinds.base import RELEASED

    if change.action != Action.UPDATE or not (change.message or "").startswith(RELEASED):
        return change
    return replace(
        change, action=Action.DELETE, message="adopted by this pack; deleted as --delete-adopted asks"
    )
