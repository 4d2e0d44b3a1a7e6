"""Is the code a pipeline will run in the workspace? Checked for the pipelines a plan creates or
changes, with one read per distinct path, in parallel.

Databricks accepts a pipeline whose notebook or file is missing and fails its first update, so
this is a warning on the pipeline's change, not an error: the code may be uploaded by another
tool later in the same release. Code sharepack uploads itself (generated sync code) is planned
in the same plan and never checked. A plan with no pipeline changes reads nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sharepack.changes.model import Action, Plan, ResourceType

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.desired.state import DesiredState

_CHECKED = frozenset({Action.CREATE, Action.UPDATE, Action.ADOPT})


def code_paths(settings: Mapping[str, Any] | None) -> list[str]:
    """The workspace notebooks and files a pipeline's libraries name (globs left out: they name
    whatever a folder holds)."""
    paths = []
    for library in (settings or {}).get("libraries") or ():
        for kind in ("notebook", "file"):
            path = ((library or {}).get(kind) or {}).get("path")
            if path and "*" not in str(path):
                paths.append(str(path))
    return paths


def with_code_warnings(plan: Plan, client: WorkspaceClient, desired: DesiredState, parallelism: int) -> Plan:
    """The plan, warned of each created or changed pipeline's code that is not in the workspace."""
    wanted = {
        c.name: code_paths(c.settings)
        for c in plan.changes
        if c.resource_type is ResourceType.PIPELINE and c.action in _CHECKED
    }
    notes = tuple(
        f"pipeline {name}: its code {path} is not in the workspace: its updates fail until it is uploaded"
        for name, path in missing_code(client, wanted, desired, parallelism)
    )
    return replace(plan, warnings=(*plan.warnings, *notes)) if notes else plan


def missing_code(
    client: WorkspaceClient, wanted: Mapping[str, list[str]], desired: DesiredState, parallelism: int
) -> list[tuple[str, str]]:
    """(pipeline, path) of the code named in `wanted` (by pipeline) that is not in the workspace,
    leaving out the generated code the pack uploads itself."""
    planned = {_canonical(f.name) for f in desired.resources_of(ResourceType.WORKSPACE_FILE.value)}
    paths = sorted({p for ps in wanted.values() for p in ps if _canonical(p) not in planned})
    if not paths:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(paths)))) as pool:
        found = dict(zip(paths, pool.map(lambda p: _exists(client, p), paths), strict=True))
    return [(name, p) for name, ps in wanted.items() for p in ps if found.get(p) is False]


def _canonical(path: str) -> str:
    """`/Workspace/Shared/x` and `/Shared/x` are one object."""
    return path[len("/Workspace") :] if path.startswith("/Workspace/") else path


def _exists(client: WorkspaceClient, path: str) -> bool | None:
    """Whether the path is in the workspace; None when the workspace would not say."""
    from databricks.sdk.errors import NotFound, PermissionDenied

    try:
        client.workspace.get_status(path)
    except NotFound:
        return False
    except PermissionDenied:
        return None
    return True
