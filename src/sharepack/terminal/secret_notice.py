"""Saying a secret once (a D2O recipient's activation link) to the person, and nowhere else.

At a terminal it is printed on stderr. Anywhere else (a CI log, a pipe) printing it would keep
it in a log, so it goes to a file only the user can read, and the output says where.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sharepack.terminal import console

SECRETS_DIR = Path(".sharepack") / "secrets"


def say_once(notice: str, name: str, *, directory: Path = SECRETS_DIR) -> None:
    if sys.stderr.isatty():
        # On lines of its own, with space around it: a link to copy, not part of a progress line.
        console.err().print(f"\n{notice}\n", style="bold", markup=False, soft_wrap=True)
        return
    path = secret_path(directory, name)
    write_secret(path, notice + "\n")
    console.err().print(
        f"the activation link for recipient {name} is a secret: not printed here (not a terminal), "
        f"written to {path} (readable only by you)",
        style="yellow",
        markup=False,
    )


def secret_path(directory: Path, name: str) -> Path:
    """One file per recipient. A name that is not already a plain file name gets a digest of
    itself appended after a dot (which a recipient name cannot hold), so `acme+x` and `acme_x`
    never share a file and the first link, said only once, is never overwritten by the other."""
    import hashlib

    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    if safe != name or not safe:
        safe = f"{safe}.{hashlib.sha256(name.encode()).hexdigest()[:12]}"
    return directory / f"{safe}.activation.txt"


def write_secret(path: Path, text: str) -> None:
    """Write a secret readable only by the user: into a folder of mode 0700 that is no link, as
    a new file (O_EXCL, 0600, links never followed) renamed over any older one — never written
    into an existing file, whose mode or target could be anyone's."""
    from sharepack.errors import SharepackError

    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.is_symlink() or not directory.is_dir():
        raise SharepackError(f"{directory} is not a plain folder; the activation link was not written there")
    os.chmod(directory, 0o700)
    temporary = directory / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)  # a link at `path` is replaced, not followed
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
