"""A pipeline's generated source, uploaded as a workspace file: identity by its path.

Where: `<root>/<pack>/pipelines/<pipeline>.py` (see `sync.code.file_path`). Ours when both hold:
the path lies under the pack's folder, and the file's first line is the pack's mark
(`# managed by sharepack, pack <name>`) — a file there without the mark is adopted, one with
another pack's mark is left alone, and only files with our mark are ever deleted.

Reading: one list of the pack's folder (a fresh pack: one 404, nothing more), then one export per
file found that matters (declared, or a prune/destroy candidate), in parallel. The workspace
keeps no digest of a file (get-status has none), so its content is read and digested here;
a file's content is small and we need the text anyway, to show the plan's diff. Under
`--trust-digest` a declared file that is listed is not read: the pipeline's configuration
carries the digest of the code last uploaded for it (`sharepack.code_digest`), and the schedule
job's digest (or the pipeline's own settings, when fetched) vouches for that — like the pipeline
itself, a file edited by hand is then not seen.
"""

from __future__ import annotations

import base64
import contextlib
import difflib
from collections.abc import Set
from typing import TYPE_CHECKING

from sharepack.changes.diff import FieldChange
from sharepack.changes.model import Action, Change, ResourceType
from sharepack.desired.files import DesiredFile
from sharepack.kinds.base import KindDefaults, PlanInput, PlanOutput, WriteContext, Written
from sharepack.kinds.workspace_file_state import ActualFile, FileState, export_file, file_state, folder_of
from sharepack.sync.code import digest, owner_of

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState

TYPE = ResourceType.WORKSPACE_FILE
DIFF_LINES = 200  # a plan shows at most this much of one file's diff


class WorkspaceFileKind(KindDefaults):
    resource_type = TYPE
    rank = 45  # before the pipelines that run it; deleted after them
    fatal = True
    label = "pipeline code"

    def plan(self, given: PlanInput) -> PlanOutput:
        state = file_state(given.actual)
        pack = given.desired.pack
        files: tuple[DesiredFile, ...] = given.desired.resources_of(TYPE.value)
        changes = [
            _change(f, state.files.get(f.name), pack, given)
            for f in files
            if given.selected(f.name, f.pipeline)
        ]
        declared = {f.name for f in files}
        orphans = [
            _delete(found, pack, "no longer declared in the SharePack")
            for path, found in sorted(state.files.items())
            if path not in declared and _ours(found, folder_of(given.desired), pack) and given.selected(path)
        ]
        if orphans and not given.prune:
            names = ", ".join(c.name for c in orphans)
            warning = (
                f"{len(orphans)} generated file(s) of this SharePack are no longer declared ({names}); "
                "run with --prune to delete them"
            )
            return PlanOutput(tuple(changes), (warning,))
        if orphans and not changes:
            # The pack generates no code any more: its folder goes in one call if all of it is ours.
            found = [state.files[c.name] for c in orphans]
            whole = _folder_delete(state, folder_of(given.desired), pack, found)
            if whole is not None:
                return PlanOutput((whole,))
        return PlanOutput((*changes, *orphans))

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        state = file_state(actual)
        folder = folder_of(desired)
        proven = _proven(desired, actual)
        ours = [
            f for _, f in sorted(state.files.items()) if _ours(f, folder, desired.pack) or f.path in proven
        ]
        whole = _folder_delete(state, folder, desired.pack, ours)
        if whole is not None:
            return PlanOutput((whole,))
        changes = [_delete(f, desired.pack, None) for f in ours]
        changes += [
            # Declared, not read (a destroy reads none), and no pipeline of ours vouches for it (an
            # earlier destroy deleted it, say): its mark is read just before it would be deleted.
            _delete(f, desired.pack, None, check_mark=True)
            for _, f in sorted(state.files.items())
            if f.content is None and f.path not in proven and f.path.startswith(folder + "/")
        ]
        return PlanOutput(tuple(changes))

    def observed(self, change: Change, actual: ActualState) -> str:
        state = file_state(actual)
        if (change.settings or {}).get("recursive"):
            return _folder_observed(state)
        found = state.files.get(change.name)
        return found.observed() if found else "absent"

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        return set()

    def depends_on(self, change: Change) -> set[str]:
        return set()

    def write(self, change: Change, context: WriteContext) -> Written:
        client = context.writer.client
        if change.action == Action.DELETE:
            from databricks.sdk.errors import NotFound

            settings = change.settings or {}
            with contextlib.suppress(NotFound):  # already gone: the goal is reached
                if settings.get("check_mark"):
                    found = export_file(client, change.name)
                    if found is None or owner_of(found.content or "") != change.pack:
                        return Written(change.name)  # not ours after all: left as it is
                client.workspace.delete(change.name, recursive=bool(settings.get("recursive")))
            return Written(change.name)
        assert change.settings is not None
        _upload(client, change.name, str(change.settings["content"]))
        return Written(change.name)


def _upload(client: WorkspaceClient, path: str, content: str) -> None:
    """Overwrite the file (an upload is idempotent); make its folder only when it is missing,
    so an apply of many files costs one request per file, not two."""
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.workspace import ImportFormat

    from sharepack.errors import WorkspaceError
    from sharepack.workspace.write import api_message

    encoded = base64.b64encode(content.encode()).decode()

    def upload() -> None:
        # RAW: always a workspace file, never turned into a notebook (its extension kept).
        client.workspace.import_(path, content=encoded, format=ImportFormat.RAW, overwrite=True)

    try:
        try:
            upload()
        except NotFound:
            client.workspace.mkdirs(path.rsplit("/", 1)[0])
            upload()
    except Exception as exc:
        raise WorkspaceError(f"uploading {path}: {api_message(exc)}") from None


