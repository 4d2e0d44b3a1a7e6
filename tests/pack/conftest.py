"""Fixtures for the SharePack language tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def pack_file(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML text to a file in tmp_path and return its path."""
    counter = iter(range(1_000_000))

    def write(text: str, name: str | None = None) -> Path:
        path = tmp_path / (name or f"pack{next(counter)}.yaml")
        path.write_text(text, encoding="utf-8")
        return path

    return write
