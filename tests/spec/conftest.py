"""Helpers for the SharePack language tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sharepack.errors import SpecError
from sharepack.spec import Pack, load_pack

REPO = Path(__file__).resolve().parents[2]
SHAREPACKS = REPO / "sharepacks"


@pytest.fixture
def pack_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML text to a file in tmp_path and return its path."""
    counter = iter(range(1_000_000))

    def write(text: str, name: str | None = None) -> Path:
        path = tmp_path / (name or f"pack{next(counter)}.yaml")
        path.write_text(text, encoding="utf-8")
        return path

    return write


def problems_of(path: Path, **kwargs: object) -> list[str]:
    """The problems of a pack as `line:col: message` (hint lines dropped); fails if it loads."""
    try:
        load_pack(path, **kwargs)  # type: ignore[arg-type]
    except SpecError as exc:
        return [f"{p.line}:{p.col}: {p.message}" for p in exc.problems]
    raise AssertionError(f"{path} loaded without problems")


def load_text(write: Callable[[str], Path], text: str, **kwargs: object) -> Pack:
    return load_pack(write(text), **kwargs)  # type: ignore[arg-type]
