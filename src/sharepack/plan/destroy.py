"""The plan that deletes what a pack owns, and nothing it does not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sharepack.changes.model import Action, Change, Plan, ResourceType
from sharepack.desired.state import DesiredState
from sharepack.plan.access import with_access
from sharepack.plan.build import job_observed, pipeline_observed
from sharepack.workspace.ownership import is_managed, was_adopted, without_tags
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
            if was_adopted(job.tags):
                settings = {**job.settings, "tags": without_tags(job.tags)}
                changes.append(
                    _release(
                        ResourceType.JOB, name, desired.pack, str(job.job_id), job_observed(job), settings
                    )
                )
            else:
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
        if was_adopted(pipeline.tags):
            settings = {**pipeline.spec, "tags": without_tags(pipeline.tags)}
            changes.append(
                _release(
                    ResourceType.PIPELINE,
                    pipeline.name,
                    desired.pack,
                    pipeline.pipeline_id,
                    pipeline_observed(pipeline),
                    settings,
                )
            )
        else:
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
        changes.extend(out.changes)
        warnings.extend(out.warnings)
    if delete_adopted:
        changes = [_deleted(c) for c in changes]
    changes, kept = keep_what_released_pipelines_use(changes, actual, desired.pack)
    warnings.extend(kept)
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


def _release(
    resource_type: ResourceType, name: str, pack: str, id: str, observed: str, settings: dict[str, Any]
) -> Change:
    """An adopted pipeline or job: its settings as found, with the tags sharepack wrote taken out."""
    from dataclasses import replace

    from sharepack.kinds.base import release

    return replace(release(resource_type, name, pack, observed, settings), id=id)


def keep_what_released_pipelines_use(
    changes: list[Change], actual: ActualState, pack: str
) -> tuple[list[Change], list[str]]:
    """A released pipeline keeps running: when adopted it was pointed at the pack's generated code
    and publishes into the pack's schema, so deleting either would break it at its next update
    (and drop its tables). Both are kept, each said in the plan; --delete-adopted deletes all.
    A file of ours that a pipeline not of this pack runs (one released earlier) is kept too."""
    from sharepack.kinds.base import RELEASED

    used: dict[str, str] = {}
    for change in changes:
        if change.resource_type == ResourceType.PIPELINE and (change.message or "").startswith(RELEASED):
            _uses(change.settings or {}, f"pipeline {change.name}, released,", used, schema=True)
    for found in actual.pipelines.values():
        for pipeline in found:
            # The schema kind keeps a schema such pipelines publish into (kinds.schema._publishers).
            if pipeline.spec is not None and not is_managed(pipeline.tags, pack):
                _uses(pipeline.spec, f"pipeline {pipeline.name} (not this pack's)", used, schema=False)
    changes = [split for change in changes for split in _split_if_used(change, actual, used)]
    kept: list[Change] = []
    warnings: list[str] = []
    for change in changes:
        key = (
            _workspace_path(change.name)
            if change.resource_type == ResourceType.WORKSPACE_FILE
            else change.name
        )
        user = used.get(key) if change.resource_type in _USED_BY_PIPELINES else None
        if change.action == Action.DELETE and user is not None:
            warnings.append(f"{change.resource_type.value} {change.name} is kept: {user} still uses it")
            continue
        kept.append(change)
    return kept, warnings


def _split_if_used(change: Change, actual: ActualState, used: Mapping[str, str]) -> list[Change]:
    """A recursive delete of the code folder becomes per-file deletes when a file in it is used, so
    that file alone can be kept."""
    if not (
        change.action == Action.DELETE
        and change.resource_type == ResourceType.WORKSPACE_FILE
        and (change.settings or {}).get("recursive")
    ):
        return [change]
    folder = _workspace_path(change.name).rstrip("/") + "/"
    if not any(path.startswith(folder) for path in used):
        return [change]
    from sharepack.kinds.workspace_file import split_folder_delete

    return split_folder_delete(change, actual)


def _uses(settings: Mapping[str, Any], who: str, used: dict[str, str], *, schema: bool) -> None:
    for library in settings.get("libraries") or []:
        for entry in library.values():
            if isinstance(entry, dict) and entry.get("path"):
                used.setdefault(_workspace_path(str(entry["path"])), who)
    target = settings.get("schema") or settings.get("target")
    if schema and settings.get("catalog") and target:
        used.setdefault(f"{settings['catalog']}.{target}", who)


_USED_BY_PIPELINES = frozenset({ResourceType.WORKSPACE_FILE, ResourceType.SCHEMA})


def _workspace_path(path: str) -> str:
    # Libraries and listings spell one file with or without the /Workspace prefix.
    return path.removeprefix("/Workspace")


def _deleted(change: Change) -> Change:
    """--delete-adopted: a release becomes the delete it stood in for."""
    from dataclasses import replace

    from sharepack.kinds.base import RELEASED

    if change.action != Action.UPDATE or not (change.message or "").startswith(RELEASED):
        return change
    return replace(
        change, action=Action.DELETE, message="adopted by this pack; deleted as --delete-adopted asks"
    )
