"""DLT pipelines: planned against what the workspace holds (by name, settings compared field by
field, or vouched for by their schedule job's digest under `--trust-digest`), destroyed when they
carry this pack's tags, written with duplicate-safe creates."""

from __future__ import annotations

from collections.abc import Collection, Set
from typing import TYPE_CHECKING, Any

from sharepack.changes.diff import diff_settings
from sharepack.changes.model import Action, Change, ResourceType, change_key
from sharepack.changes.rules import PIPELINE_RULES
from sharepack.desired.state import DesiredPipeline, DesiredState, settings_digest
from sharepack.kinds.adoption import adopted_mark, let_go, too_many_tags, update_action
from sharepack.kinds.base import RELEASED, KindDefaults, PlanInput, PlanOutput, WriteContext, Written
from sharepack.kinds.pipeline_render import pipeline_summary
from sharepack.kinds.pipeline_users import keep_what_pipelines_use
from sharepack.sync.code import plan_notes
from sharepack.workspace.ownership import PACK_TAG, is_managed

if TYPE_CHECKING:
    from sharepack.workspace.state import ActualPipeline, ActualState

SHARE_SETTING = "sharepack.share"


class PipelineKind(KindDefaults):
    resource_type = ResourceType.PIPELINE
    rank = 50
    fatal = True
    label = "pipelines"
    always_summarised = True

    def declared(self, desired: DesiredState) -> set[str]:
        return {p.name for p in desired.pipelines}

    def plan(self, given: PlanInput) -> PlanOutput:
        selected, _ = scheduled_selection(given.desired, given.select)
        pipelines = [p for p in given.desired.pipelines if p.name in selected]
        changes = tuple(_change(p, given.actual, given.desired.pack) for p in pipelines)
        # A pipeline found but never fetched was vouched for by its schedule job's digest alone.
        digest_only = sum(
            1
            for p in pipelines
            if len(found := given.actual.pipelines_named(p.name)) == 1 and found[0].spec is None
        )
        return PlanOutput(changes, digest_only=digest_only)

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        changes: list[Change] = []
        warnings: list[str] = []
        run_by_ours = {
            pipeline_id
            for jobs in actual.jobs.values()
            for job in jobs
            if job.is_managed(desired.pack)
            for pipeline_id in job.pipeline_ids
        }
        declared = self.declared(desired)
        pipelines = {p.pipeline_id: p for found in actual.pipelines.values() for p in found}
        for pipeline in sorted(pipelines.values(), key=lambda p: p.name):
            # Undeclared ones were read with their settings (see kinds.reading): their tags decide,
            # whether or not a job of ours still runs them.
            if pipeline.spec is None:
                continue  # never fetched, so never proven ours
            if not is_managed(pipeline.tags, desired.pack):
                if pipeline.name in declared or pipeline.pipeline_id in run_by_ours:
                    warnings.append(f"pipeline {pipeline.name} does not carry this pack's tags: left alone")
                continue
            changes.append(let_go_of(pipeline, desired.pack, why=None, released=DESTROY_RELEASE))
        return PlanOutput(tuple(changes), tuple(warnings))

    def notes(self, change: Change) -> list[str]:
        return plan_notes(change.settings)  # how it syncs, from the generated code's settings

    def summary(self, change: Change) -> list[str]:
        return pipeline_summary(change.settings) if change.action == Action.CREATE else []

    def review(self, changes: list[Change], actual: ActualState, pack: str) -> tuple[list[Change], list[str]]:
        return keep_what_pipelines_use(changes, actual, pack)

    def observed(self, change: Change, actual: ActualState) -> str:
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


DESTROY_RELEASE = "destroy --delete-adopted deletes it"


def let_go_of(pipeline: ActualPipeline, pack: str, *, why: str | None, released: str) -> Change:
    return let_go(
        ResourceType.PIPELINE,
        pipeline.name,
        pack,
        id=pipeline.pipeline_id,
        observed=pipeline_observed(pipeline),
        tags=pipeline.tags,
        settings=pipeline.spec,
        why=why,
        released=released,
    )


def scheduled_selection(desired: DesiredState, select: Collection[str]) -> tuple[set[str], set[str]]:
    """The pipelines and jobs `--select` reaches: a named job, or one that runs a named pipeline,
    brings every pipeline it runs. Everything when nothing is selected."""
    if not select:
        return {p.name for p in desired.pipelines}, {j.name for j in desired.jobs}
    wanted = set(select)
    jobs = {j.name for j in desired.jobs if j.name in wanted or wanted & set(j.pipelines)}
    pipelines = {p.name for p in desired.pipelines if p.name in wanted}
    for job in desired.jobs:
        if job.name in jobs:
            pipelines.update(job.pipelines)
    return pipelines, jobs


def pipeline_observed(pipeline: ActualPipeline | None) -> str:
    if pipeline is None:
        return "absent"
    if pipeline.spec is None:
        return f"id:{pipeline.pipeline_id}"
    return f"id:{pipeline.pipeline_id}:{settings_digest(pipeline.spec)}"


def _change(pipeline: DesiredPipeline, actual: ActualState, pack: str) -> Change:
    found = actual.pipelines_named(pipeline.name)

    def change(action: Action, **fields: Any) -> Change:
        return Change(action, ResourceType.PIPELINE, pipeline.name, pack, **fields)

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
        # Settings were not fetched because the schedule job vouches for them (see kinds.pipeline_digest).
        return change(Action.NOOP, id=existing.pipeline_id, observed=observed)
    owner = existing.tags.get(PACK_TAG)
    if is_managed(existing.tags) and owner != pack:
        return change(
            Action.CONFLICT,
            id=existing.pipeline_id,
            observed=observed,
            message=f"pipeline {pipeline.name} belongs to SharePack {owner!r}; it is left alone",
        )
    managed = is_managed(existing.tags, pack)
    spec = adopted_mark(pipeline.spec, existing.tags, managed)
    too_many = None if managed else too_many_tags("pipeline", pipeline.name, spec)
    if too_many:
        return change(Action.CONFLICT, id=existing.pipeline_id, observed=observed, message=too_many)
    diff = tuple(diff_settings(spec, existing.spec, PIPELINE_RULES))
    action = update_action(managed, diff)
    return change(
        action,
        id=existing.pipeline_id,
        diff=diff,
        settings=spec if action != Action.NOOP else None,
        observed=observed,
    )
