"""Checks that run on the raw YAML when the models could not be built.

The semantic checker needs a valid SharePack, so a typo elsewhere in the file would hide a
reused or empty pipeline name until the typo is fixed. These few checks need only the raw
mapping, so a user sees them in the same run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sharepack.errors import SpecProblem
from sharepack.pack.format_checks import ASSET_LISTS, NO_ASSETS, NO_ASSETS_HINT
from sharepack.pack.names import PIPELINE_NAME_MAX, resource_name_problem
from sharepack.pack.positions import PositionIndex
from sharepack.pack.problems import already_used, problem_at

Path = tuple[str | int, ...]


def _pipeline_names(data: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    shares = data.get("share")
    for i, share in enumerate(shares if isinstance(shares, list) else []):
        pipelines = share.get("pipelines") if isinstance(share, dict) else None
        for j, pipeline in enumerate(pipelines if isinstance(pipelines, list) else []):
            if isinstance(pipeline, dict) and isinstance(pipeline.get("name_prefix"), str):
                yield ("share", i, "pipelines", j, "name_prefix"), pipeline["name_prefix"]
    pipelines = data.get("pipelines")
    for k, pipeline in enumerate(pipelines if isinstance(pipelines, list) else []):
        if isinstance(pipeline, dict) and isinstance(pipeline.get("name_prefix"), str):
            yield ("pipelines", k, "name_prefix"), pipeline["name_prefix"]


def raw_name_problems(data: dict[str, Any], index: PositionIndex, file: str) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    shares = data.get("share")
    for i, share in enumerate(shares if isinstance(shares, list) else []):
        # A share needs assets, as a full list or as changes: no single key is required.
        if isinstance(share, dict) and not any(key in share for key in ASSET_LISTS):
            problems.append(problem_at(index, file, ("share", i), NO_ASSETS, NO_ASSETS_HINT))
    seen: dict[str, int] = {}
    for path, name in _pipeline_names(data):
        problem = resource_name_problem(name, "pipeline", max_chars=PIPELINE_NAME_MAX, file_name=True)
        if problem is None and name in seen:
            problem = already_used("pipeline name", name, seen[name])
        if problem:
            problems.append(problem_at(index, file, path, problem))
        else:
            seen[name] = index.position(path)[0]
    return problems
