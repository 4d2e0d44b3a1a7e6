"""What the workspace holds of a pack's generated code: one list of the pack's folder, then one export
per file that matters (declared, or a prune/destroy candidate), in parallel."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sharepack.changes.model import ResourceType
from sharepack.desired.files import SUBFOLDER, DesiredFile
from sharepack.sync.code import digest, pack_folder

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.desired.state import DesiredState

TYPE = ResourceType.WORKSPACE_FILE
READER = "workspace_files"


@dataclass(frozen=True)
class ActualFile:
    path: str
    content: str | None  # None: listed, not read (--trust-digest)

    def observed(self) -> str:
        # Shaped like a pipeline's `id:<id>[:<digest>]`: a read that did not export the file (under
        # --trust-digest, as the re-read under the deploy lock is) matches one that did.
        return "file:present" if self.content is None else f"file:present:{digest(self.content)}"


@dataclass(frozen=True)
class FileState:
    files: Mapping[str, ActualFile] = field(default_factory=dict)  # by path: what was exported
    listed: bool = False  # the pack's folder was listed whole (so orphans can be found)
    # What else the folder holds (sub-folders, notebooks): never ours, so the folder is never
    # deleted whole while one is there.
    others: tuple[str, ...] = ()


def file_state(actual: Any) -> FileState:
    state = getattr(actual, "resources", {}).get(READER)
    return state if isinstance(state, FileState) else FileState()


def folder_of(desired: DesiredState) -> str:
    """The pack's folder of generated code (the target's root; the default when nothing is
    generated any more — a pack that moved its root and dropped its code leaves the old folder)."""
    files: tuple[DesiredFile, ...] = desired.resources_of(TYPE.value)
    return files[0].folder if files else f"{pack_folder(desired.pack)}/{SUBFOLDER}"


class WorkspaceFileReader:
    name = READER
    # A destroy reads no declared file: the pipeline that runs it, proven ours by its tags, vouches
    # for it (see `_proven`), and a file nothing vouches for is read just before it is deleted.
    unread_on_destroy = True

    def read(
        self,
        client: WorkspaceClient,
        desired: DesiredState,
        *,
        complete: bool,
        parallelism: int,
        peers: Mapping[str, WorkspaceClient] | None = None,
        trust_digest: bool = False,
    ) -> FileState:
        from databricks.sdk.errors import NotFound

        declared = {f.name for f in desired.resources_of(TYPE.value)}
        if not declared and not complete:
            return FileState()
        folder = folder_of(desired)
        try:
            objects = [
                (_spelled_as(folder, o.path), str(getattr(o.object_type, "value", o.object_type)))
                for o in client.workspace.list(folder)
                if o.path
            ]
        except NotFound:
            return FileState(listed=True)  # no folder: nothing of ours is there
        listed = [path for path, kind in objects if kind == "FILE"]
        others = tuple(sorted(path for path, kind in objects if kind != "FILE"))
        wanted = sorted(p for p in listed if complete or p in declared)
        # Under --trust-digest (and the re-read under the deploy lock) a declared file is vouched
        # for by its pipeline's digest; only the undeclared ones, which may be orphans to prune,
        # must be read for their mark — so a destroy reads each file once, not twice.
        unread = [p for p in wanted if trust_digest and p in declared]
        with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
            read = list(pool.map(lambda p: export_file(client, p), [p for p in wanted if p not in unread]))
        files = [*read, *(ActualFile(p, None) for p in unread)]
        return FileState(files={f.path: f for f in files if f is not None}, listed=True, others=others)


def _spelled_as(folder: str, path: str) -> str:
    """`path` as listed, spelled as the folder that was listed: a workspace answers
    `/Shared/...` for a list of `/Workspace/Shared/...` (it drops the prefix), while the pack names
    its files with it."""
    if folder.startswith("/Workspace/") and not path.startswith("/Workspace/"):
        return "/Workspace" + path
    return path


def export_file(client: WorkspaceClient, path: str) -> ActualFile | None:
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.workspace import ExportFormat

    try:
        exported = client.workspace.export(path, format=ExportFormat.AUTO)
    except NotFound:
        return None  # deleted since it was listed
    text = base64.b64decode(exported.content or "").decode("utf-8", errors="replace")
    return ActualFile(path, text)
