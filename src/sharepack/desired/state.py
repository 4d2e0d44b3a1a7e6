"""What a pack wants to exist: its pipelines and jobs in the Databricks REST API's JSON shape, and
every other kind's desired values.

Job settings refer to pipelines they run by name (`pipeline_ref`); the plan swaps in IDs once the
pipelines exist, so a plan can be built before any pipeline is created.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sharepack.schedule.forms import AnySchedule

SCHEDULE_JOB_SUFFIX = "_schedule"
PIPELINE_REF_PREFIX = "pipeline:"


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
