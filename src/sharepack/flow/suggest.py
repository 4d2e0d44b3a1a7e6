"""Commands sharepack suggests, written so they can be pasted into a shell as they are.

A hint that says `sharepack apply pack.yaml` to someone who ran with `--target local --var env=dev`
would send them to another workspace, or fail. Every suggested command carries the user's own
selection flags, rendered back from what they chose and quoted for a POSIX shell.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

PROGRAM = "sharepack"

# The command line of this process, as main() received it (without the program name); empty
# when sharepack is used as a library, and then nothing can be repeated word for word.
_argv: list[str] = []


def record_argv(args: Sequence[str]) -> None:
    _argv[:] = list(args)


def selection_flags(
    *,
    target: str | None = None,
    host: str | None = None,
    profile: str | None = None,
    variables: Mapping[str, str] | None = None,
) -> list[str]:
    """The flags that pick a workspace and a pack's values, as the user gave them."""
    flags: list[str] = []
    if target is not None:
        flags += ["--target", target]
    if host is not None:
        flags += ["--host", host]
    if profile is not None:
        flags += ["--profile", profile]
    for name, value in (variables or {}).items():
        flags += ["--var", f"{name}={value}"]
    return flags


def command(*words: str | Path, flags: Sequence[str] = ()) -> str:
    """`sharepack WORDS... FLAGS...`, each word quoted only when the shell needs it."""
    return shlex.join([PROGRAM, *(str(w) for w in words), *flags])


def same_command(*, add: Sequence[str] = (), fallback: str = "the same command") -> str:
    """This very command line again (plus `add`, unless already there): "run it again to finish"."""
    if not _argv:
        return fallback
    extra = [word for word in add if word not in _argv]
    return command(*_argv, *extra)
