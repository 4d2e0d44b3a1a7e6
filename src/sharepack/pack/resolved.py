"""A SharePack after defaults, target and variables are applied: what the rest of sharepack reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sharepack.errors import SpecProblem
from sharepack.schedule.forms import AnySchedule, EmailNotifications

Mode = Literal["development", "production"]


@dataclass(frozen=True)
class PackMetadata:
    owner: str | None = None
    description: str | None = None
    workspace_url: str | None = None  # `local`: the embedded emulator
    # The governance fields given (requestor, approver_status, servicenow...), for the plan header.
    governance: dict[str, str] = field(default_factory=dict)
    governance_tags: dict[str, str] = field(default_factory=dict)  # ticket and requestor, as tags
    approver_status: str | None = None  # None: the pack says nothing, so nothing is gated
    strategy: str = "NEW"  # NEW, UPDATE (create nothing) or DELETE (plan the destruction)
    project_name: str | None = None


@dataclass(frozen=True)
class ResolvedTarget:
    name: str
    mode: Mode | None
    host: str | None
    profile: str | None
    name_prefix: str  # already in every pipeline and job name below
    root_path: str | None = None  # where generated code is uploaded; None: sync.code.DEFAULT_ROOT


@dataclass(frozen=True)
class ResolvedPolicy:
    min_interval: str | None = None
    min_interval_seconds: int | None = None


@dataclass(frozen=True)
class ResolvedPipeline:
    name: str  # final name, with the target's prefix
    declared_name: str  # `name_prefix` as written
    share: str | None  # None for a pipeline declared outside any share
    source_asset: str
    catalog: str
    schema_name: str
    serverless: bool
    libraries: tuple[dict[str, Any], ...]  # Pipelines API shape: {"notebook": {"path": ...}}
    configuration: dict[str, str]
    channel: str | None
    development: bool
    continuous: bool
    photon: bool | None
    edition: str | None
    tags: dict[str, str]
    notifications: EmailNotifications | None
    schedule: AnySchedule | None  # paused already when the target is in development mode
    location: tuple[int, int]  # (line, column) of the pipeline in the file
    # The sync keys of the share-pack format; `cdc` says the pack used them, and only then are
    # they in the pipeline's configuration (so packs that do not use them plan as before).
    target_asset: str | None = None
    scd_type: str = "2"
    key_columns: tuple[str, ...] = ()
    cdc: bool = False
    pipeline_source: str | None = None  # the team's own sync notebook/file, run instead of generated code
    description: str | None = None  # Databricks pipelines have no description: kept, not sent
    # `schedule: {action: remove}`: its `<name>_schedule` job must not exist (deleted if ours).
    remove_schedule: bool = False


@dataclass(frozen=True)
class OrchestrationTask:
    pipeline: str  # final pipeline name
    depends_on: tuple[str, ...] = ()  # final pipeline names


@dataclass(frozen=True)
class ResolvedOrchestration:
    name: str  # final job name, with the target's prefix
    declared_name: str
    schedule: AnySchedule | None
    tasks: tuple[OrchestrationTask, ...]
    tags: dict[str, str]
    notifications: EmailNotifications | None
    location: tuple[int, int]


AssetType = Literal["TABLE", "SCHEMA", "VIEW", "MATERIALIZED_VIEW", "STREAMING_TABLE", "MODEL", "VOLUME"]
RecipientType = Literal["D2D", "D2O"]


@dataclass(frozen=True)
class ResolvedAsset:
    """One data object of a share, identified by `name` within it."""

    name: str  # catalog.schema.table (catalog.schema for a SCHEMA)
    type: AssetType = "TABLE"
    shared_as: str | None = None  # None: the server's default (schema.table)
    history: bool | None = None  # history_data_sharing_status; None: not managed (server default)
    cdf: bool | None = None  # cdf_enabled; None: not managed
    location: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ResolvedMount:
    """The share mounted as a read-only catalog in the recipient's workspace (D2D only)."""

    target: str  # a target of this pack whose workspace is the recipient's
    catalog: str
    location: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ResolvedShare:
    name: str  # final name, with the target's prefix
    declared_name: str
    comment: str | None
    assets: tuple[ResolvedAsset, ...]
    recipients: tuple[str, ...]  # final recipient names granted SELECT
    mount: ResolvedMount | None = None
    location: tuple[int, int] = (0, 0)
    # False when the pack gave change lists only: objects (grants) it does not name are left alone.
    assets_complete: bool = True
    absent_assets: tuple[str, ...] = ()  # `share_assets_to_remove`: must not be in the share
    recipients_complete: bool = True
    absent_recipients: tuple[str, ...] = ()  # `recipients_to_remove`: grants to revoke
    tags: tuple[str, ...] = ()  # `delta_share.tags`: words kept with the pack (shares carry no tags)


@dataclass(frozen=True)
class ResolvedRecipient:
    name: str  # final name, with the target's prefix
    declared_name: str
    type: RecipientType
    email: str | None = None  # `recipient:` the contact e-mail
    comment: str | None = None
    databricks_org: str | None = None  # D2D: the recipient metastore's global ID
    ips: tuple[str, ...] | None = None  # D2O: the full IP allow list; None: not managed
    token_expiry_days: int | None = None  # D2O: applied at creation only
    location: tuple[int, int] = (0, 0)
    ips_complete: bool = True  # False: `ips` are addresses to add, others are left as they are
    absent_ips: tuple[str, ...] = ()  # `recipient_ips_to_remove`


@dataclass(frozen=True)
class Pack:
    name: str
    path: Path
    metadata: PackMetadata
    target: ResolvedTarget | None
    pipelines: tuple[ResolvedPipeline, ...]
    jobs: tuple[ResolvedOrchestration, ...] = ()
    policy: ResolvedPolicy = field(default_factory=ResolvedPolicy)
    shares: tuple[ResolvedShare, ...] = ()  # Delta Sharing: what the pack shares, with grants
    recipients: tuple[ResolvedRecipient, ...] = ()
    notices: tuple[SpecProblem, ...] = ()  # accepted, with a better way to say it (not errors)
    identity: str = "metadata.name"  # where `name` comes from: metadata.name, .project_name, file name

    def pipeline(self, name: str) -> ResolvedPipeline | None:
        """The pipeline with this final name."""
        return next((p for p in self.pipelines if p.name == name), None)
