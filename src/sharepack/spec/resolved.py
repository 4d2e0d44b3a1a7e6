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


@dataclass(frozen=True)
class Pack:
    name: str
    path: Path
    metadata: PackMetadata
    target: ResolvedTarget | None
    pipelines: tuple[ResolvedPipeline, ...]
    jobs: tuple[ResolvedOrchestration, ...] = ()
    policy: ResolvedPolicy = field(default_factory=ResolvedPolicy)

    def pipeline(self, name: str) -> ResolvedPipeline | None:
        """The pipeline with this final name."""
        return next((p for p in self.pipelines if p.name == name), None)
