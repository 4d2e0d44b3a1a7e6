"""A deploy lock in the workspace, so two applies of one pack never run at once.

As Databricks Asset Bundles do: a small file created with `overwrite=false` through the
Workspace API (the create fails if it exists), holding who took it and when, deleted at the end.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sharepack.errors import SharepackError, UsageError, WorkspaceError
from sharepack.workspace.write import already_exists, api_message

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

LOCK_DIR = "/Shared/.sharepack/locks"


class LockHeld(SharepackError):
    pass


def lock_path(pack: str) -> str:
    # Pack names are checked at validate (spec.names.pack_name_problem); this is the last guard
    # that a name never reaches a path outside the lock folder.
    from sharepack.pack.names import pack_name_problem

    problem = pack_name_problem(pack)
    if problem:
        raise UsageError(problem, hint="set `metadata.name` to a plain name")
    return f"{LOCK_DIR}/{pack}.lock"


def _holder() -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "user": os.environ.get("USER") or os.environ.get("USERNAME") or "unknown",
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "acquired_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _read(client: WorkspaceClient, path: str) -> dict[str, Any] | None:
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.workspace import ExportFormat

    try:
        exported = client.workspace.export(path, format=ExportFormat.AUTO)
    except NotFound:
        return None
    try:
        data = json.loads(base64.b64decode(exported.content or ""))
        return data if isinstance(data, dict) else {}
    except ValueError:
        return {}


def holder_is_dead(holder: dict[str, Any]) -> bool:
    """True only when the lock's holder provably no longer runs: it was taken on this machine and
    its process is gone. A holder on another machine, or a live process, is never assumed dead."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return False  # this very process (another lock of ours, in another thread)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists (owned by another user)
    return False


def _take_over_dead(client: WorkspaceClient, path: str, dead: dict[str, Any], content: str) -> bool:
    """Delete the dead holder's lock and take it as anyone would (overwrite=false): of two applies
    clearing one dead lock at once, one gets it. The lock is re-read just before the delete, so a
    lock taken meanwhile by a live apply is not deleted (but for the instant between the two)."""
    from databricks.sdk.errors import ResourceConflict
    from databricks.sdk.service.workspace import ImportFormat

    current = _read(client, path)
    if current is not None and current.get("id") != dead.get("id"):
        return False
    if current is not None:
        client.workspace.delete(path)
    try:
        client.workspace.import_(path, content=content, format=ImportFormat.AUTO, overwrite=False)
    except ResourceConflict:
        return False
    return True


@contextmanager
def deploy_lock(client: WorkspaceClient, pack: str, *, force: bool = False) -> Iterator[dict[str, Any]]:
    from databricks.sdk.errors import ResourceConflict
    from databricks.sdk.service.workspace import ImportFormat

    path = lock_path(pack)
    holder = _holder()
    content = base64.b64encode(json.dumps(holder).encode()).decode()
    try:
        client.workspace.mkdirs(LOCK_DIR)
        client.workspace.import_(path, content=content, format=ImportFormat.AUTO, overwrite=force)
    except ResourceConflict:
        other = _read(client, path) or {}
        if other.get("id") == holder["id"]:
            pass  # our own import, committed before its answer was lost and then retried
        elif holder_is_dead(other) and _take_over_dead(client, path, other, content):
            from sharepack.terminal import console

            console.err().print(
                f"⚠ cleared the deploy lock of {other.get('user', '?')}'s apply (process {other.get('pid')} "
                f"on this machine, {other.get('host')}, is no longer running)",
                style="yellow",
                markup=False,
            )
        else:
            raise LockHeld(
                f"another apply of SharePack {pack!r} holds the deploy lock ({path}): "
                f"{other.get('user', '?')} on {other.get('host', '?')} since {other.get('acquired_at', '?')}",
                hint="wait for it to finish; if it crashed, re-run with --force-lock",
            ) from None
    except Exception as exc:
        if already_exists(exc):
            raise LockHeld(
                f"the deploy lock {path} is held", hint="re-run with --force-lock if it is stale"
            ) from None
        raise WorkspaceError(f"taking the deploy lock {path}: {api_message(exc)}") from None
    try:
        yield holder
    finally:
        # A lock left behind is reported, with its holder, by the next apply.
        with suppress(Exception):
            current = _read(client, path)
            if current is not None and current.get("id") == holder["id"]:
                client.workspace.delete(path)
