"""What pipelines still use when a plan deletes: a released pipeline keeps running on the pack's
generated code and schema, and a pipeline not of this pack may run a file of ours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sharepack.changes.model import Action, Change, ResourceType
from sharepack.kinds.base import RELEASED
from sharepack.kinds.workspace_file import split_folder_delete
from sharepack.workspace.ownership import is_managed
from sharepack.workspace.state import ActualState


def keep_what_pipelines_use(
    changes: list[Change], actual: ActualState, pack: str
) -> tuple[list[Change], list[str]]:
    """A released pipeline keeps running: when adopted it was pointed at the pack's generated code
    and publishes into the pack's schema, so deleting either would break it at its next update
    (and drop its tables). Both are kept, each said in the plan; --delete-adopted deletes all.
    A file of ours that a pipeline not of this pack runs (one released earlier) is kept too."""
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
