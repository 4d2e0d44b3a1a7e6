"""Small helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path


def write_pack(directory: Path, text: str, name: str = "pack.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
