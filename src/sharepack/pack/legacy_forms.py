"""Older and looser spellings of the share-pack format, rewritten to today's before validation.

Each rewrite keeps what the file means and leaves a notice at its line saying what was understood:
- a schedule nested under its asset's name (below);
- a Quartz cron with both day fields set where one is `*` ("any day"): that one becomes `?`, the
  only form Quartz takes, and the notice shows the expression that will be sent;
- `schedule: {action: remove}` on a pipeline (the format's UPDATE files): the pipeline has no
  schedule, and its `<name>_schedule` job, if this pack made it, is planned for deletion.

An older form nests a pipeline's schedule under its asset's name, `schedule: {<asset>: {cron,
timezone}}`. Files written that way are still accepted: the inner mapping becomes the schedule
(its positions too, so any problem in it points at the right line) and a notice says how to write
it now. Notices are not errors: validate and plan show them, nothing is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sharepack.errors import SpecProblem
from sharepack.pack.positions import NodePos, PositionIndex, render_path
from sharepack.schedule.quartz_parse import with_one_day_field

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


YamlPath = tuple[str | int, ...]


def _schedules(node: Any, path: YamlPath) -> Iterator[tuple[YamlPath, dict[str, Any] | list[Any], Any]]:
    """Every `schedule:` value in the document (pipelines, defaults, targets, jobs), with its holder."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schedule":
                yield (*path, key), node, value
            elif isinstance(value, dict | list):
                yield from _schedules(value, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _schedules(item, (*path, i))


def relax_day_fields(data: dict[str, Any], index: PositionIndex, file: str) -> list[SpecProblem]:
    """`0 0 9-17 * * MON-FRI` becomes `0 0 9-17 ? * MON-FRI`, in place; one notice for each."""
    notices: list[SpecProblem] = []
    for path, holder, schedule in list(_schedules(data, ())):
        if isinstance(schedule, str):
            cron, where, put = schedule, path, holder
        elif isinstance(schedule, dict) and isinstance(schedule.get("cron"), str):
            cron, where, put = schedule["cron"], (*path, "cron"), schedule
        else:
            continue
        sent = with_one_day_field(cron)
        if sent is None:
            continue
        put[where[-1]] = sent  # type: ignore[index]
        line, col = index.position(where)
        notices.append(
            SpecProblem(
                file,
                line,
                col,
                f"{render_path(where)}: {cron!r} sets both day-of-month and day-of-week, which Quartz "
                f"refuses; the '*' one means any day, so the schedule sent is {sent!r}",
                f'write it so: "{sent}"',
            )
        )
    return notices


def schedules_to_remove(data: dict[str, Any], index: PositionIndex, file: str) -> set[YamlPath]:
    """Pipelines written `schedule: {action: remove}`: the key is taken out (the pipeline has no
    schedule) and each pipeline's path returned, for its schedule job's delete to be planned."""
    removed: set[YamlPath] = set()
    for path, pipeline in _pipelines(data):
        schedule = pipeline.get("schedule")
        if (
            isinstance(schedule, dict)
            and schedule.keys() == {"action"}
            and str(schedule["action"]).strip().lower() == "remove"
        ):
            del pipeline["schedule"]
            removed.add(path)
    return removed
