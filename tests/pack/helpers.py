"""Paths and helpers the SharePack language tests share."""

from __future__ import annotations

from pathlib import Path

from sharepack.errors import SpecError
from sharepack.pack import load_pack

REPO = Path(__file__).resolve().parents[2]
SHAREPACKS = REPO / "sharepacks"


def problems_of(path: Path, **kwargs: object) -> list[str]:
    """The problems of a pack as `line:col: message` (hint lines dropped); fails if it loads."""
    try:
        load_pack(path, **kwargs)  # type: ignore[arg-type]
    except SpecError as exc:
        return [f"{p.line}:{p.col}: {p.message}" for p in exc.problems]
    raise AssertionError(f"{path} loaded without problems")
