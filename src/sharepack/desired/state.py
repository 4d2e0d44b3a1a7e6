"""A SharePack as the pipelines and jobs it declares, in the Databricks REST API's JSON shape.

Job settings refer to pipelines they run by name (`pipeline_ref`); the plan swaps in IDs once the
pipelines exist, so a plan can be built before any pipeline is created.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sharepack.pack.sync_rules import sync_mode
from sharepack.schedule.forms import AnySchedule, EmailNotifications
from sharepack.schedule.job_settings import job_trigger_settings, task_options
from sharepack.sync.code import (
    CODE_DIGEST_SETTING,
    digest,
    file_path,
    render,
    root_of,
    source_library,
    sync_spec,
    target_table,
)
from sharepack.workspace.ownership import PIPELINE_DIGEST_TAG, ownership_tags

if TYPE_CHECKING:
    from sharepack.pack import Pack, ResolvedPipeline

SCHEDULE_JOB_SUFFIX = "_schedule"
RUN_DATE_PARAMETER = {"name": "run_date", "default": "{{job.trigger.time.iso_date}}"}
PIPELINE_REF_PREFIX = "pipeline:"

_PIPELINE_ALERTS = {
    "on_failure": ["on-update-failure", "on-update-fatal-failure", "on-flow-failure"],
    "on_success": ["on-update-success"],
}


@dataclass(frozen=True)
class DesiredPipeline:
    name: str
    spec: Mapping[str, Any]
    digest: str
    schedule: AnySchedule | None = None


@dataclass(frozen=True)
class DesiredJob:
    name: str
    settings: Mapping[str, Any]
    pipelines: tuple[str, ...]  # names of the pipelines its tasks run, in task order
    schedule: AnySchedule | None = None
    carries_digest_of: str | None = None  # the pipeline whose schedule job this is


@dataclass(frozen=True)
class DesiredState:
    pack: str
    pipelines: tuple[DesiredPipeline, ...]
    jobs: tuple[DesiredJob, ...] = field(default_factory=tuple)
    # Every other kind's desired values, keyed by resource type (see sharepack.kinds).
    resources: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    # The pack's governance fields (requestor, approver_status...), said in the plan's header.
    governance: Mapping[str, str] = field(default_factory=dict)
    # Schedule jobs that must not exist (`schedule: {action: remove}`): deleted when ours.
    removed_jobs: tuple[str, ...] = ()

    def pipeline(self, name: str) -> DesiredPipeline | None:
        return next((p for p in self.pipelines if p.name == name), None)

    def resources_of(self, resource_type: str) -> tuple[Any, ...]:
        return self.resources.get(resource_type, ())


def schedule_job_name(pipeline_name: str) -> str:
    return f"{pipeline_name}{SCHEDULE_JOB_SUFFIX}"


def pipeline_ref(name: str) -> str:
    """The placeholder a job task holds until the pipeline's ID is known."""
    return f"{PIPELINE_REF_PREFIX}{name}"


