"""A problem reported at the YAML node that caused it, for the checks on the models and those on
the raw YAML alike."""

from __future__ import annotations

from sharepack.errors import SpecProblem
from sharepack.pack.positions import PositionIndex, render_path
from sharepack.pack.resolve import YamlPath


def problem_at(
    index: PositionIndex,
    file: str,
    path: YamlPath,
    message: str,
    hint: str | None = None,
    *,
    key: bool = False,
) -> SpecProblem:
    """A problem pointing at the YAML node at `path` (or its nearest existing parent)."""
    found = index.locate(path, key=key)
    line, col = found.mark
    where = render_path(found.matched)
    return SpecProblem(file, line, col, f"{where}: {message}" if where else message, hint)


def already_used(what: str, value: str, first_line: int) -> str:
    return f"{what} {value!r} is already used at line {first_line}"
