"""DLT pipelines as a kind for the applier. Their plan is built in `plan.build` (with the jobs
that run them, since a job's diff needs its pipelines' IDs)."""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING

from sharepack.changes.model import Action, Change, ResourceType, change_key
from sharepack.kinds.base import RELEASED, PlanInput, PlanOutput, WriteContext, Written

if TYPE_CHECKING:
    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState

SHARE_SETTING = "sharepack.share"


class PipelineKind:
    resource_type = ResourceType.PIPELINE
    rank = 50
    fatal = True
    label = "pipelines"

    def plan(self, given: PlanInput) -> PlanOutput:
        return PlanOutput()  # see plan.build

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        return PlanOutput()  # see plan.destroy

    def observed(self, change: Change, actual: ActualState) -> str:
        from sharepack.plan.build import pipeline_observed

        pipelines = actual.pipelines_named(change.name)
        return "ambiguous" if len(pipelines) > 1 else pipeline_observed(pipelines[0] if pipelines else None)

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        # After the share it syncs from is in place (ordering only: a pipeline reads the source
        # table, not the share, so a failed share does not stop it).
        share = ((change.settings or {}).get("configuration") or {}).get(SHARE_SETTING)
        if not share:
            return set()
        return {
            change_key(ResourceType.SHARE, share),
            change_key(ResourceType.SHARE_OBJECTS, share),
        } & planned

    def depends_on(self, change: Change) -> set[str]:
        # Its code (a pipeline whose library is missing or stale must not be made, nor its
        # schedule) and the schema it publishes into.
        if change.action == Action.DELETE or (change.message or "").startswith(RELEASED):
            return set()  # a release only takes our tags off what is there: it needs nothing new
        settings = change.settings or {}
        wanted = {
            change_key(ResourceType.WORKSPACE_FILE, str(library["file"]["path"]))
            for library in settings.get("libraries") or []
            if isinstance(library.get("file"), dict) and library["file"].get("path")
        }
        if settings.get("catalog") and settings.get("schema"):
            wanted.add(change_key(ResourceType.SCHEMA, f"{settings['catalog']}.{settings['schema']}"))
        return wanted

    def write(self, change: Change, context: WriteContext) -> Written:
        writer = context.writer
        if change.action == Action.DELETE:
            assert change.id is not None
            writer.delete_pipeline(change.id, change.name)
            return Written(change.id)
        assert change.settings is not None
        if change.action == Action.CREATE:
            return Written(writer.create_pipeline(change.settings))
        assert change.id is not None
        writer.update_pipeline(change.id, change.settings)
        return Written(change.id)
