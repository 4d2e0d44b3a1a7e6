"""Terminal output. rich is imported here, on first use, so `--help` and `validate` start fast."""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@cache
def out() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


@cache
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_lines(lines: list[tuple[str, str]], *, to_stderr: bool = False) -> None:
    console = err() if to_stderr else out()
    for style, text in lines:
        console.print(text, style=style or None, markup=False)


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
