"""A pack as everything it wants to exist: the desired state every plan starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharepack.changes.model import ResourceType
from sharepack.desired.files import desired_files
from sharepack.desired.jobs import schedule_job
from sharepack.desired.pipelines import desired_pipeline, target_tables
from sharepack.desired.schemas import desired_schemas
from sharepack.desired.sharing import desired_mounts, desired_recipients, desired_shares
from sharepack.desired.state import DesiredJob, DesiredState, schedule_job_name
from sharepack.sync.checks import RESOURCE, desired_sources
from sharepack.sync.code import root_of
from sharepack.workspace.ownership import PIPELINE_DIGEST_TAG, ownership_tags

if TYPE_CHECKING:
    from sharepack.pack import Pack


def desired_state(pack: Pack) -> DesiredState:
    # The ticket and requestor travel with everything the pack creates; ownership tags win.
    tags = {**pack.metadata.governance_tags, **ownership_tags(pack.name)}
    pipelines = tuple(desired_pipeline(p, tags, pack.name, root_of(pack)) for p in pack.pipelines)
    targets_of = {p.name: target_tables(p) for p in pack.pipelines}

    def tables_of_pipeline(name: str) -> list[str]:
        return targets_of.get(name, [])

    jobs: list[DesiredJob] = []
    for resolved, desired in zip(pack.pipelines, pipelines, strict=True):
        if resolved.schedule is None:
            continue
        jobs.append(
            schedule_job(
                name=schedule_job_name(resolved.name),
                schedule=resolved.schedule,
                tasks=[(resolved.name, ())],
                tags={**resolved.tags, **tags, PIPELINE_DIGEST_TAG: desired.digest},
                notifications=resolved.notifications,
                tables_of_pipeline=tables_of_pipeline,
                carries_digest_of=resolved.name,
            )
        )
    for orchestration in pack.jobs:
        jobs.append(
            schedule_job(
                name=orchestration.name,
                schedule=orchestration.schedule,
                tasks=[(t.pipeline, tuple(t.depends_on)) for t in orchestration.tasks],
                tags={**orchestration.tags, **tags},
                notifications=orchestration.notifications,
                tables_of_pipeline=tables_of_pipeline,
            )
        )
    return DesiredState(
        pack=pack.name,
        pipelines=pipelines,
        jobs=tuple(jobs),
        resources={
            ResourceType.RECIPIENT.value: desired_recipients(pack),
            ResourceType.SHARE.value: desired_shares(pack),
            ResourceType.CATALOG.value: desired_mounts(pack.shares),
            ResourceType.WORKSPACE_FILE.value: desired_files(pack),
            ResourceType.SCHEMA.value: desired_schemas(pack),
            RESOURCE: desired_sources(pack),  # checked at plan time, never written
        },
        governance=dict(pack.metadata.governance),
        removed_jobs=tuple(schedule_job_name(p.name) for p in pack.pipelines if p.remove_schedule),
    )
