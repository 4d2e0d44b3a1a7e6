"""A SharePack after defaults, target and variables are applied: what the rest of sharepack reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sharepack.schedule.forms import AnySchedule, EmailNotifications

Mode = Literal["development", "production"]


@dataclass(frozen=True)
class PackMetadata:
    owner: str | None = None
    description: str | None = None
    workspace_url: str | None = None  # `local`: the embedded emulator


@dataclass(frozen=True)
class ResolvedTarget:
    name: str
    mode: Mode | None
    host: str | None
    profile: str | None
    name_prefix: str  # already in every pipeline and job name below


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

    def pipeline(self, name: str) -> ResolvedPipeline | None:
        """The pipeline with this final name."""
        return next((p for p in self.pipelines if p.name == name), None)
