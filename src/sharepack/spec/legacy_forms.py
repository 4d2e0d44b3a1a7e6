"""Older spellings of the share-pack format, rewritten to today's before validation.

An older form nests a pipeline's schedule under its asset's name, `schedule: {<asset>: {cron,
timezone}}`. Files written that way are still accepted: the inner mapping becomes the schedule
(its positions too, so any problem in it points at the right line) and a notice says how to write
it now. Notices are not errors: validate and plan show them, nothing is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sharepack.errors import SpecProblem
from sharepack.spec.positions import NodePos, PositionIndex, render_path

_SCHEDULE_KEYS = frozenset(("kind", "cron", "every", "at", "on", "continuous"))


def _pipelines(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    shares = data.get("share")
    for s, share in enumerate(shares if isinstance(shares, list) else []):
        pipelines = share.get("pipelines") if isinstance(share, dict) else None
        for p, pipeline in enumerate(pipelines if isinstance(pipelines, list) else []):
            if isinstance(pipeline, dict):
                yield ("share", s, "pipelines", p), pipeline
    pipelines = data.get("pipelines")
    for p, pipeline in enumerate(pipelines if isinstance(pipelines, list) else []):
        if isinstance(pipeline, dict):
            yield ("pipelines", p), pipeline


def unwrap_nested_schedules(data: dict[str, Any], index: PositionIndex, file: str) -> list[SpecProblem]:
    """Rewrite `{<asset>: {cron, timezone}}` schedules in place; one notice for each."""
    notices: list[SpecProblem] = []
    for path, pipeline in _pipelines(data):
        schedule = pipeline.get("schedule")
        if not (isinstance(schedule, dict) and len(schedule) == 1):
            continue
        ((asset, inner),) = schedule.items()
        if asset in _SCHEDULE_KEYS or not isinstance(inner, dict) or not _SCHEDULE_KEYS & inner.keys():
            continue
        pipeline["schedule"] = inner
        holder = index.node(path)
        outer = index.node((*path, "schedule"))
        mark = holder.key_mark("schedule") if holder is not None else None
        line, col = mark or index.position(path)
        if holder is not None and holder.entries is not None and outer is not None:
            nested: NodePos | None = outer.child(asset)
            if nested is not None:
                key_line, key_col, _ = holder.entries["schedule"]
                holder.entries["schedule"] = (key_line, key_col, nested)
        notices.append(
            SpecProblem(
                file,
                line,
                col,
                f"{render_path((*path, 'schedule'))}: schedule nested under {asset!r} is the older "
                "form; accepted as the pipeline's schedule",
                "write it without the asset level: `schedule: {cron: ..., timezone: ...}`",
            )
        )
    return notices
