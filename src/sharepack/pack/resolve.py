"""Apply pipeline_defaults, the chosen target and its mode to a validated SharePack.

Precedence for each pipeline setting, most specific first: the pipeline itself, the target's
`pipeline_defaults`, the pack's `pipeline_defaults`, the built-in default. The merge is shallow
except `tags` and `configuration`, which merge key by key; `notebook` and `libraries` are one
setting (the pipeline's code). Where each setting came from is kept, so that a check can point
at the line that set it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sharepack.pack.governance import governance_header, governance_tags
from sharepack.pack.models import Job, Library, Pipeline, PipelineSettings, Share, SharePack
from sharepack.pack.names import PACK_NAME_MAX
from sharepack.pack.positions import PositionIndex
from sharepack.pack.resolved import (
    OrchestrationTask,
    Pack,
    PackMetadata,
    ResolvedOrchestration,
    ResolvedPipeline,
    ResolvedPolicy,
    ResolvedTarget,
)
from sharepack.pack.sharing_resolve import resolve_sharing
from sharepack.pack.variables import LOCAL_TARGET, ChosenTarget
from sharepack.schedule.forms import AnySchedule, EventSchedule

YamlPath = tuple[str | int, ...]
# Where a pack's name comes from (said in the plan's header).
IDENTITY_NAME = "metadata.name"
IDENTITY_PROJECT = "metadata.project_name"
IDENTITY_FILE = "file name"
_MERGED_MAPS = ("tags", "configuration")
_CODE = ("notebook", "libraries")
# Keys only a pipeline itself has (not pipeline_defaults): read from the pipeline, not merged.
_OWN = frozenset(
    (
        "name_prefix",
        "source_asset",
        "target_asset",
        "scd_type",
        "key_columns",
        "ext_catalog_name",
        "ext_schema_name",
        "description",
        "comment",
    )
)


@dataclass(frozen=True)
class PipelineSource:
    """Where a resolved pipeline was declared, and where each of its settings came from."""

    path: YamlPath
    spec: Pipeline
    share: Share | None
    origins: dict[str, YamlPath]  # setting name (as written in YAML) -> path of the value


@dataclass(frozen=True)
class JobSource:
    path: YamlPath
    spec: Job


@dataclass(frozen=True)
class Resolution:
    pack: Pack
    pipelines: tuple[PipelineSource, ...]  # parallel to pack.pipelines
    jobs: tuple[JobSource, ...]  # parallel to pack.jobs


def resolve(
    spec: SharePack,
    *,
    path: Path,
    target: ChosenTarget | None,
    user: str,
    index: PositionIndex,
    removed_schedules: Collection[YamlPath] = (),
) -> Resolution:
    resolved_target = _target(spec, target, user)
    prefix = resolved_target.name_prefix if resolved_target else ""
    development = resolved_target is not None and resolved_target.mode == "development"
    layers: list[tuple[PipelineSettings, YamlPath]] = []
    if spec.pipeline_defaults is not None:
        layers.append((spec.pipeline_defaults, ("pipeline_defaults",)))
    if target is not None and target.declared:
        target_defaults = spec.targets[target.name].pipeline_defaults
        if target_defaults is not None:
            layers.append((target_defaults, ("targets", target.name, "pipeline_defaults")))

    declared: list[tuple[Pipeline, Share | None, YamlPath]] = []
    for s, declaring_share in enumerate(spec.share):
        for p, pipeline in enumerate(declaring_share.pipelines):
            declared.append((pipeline, declaring_share, ("share", s, "pipelines", p)))
    for p, pipeline in enumerate(spec.pipelines):
        declared.append((pipeline, None, ("pipelines", p)))
    final_names = {pipeline.name_prefix: prefix + pipeline.name_prefix for pipeline, _, _ in declared}

    def final_schedule(schedule: AnySchedule | None) -> AnySchedule | None:
        if schedule is None:
            return None
        if isinstance(schedule, EventSchedule) and schedule.on.pipeline_updated in final_names:
            on = schedule.on.model_copy(
                update={"pipeline_updated": final_names[schedule.on.pipeline_updated]}
            )
            schedule = schedule.model_copy(update={"on": on})
        return schedule.model_copy(update={"paused": True}) if development else schedule

    pipelines: list[ResolvedPipeline] = []
    sources: list[PipelineSource] = []
    for pipeline, share, pipeline_path in declared:
        values, origins = _merged_settings([*layers, (pipeline, pipeline_path)])
        for key, alias in (("catalog", "ext_catalog_name"), ("schema", "ext_schema_name")):
            # The format's per-pipeline override is the pipeline's own catalog (schema).
            field_name = "schema_name" if key == "schema" else key
            if alias in pipeline.model_fields_set and field_name not in pipeline.model_fields_set:
                values[field_name] = getattr(pipeline, alias)
                origins[key] = (*pipeline_path, alias)
        removed = pipeline_path in removed_schedules
        if removed:
            values.pop("schedule", None)  # not even pipeline_defaults' schedule: no job at all
        catalog, schema = _target_schema(values, pipeline, share)
        libraries: list[Library] = values.get("libraries", [])
        pipelines.append(
            ResolvedPipeline(
                name=final_names[pipeline.name_prefix],
                declared_name=pipeline.name_prefix,
                share=share.name if share else None,
                source_asset=pipeline.source_asset,
                catalog=catalog,
                schema_name=schema,
                serverless=values.get("serverless", True),
                libraries=tuple(_library_json(library) for library in libraries),
                configuration=dict(values.get("configuration", {})),
                channel=values.get("channel"),
                development=True if development else values.get("development", False),
                continuous=values.get("continuous", False),
                photon=values.get("photon"),
                edition=values.get("edition"),
                tags=dict(values.get("tags", {})),
                notifications=values.get("notification"),
                schedule=final_schedule(values.get("schedule")),
                location=index.position(pipeline_path),
                remove_schedule=removed,
                **_sync_keys(pipeline),
            )
        )
        sources.append(PipelineSource(pipeline_path, pipeline, share, origins))

    jobs: list[ResolvedOrchestration] = []
    job_sources: list[JobSource] = []
    for name, job in spec.jobs.items():
        job_path: YamlPath = ("jobs", name)
        jobs.append(
            ResolvedOrchestration(
                name=prefix + name,
                declared_name=name,
                schedule=final_schedule(job.schedule),
                tasks=_tasks(job, final_names),
                tags=dict(job.tags),
                notifications=job.notification,
                location=index.key_position(job_path),
            )
        )
        job_sources.append(JobSource(job_path, job))

    shares, recipients = resolve_sharing(spec, prefix, index)
    name, identity = _pack_name(spec, path)
    pack = Pack(
        name=name,
        identity=identity,
        path=path,
        metadata=_metadata(spec),
        target=resolved_target,
        pipelines=tuple(pipelines),
        jobs=tuple(jobs),
        policy=_policy(spec),
        shares=shares,
        recipients=recipients,
    )
    return Resolution(pack, tuple(sources), tuple(job_sources))


def _metadata(spec: SharePack) -> PackMetadata:
    metadata = spec.metadata
    if metadata is None:
        return PackMetadata()
    return PackMetadata(
        owner=metadata.owner,
        description=metadata.description,
        workspace_url=metadata.workspace_url,
        governance=governance_header(metadata),
        governance_tags=governance_tags(metadata),
        approver_status=metadata.approver_status,
        strategy=metadata.strategy or "NEW",
        project_name=metadata.project_name,
    )


def _sync_keys(pipeline: Pipeline) -> dict[str, Any]:
    """The format's sync keys; `cdc` when the pipeline uses any of them (SCD 2 is their default)."""
    written = pipeline.model_fields_set
    scd_type = pipeline.scd_type or "2"
    if scd_type == "1" and not pipeline.key_columns:
        scd_type = "full_refresh"  # nothing to merge on: a full copy (format_checks says so)
    return {
        "target_asset": pipeline.target_asset,
        "scd_type": scd_type,
        "key_columns": tuple(pipeline.key_columns or ()),
        "cdc": bool(written & {"target_asset", "scd_type", "key_columns"}),
        "pipeline_source": pipeline.pipeline_source,
        "description": pipeline.description if pipeline.description is not None else pipeline.comment,
    }


