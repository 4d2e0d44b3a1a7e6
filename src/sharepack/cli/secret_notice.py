"""Saying a secret once (a D2O recipient's activation link) to the person, and nowhere else.

At a terminal it is printed on stderr. Anywhere else (a CI log, a pipe) printing it would keep
it in a log, so it goes to a file only the user can read, and the output says where.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sharepack.cli import console

SECRETS_DIR = Path(".sharepack") / "secrets"


def say_once(notice: str, name: str, *, directory: Path = SECRETS_DIR) -> None:
    if sys.stderr.isatty():
        # On lines of its own, with space around it: a link to copy, not part of a progress line.
        console.err().print(f"\n{notice}\n", style="bold", markup=False, soft_wrap=True)
        return
    directory.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    path = directory / f"{safe}.activation.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(notice + "\n")
    console.err().print(
        f"the activation link for recipient {name} is a secret: not printed here (not a terminal), "
        f"written to {path} (readable only by you)",
        style="yellow",
        markup=False,
    )
