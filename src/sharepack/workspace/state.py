"""What the workspace holds, as plain values: read by `kinds.reading`, diffed by `plan`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sharepack.workspace.ownership import PIPELINE_DIGEST_TAG, is_managed


@dataclass(frozen=True)
class ActualPipeline:
    pipeline_id: str
    name: str
    spec: Mapping[str, Any] | None = None  # None until fetched: list responses carry no settings

    @property
    def tags(self) -> Mapping[str, str]:
        return (self.spec or {}).get("tags") or {}


@dataclass(frozen=True)
class ActualJob:
    job_id: int
    name: str
    settings: Mapping[str, Any]

    @property
    def tags(self) -> Mapping[str, str]:
        return self.settings.get("tags") or {}

    def is_managed(self, pack: str | None = None) -> bool:
        return is_managed(self.tags, pack)

    @property
    def pipeline_digest(self) -> str | None:
        return self.tags.get(PIPELINE_DIGEST_TAG)

    @property
    def pipeline_ids(self) -> tuple[str, ...]:
        return tuple(
            str(t["pipeline_task"]["pipeline_id"])
            for t in self.settings.get("tasks") or []
            if isinstance(t.get("pipeline_task"), Mapping) and t["pipeline_task"].get("pipeline_id")
        )


@dataclass(frozen=True)
class ActualState:
    """Resources found, by exact name. `complete` means every job in the workspace was listed,
    so resources of ours that the pack no longer declares can be found (prune, destroy)."""

    pipelines: Mapping[str, tuple[ActualPipeline, ...]] = field(default_factory=dict)
    jobs: Mapping[str, tuple[ActualJob, ...]] = field(default_factory=dict)
    complete: bool = False
    # Other kinds' state, keyed by the reader that read it (see sharepack.kinds.READERS).
    resources: Mapping[str, Any] = field(default_factory=dict)

    def pipelines_named(self, name: str) -> tuple[ActualPipeline, ...]:
        return self.pipelines.get(name, ())

    def jobs_named(self, name: str) -> tuple[ActualJob, ...]:
        return self.jobs.get(name, ())

    def pipeline_by_id(self, pipeline_id: str) -> ActualPipeline | None:
        for candidates in self.pipelines.values():
            for pipeline in candidates:
                if pipeline.pipeline_id == pipeline_id:
                    return pipeline
        return None