def pack_identity(name: str | None, project_name: str | None, path: Path) -> tuple[str, str]:
    """The pack's name and where it comes from: `metadata.name`, else a slug of
    `metadata.project_name` (so the NEW and UPDATE files of one project are one pack), else the
    file name (which a rename changes: everything the pack made would then be another pack's)."""
    if name is not None:
        return name, IDENTITY_NAME
    slug = project_slug(project_name or "")
    if slug:
        return slug, IDENTITY_PROJECT
    return path.stem, IDENTITY_FILE


def project_slug(project_name: str) -> str:
    """ "Q1 2025 Finance Reporting" -> "q1_2025_finance_reporting" (a valid pack name, or "")."""
    slug = re.sub(r"[^a-z0-9]+", "_", project_name.lower()).strip("_")
    return slug[:PACK_NAME_MAX].rstrip("_")


def _pack_name(spec: SharePack, path: Path) -> tuple[str, str]:
    metadata = spec.metadata
    if metadata is None:
        return path.stem, IDENTITY_FILE
    return pack_identity(metadata.name, metadata.project_name, path)


def _policy(spec: SharePack) -> ResolvedPolicy:
    from sharepack.schedule.durations import duration_seconds

    if spec.policy is None or spec.policy.min_interval is None:
        return ResolvedPolicy()
    return ResolvedPolicy(spec.policy.min_interval, duration_seconds(spec.policy.min_interval))


