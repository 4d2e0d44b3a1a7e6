"""The schemas sync pipelines publish into: created by sharepack when missing (`kinds.schema`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharepack.sync.checks import desired_sources

if TYPE_CHECKING:
    from sharepack.pack import Pack


@dataclass(frozen=True)
class DesiredSchema:
    name: str  # catalog.schema
    pipelines: tuple[str, ...]  # the pipelines that publish there


def desired_schemas(pack: Pack) -> tuple[DesiredSchema, ...]:
    # One schema however its pipelines spell it: Unity Catalog names are case-insensitive.
    spelled: dict[str, str] = {}
    by_schema: dict[str, list[str]] = {}
    for source in desired_sources(pack):
        name = f"{source.catalog}.{source.schema}"
        by_schema.setdefault(spelled.setdefault(name.lower(), name), []).append(source.name)
    return tuple(DesiredSchema(name, tuple(pipelines)) for name, pipelines in by_schema.items())