def _ours(found: ActualFile, folder: str, pack: str) -> bool:
    return (
        found.content is not None and found.path.startswith(folder + "/") and owner_of(found.content) == pack
    )


def _vouched(file: DesiredFile, given: PlanInput) -> bool:
    """--trust-digest: the pipeline's settings say this very code was the last one uploaded."""
    from sharepack.kinds.pipeline_digest import trusted_by_digest
    from sharepack.sync.code import CODE_DIGEST_SETTING

    pipeline = given.desired.pipeline(file.pipeline)
    found = given.actual.pipelines_named(file.pipeline)
    if pipeline is None or len(found) != 1:
        return False
    if found[0].spec is None:  # not fetched: its schedule job's digest vouched for its settings
        return trusted_by_digest(pipeline, found[0], given.desired, given.actual)
    recorded = (found[0].spec.get("configuration") or {}).get(CODE_DIGEST_SETTING)
    return bool(recorded == digest(file.content))


def _delete(found: ActualFile, pack: str, message: str | None, *, check_mark: bool = False) -> Change:
    return Change(
        Action.DELETE,
        TYPE,
        found.path,
        pack,
        id=found.path,
        observed=found.observed(),
        message=message,
        settings={"check_mark": True} if check_mark else None,
    )


def _proven(desired: DesiredState, actual: ActualState) -> set[str]:
    """The declared files that a pipeline proven ours (read, with this pack's tags) runs: they are
    its generated code, at its path in the pack's folder, so they are ours without being read."""
    from sharepack.sync.presence import code_paths
    from sharepack.workspace.ownership import is_managed

    proven = set()
    for file in desired.resources_of(TYPE.value):
        found = actual.pipelines_named(file.pipeline)
        if len(found) != 1 or found[0].spec is None or not is_managed(found[0].tags, desired.pack):
            continue
        if any(_canonical_path(p) == _canonical_path(file.name) for p in code_paths(found[0].spec)):
            proven.add(file.name)
    return proven


def _canonical_path(path: str) -> str:
    return path.removeprefix("/Workspace")


def _folder_observed(state: FileState) -> str:
    """The folder as listed: another file put in it since the plan stops a recursive delete."""
    listed = "\n".join(sorted([*state.files, *state.others]))
    return f"folder:{len(state.files) + len(state.others)}:{digest(listed)}"


def split_folder_delete(change: Change, actual: ActualState) -> list[Change]:
    """A recursive delete of the pack's code folder as one delete per file in it: when one of them
    must be kept (a released pipeline still runs it), the folder cannot go in one call."""
    folder = change.name.rstrip("/")
    files = sorted(file_state(actual).files.items())
    return [_delete(f, change.pack, None) for _, f in files if f.path.startswith(folder + "/")]


def _folder_delete(state: FileState, folder: str, pack: str, ours: list[ActualFile]) -> Change | None:
    """One recursive delete of the pack's code folder, when all it holds is known to be ours;
    None when anything else is in it (then each file of ours is deleted on its own)."""
    if not state.listed or state.others or len(ours) < 2 or len(ours) != len(state.files):
        return None
    if any(not f.path.startswith(folder + "/") or "/" in f.path[len(folder) + 1 :] for f in ours):
        return None
    return Change(
        Action.DELETE,
        TYPE,
        folder,
        pack,
        id=folder,
        observed=_folder_observed(state),
        settings={"recursive": True, "files": len(ours)},
        details=(
            f"the pack's code folder: its {len(ours)} generated files, all of this pack, in one delete",
        ),
    )


def _change(file: DesiredFile, found: ActualFile | None, pack: str, given: PlanInput) -> Change:
    settings = {"pipeline": file.pipeline, "content": file.content}
    after = digest(file.content)
    if found is None:
        lines = file.content.count("\n")
        return Change(
            Action.CREATE,
            TYPE,
            file.name,
            pack,
            settings=settings,
            details=(f"generated source of pipeline {file.pipeline}: {lines} lines (sharepack render)",),
        )
    observed = found.observed()
    if found.content is None:
        if _vouched(file, given):
            return Change(Action.NOOP, TYPE, file.name, pack, id=file.name, observed=observed)
        return Change(
            Action.UPDATE,
            TYPE,
            file.name,
            pack,
            id=file.name,
            observed=observed,
            settings=settings,
            details=("not read (--trust-digest) and not vouched for: uploaded again",),
        )
    owner = owner_of(found.content)
    if owner is not None and owner != pack:
        return Change(
            Action.CONFLICT,
            TYPE,
            file.name,
            pack,
            id=file.name,
            observed=observed,
            message=f"{file.name} carries the mark of SharePack {owner!r}; it is left alone",
        )
    if found.content == file.content:
        return Change(Action.NOOP, TYPE, file.name, pack, id=file.name, observed=observed)
    return Change(
        Action.UPDATE if owner == pack else Action.ADOPT,
        TYPE,
        file.name,
        pack,
        id=file.name,
        observed=observed,
        settings=settings,
        diff=(FieldChange("digest", digest(found.content), after),),
        details=code_diff(found.content, file.content),
    )


def code_diff(before: str, after: str) -> tuple[str, ...]:
    """The change to the code as unified diff lines, for the plan (bounded: a plan stays readable)."""
    lines = list(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), "workspace", "generated", n=2, lineterm=""
        )
    )
    if len(lines) > DIFF_LINES:
        lines = [*lines[:DIFF_LINES], f"… {len(lines) - DIFF_LINES} more diff lines (sharepack render)"]
    return tuple(lines)