def _target(spec: SharePack, chosen: ChosenTarget | None, user: str) -> ResolvedTarget | None:
    if chosen is None:
        return None
    if not chosen.declared:
        return ResolvedTarget(LOCAL_TARGET, None, LOCAL_TARGET, None, "")
    target = spec.targets[chosen.name]
    workspace = target.workspace
    host = workspace.host if workspace else None
    if host is None and chosen.name == LOCAL_TARGET:
        host = LOCAL_TARGET
    if target.name_prefix is not None:
        prefix = target.name_prefix
    else:
        prefix = f"dev_{user}_" if target.mode == "development" else ""
    return ResolvedTarget(
        name=chosen.name,
        mode=target.mode,
        host=host,
        profile=workspace.profile if workspace else None,
        name_prefix=prefix,
        root_path=workspace.root_path if workspace else None,
    )


def _merged_settings(
    layers: list[tuple[PipelineSettings, YamlPath]],
) -> tuple[dict[str, Any], dict[str, YamlPath]]:
    values: dict[str, Any] = {}
    origins: dict[str, YamlPath] = {}
    for settings, path in layers:
        written = settings.model_fields_set
        for name in written:
            if name in _OWN or name in _CODE:
                continue
            key = "schema" if name == "schema_name" else name
            value = getattr(settings, name)
            if name in _MERGED_MAPS:
                values[name] = {**values.get(name, {}), **value}
                for item in value:
                    origins[f"{key}.{item}"] = (*path, key, item)
            else:
                values[name] = value
            origins[key] = (*path, key)
        if written & set(_CODE):
            code = [Library(notebook=settings.notebook)] if settings.notebook is not None else []
            values["libraries"] = code + list(settings.libraries)
            origins["libraries"] = (*path, "libraries" if "libraries" in written else "notebook")
    return values, origins


def _target_schema(values: dict[str, Any], pipeline: Pipeline, share: Share | None) -> tuple[str, str]:
    """Where the pipeline publishes: as set, else the share's `delta_share`, else the source's schema."""
    parts = [part.strip("`") for part in pipeline.source_asset.split(".")]
    source_catalog = parts[0] if len(parts) == 3 else ""
    source_schema = parts[1] if len(parts) == 3 else ""
    publish = share.delta_share if share else None
    catalog = values.get("catalog") or (publish.ext_catalog_name if publish else None) or source_catalog
    schema = values.get("schema_name") or (publish.ext_schema_name if publish else None) or source_schema
    return catalog, schema


def _library_json(library: Library) -> dict[str, Any]:
    if library.notebook is not None:
        return {"notebook": {"path": library.notebook}}
    if library.file is not None:
        return {"file": {"path": library.file}}
    return {"glob": {"include": library.glob}}


def _tasks(job: Job, final_names: dict[str, str]) -> tuple[OrchestrationTask, ...]:
    def final(name: str) -> str:
        return final_names.get(name, name)

    if job.pipelines is not None:
        names = [final(name) for name in job.pipelines]
        return tuple(OrchestrationTask(name, (names[i - 1],) if i else ()) for i, name in enumerate(names))
    return tuple(
        OrchestrationTask(final(task.pipeline), tuple(final(d) for d in task.depends_on))
        for task in job.tasks or []
    )
