"""The local emulator's state files, checked before the emulator opens them.

A folder, a file that is not SQLite, or a damaged database would otherwise surface as a
`sqlite3.DatabaseError` traceback from deep inside the emulator (doctor included, whose job is
to say what is wrong)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sharepack.errors import WorkspaceError

_SQLITE_HEADER = b"SQLite format 3\x00"


def state_problem(path: Path) -> str | None:
    """What stops `path` from being the emulator's state, or None (a missing file is created)."""
    if str(path) == ":memory:" or not path.exists():
        return None
    if path.is_dir():
        return f"{path} is a folder, not the emulator's state file"
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        return f"{path} cannot be read: {exc.strerror or exc}"
    if header and header != _SQLITE_HEADER:
        return f"{path} is not a SQLite database (the emulator's state file)"
    return None


def check_state(path: Path) -> None:
    problem = state_problem(path)
    if problem:
        raise WorkspaceError(problem, hint=_hint(path))


@contextmanager
def opening_state(path: Path) -> Iterator[None]:
    """Turn SQLite's errors while the emulator opens its state into a message about the file."""
    check_state(path)
    try:
        yield
    except sqlite3.Error as exc:
        raise WorkspaceError(
            f"{path} cannot be used as the emulator's state: {exc}", hint=_hint(path)
        ) from None


def _hint(path: Path) -> str:
    return f"move {path} aside (the local workspace starts afresh without it), or point at another file"