def settings_digest(settings: Mapping[str, Any]) -> str:
    canonical = json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def desired_state(pack: Pack) -> DesiredState:
    # The ticket and requestor travel with everything the pack creates; ownership tags win.
    tags = {**pack.metadata.governance_tags, **ownership_tags(pack.name)}
    pipelines = tuple(_desired_pipeline(p, tags, pack.name, root_of(pack)) for p in pack.pipelines)
    targets_of = {p.name: _target_tables(p) for p in pack.pipelines}

    def tables_of_pipeline(name: str) -> list[str]:
        return targets_of.get(name, [])

    jobs: list[DesiredJob] = []
    for resolved, desired in zip(pack.pipelines, pipelines, strict=True):
        if resolved.schedule is None:
            continue
        jobs.append(
            _schedule_job(
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
            _schedule_job(
                name=orchestration.name,
                schedule=orchestration.schedule,
                tasks=[(t.pipeline, tuple(t.depends_on)) for t in orchestration.tasks],
                tags={**orchestration.tags, **tags},
                notifications=orchestration.notifications,
                tables_of_pipeline=tables_of_pipeline,
            )
        )
    from sharepack.kinds import desired_resources

    return DesiredState(
        pack=pack.name,
        pipelines=pipelines,
        jobs=tuple(jobs),
        resources=desired_resources(pack),
        governance=dict(pack.metadata.governance),
        removed_jobs=tuple(schedule_job_name(p.name) for p in pack.pipelines if p.remove_schedule),
    )


def _target_tables(pipeline: ResolvedPipeline) -> list[str]:
    return [f"{pipeline.catalog}.{pipeline.schema_name}.{target_table(pipeline)}"]


def _desired_pipeline(
    pipeline: ResolvedPipeline, ownership: Mapping[str, str], pack: str, root: str
) -> DesiredPipeline:
    spec: dict[str, Any] = {
        "name": pipeline.name,
        "catalog": pipeline.catalog,
        "schema": pipeline.schema_name,
        "serverless": pipeline.serverless,
        "development": pipeline.development,
        "continuous": pipeline.continuous,
        "configuration": {
            **({"sharepack.share": pipeline.share} if pipeline.share else {}),
            "sharepack.source_asset": pipeline.source_asset,
            **_sync_configuration(pipeline),
            **_code_digest(pipeline, pack),
            **pipeline.configuration,
        },
        "tags": {**pipeline.tags, **ownership},
    }
    if pipeline.libraries:
        spec["libraries"] = [dict(lib) for lib in pipeline.libraries]
    elif pipeline.pipeline_source:
        spec["libraries"] = [source_library(pipeline.pipeline_source)]
    elif sync_spec(pack, pipeline) is not None:
        # The source sharepack generates and uploads (kinds.workspace_file) is its code.
        spec["libraries"] = [{"file": {"path": file_path(pack, pipeline.name, root)}}]
    if pipeline.channel:
        spec["channel"] = pipeline.channel
    if pipeline.photon is not None:
        spec["photon"] = pipeline.photon
    if pipeline.edition:
        spec["edition"] = pipeline.edition
    notifications = _pipeline_notifications(pipeline.notifications)
    if notifications:
        spec["notifications"] = notifications
    return DesiredPipeline(
        name=pipeline.name, spec=spec, digest=settings_digest(spec), schedule=pipeline.schedule
    )


def _code_digest(pipeline: ResolvedPipeline, pack: str) -> dict[str, str]:
    """The digest of the generated code this pipeline runs: a code change is a settings change,
    so a schedule job's digest (`--trust-digest`) vouches for the uploaded file too."""
    spec = None if pipeline.libraries else sync_spec(pack, pipeline)
    return {CODE_DIGEST_SETTING: digest(render(spec))} if spec is not None else {}


def _sync_configuration(pipeline: ResolvedPipeline) -> dict[str, str]:
    """What the share-pack format's CDC notebook reads; only for pipelines that say how they sync,
    so the settings of every other pipeline (and their digests) stay as they were."""
    if not pipeline.cdc and not pipeline.pipeline_source:
        return {}
    config = {
        "pipelines.source_table": pipeline.source_asset,
        "pipelines.target_table": target_table(pipeline),
        # A team's own notebook is told the mode the generated code would use.
        "pipelines.scd_type": pipeline.scd_type if pipeline.cdc else sync_mode(pipeline),
    }
    if pipeline.key_columns:
        config["pipelines.keys"] = ",".join(pipeline.key_columns)
    return config


def _pipeline_notifications(notifications: EmailNotifications | None) -> list[dict[str, Any]]:
    if notifications is None:
        return []
    result = []
    for event, alerts in _PIPELINE_ALERTS.items():
        emails = getattr(notifications, event)
        if emails:
            result.append({"email_recipients": sorted(emails), "alerts": alerts})
    return result


def _schedule_job(
    *,
    name: str,
    schedule: AnySchedule | None,
    tasks: Sequence[tuple[str, tuple[str, ...]]],
    tags: Mapping[str, str],
    notifications: EmailNotifications | None,
    tables_of_pipeline: Callable[[str], list[str]],
    carries_digest_of: str | None = None,
) -> DesiredJob:
    settings: dict[str, Any] = {"name": name, "max_concurrent_runs": 1}
    per_task: dict[str, Any] = {}
    if schedule is not None:
        settings.update(job_trigger_settings(schedule, tables_of_pipeline=tables_of_pipeline))
        per_task = task_options(schedule)
    if notifications is not None and "email_notifications" not in settings:
        emails = {
            event: sorted(getattr(notifications, event))
            for event in ("on_start", "on_success", "on_failure")
            if getattr(notifications, event)
        }
        if emails:
            settings["email_notifications"] = emails
    settings["tags"] = {**settings.get("tags", {}), **tags}
    settings["parameters"] = [dict(RUN_DATE_PARAMETER)]
    settings["tasks"] = [
        {
            "task_key": _task_key(pipeline),
            "pipeline_task": {"pipeline_id": pipeline_ref(pipeline)},
            **({"depends_on": [{"task_key": _task_key(d)} for d in depends_on]} if depends_on else {}),
            **per_task,
        }
        for pipeline, depends_on in tasks
    ]
    return DesiredJob(
        name=name,
        settings=settings,
        pipelines=tuple(p for p, _ in tasks),
        schedule=schedule,
        carries_digest_of=carries_digest_of,
    )


def _task_key(pipeline_name: str) -> str:
    # Task keys allow [A-Za-z0-9_-] up to 100 characters (ASCII: isalnum() alone lets "é" through).
    from sharepack.pack.job_limits import task_key

    return task_key(pipeline_name)
