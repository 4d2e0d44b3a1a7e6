"""Domain errors. The CLI turns every one of these into a message and an exit code in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# A value quoted in a message (a cell, a name) past 400 characters is shown by its start and length:
# a problem with a 1 MB cell is one line, not the cell.
_LONG_QUOTED = re.compile("'([^'\\n]{401,})'|\"([^\"\\n]{401,})\"")


def _shortened(match: re.Match[str]) -> str:
    text = match.group(1) if match.group(1) is not None else match.group(2)
    return f"'{text[:60]}…' ({len(text)} characters)"


def shorten_quoted(message: str) -> str:
    return _LONG_QUOTED.sub(_shortened, message)


class SharepackError(Exception):
    """An error meant for a person: a message, an optional hint, and the exit code to use."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a SharePack file, pointing at the offending YAML node."""

    file: str
    line: int  # 1-based
    col: int  # 1-based
    message: str
    hint: str | None = None
    place: str | None = None  # a workbook's `sheet!cell`, shown instead of line:col

    @property
    def where(self) -> str:
        """`file:line:col`, or a workbook's `file:sheet!cell`."""
        return f"{self.file}:{self.place if self.place is not None else f'{self.line}:{self.col}'}"

    def __str__(self) -> str:
        text = f"{self.where}: {shorten_quoted(self.message)}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


@dataclass
class SpecError(SharepackError):
    """Every problem found in a SharePack, reported together."""

    problems: list[SpecProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        count = len(self.problems)
        SharepackError.__init__(self, f"{count} problem{'s' if count != 1 else ''} found")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UsageError(SharepackError):
    """Bad flags or arguments."""

    exit_code = 2


class WorkspaceError(SharepackError):
    """The workspace refused or could not be reached; the message is the API's own."""


class Interrupted(SharepackError):
    """Ctrl-C. The message says what was left undone and how to finish; main() exits 130."""

    exit_code = 130

    def __init__(self, message: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint)


def did_you_mean(word: str, choices: Any) -> str | None:
    """The hint for a mistyped name (a key, a zone, a --select): the closest of the choices."""
    import difflib

    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None
