"""Schedule jobs as a kind for the applier: they wait for the pipelines they run, and a failed
one never fails the apply (seed 000: schedules are non-fatal)."""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING

from sharepack.changes.model import Action, Change, ResourceType, change_key
from sharepack.errors import WorkspaceError
from sharepack.kinds.base import PlanInput, PlanOutput, WriteContext, Written

if TYPE_CHECKING:
    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState


class JobKind:
    resource_type = ResourceType.JOB
    rank = 60
    fatal = False
    label = "schedule jobs"

    def plan(self, given: PlanInput) -> PlanOutput:
        return PlanOutput()  # see plan.build

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        return PlanOutput()  # see plan.destroy

    def observed(self, change: Change, actual: ActualState) -> str:
        from sharepack.plan.build import job_observed

        jobs = actual.jobs_named(change.name)
        if change.id:
            jobs = tuple(j for j in jobs if str(j.job_id) == change.id) or jobs
        return "ambiguous" if len(jobs) > 1 else job_observed(jobs[0] if jobs else None)

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        return set()

    def depends_on(self, change: Change) -> set[str]:
        # Only its own pipelines: jobs start while other pipelines are still being written, so
        # both endpoints' rate limits are used at once.
        if change.action == Action.DELETE:
            return set()
        return {change_key(ResourceType.PIPELINE, p) for p in change.pipelines}

    def write(self, change: Change, context: WriteContext) -> Written:
        from sharepack.desired.state import PIPELINE_REF_PREFIX
        from sharepack.plan.build import resolve_pipeline_refs

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
