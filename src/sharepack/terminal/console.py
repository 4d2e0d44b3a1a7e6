"""Terminal output. rich is imported here, on first use, so `--help` and `validate` start fast."""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


# Not a terminal (CI logs, `make demo` piped): rich would assume 80 columns and fold tables into
# unreadable slivers; a log has room.
PIPED_WIDTH = 160


def _width(stream: object) -> int | None:
    if os.environ.get("COLUMNS") or getattr(stream, "isatty", lambda: False)():
        return None
    return PIPED_WIDTH


@cache
def out() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, width=_width(sys.stdout))


@cache
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, width=_width(sys.stderr))


def print_lines(lines: list[tuple[str, str]], *, to_stderr: bool = False) -> None:
    console = err() if to_stderr else out()
    for style, text in lines:
        console.print(text, style=style or None, markup=False)


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
