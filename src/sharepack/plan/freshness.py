"""Whether a saved plan still describes the workspace it was made against."""

from __future__ import annotations

from sharepack.changes.model import Change, Plan
from sharepack.workspace.state import ActualState


def _current(change: Change, actual: ActualState) -> str:
    from sharepack.kinds import KIND_OF

    return KIND_OF[change.resource_type].observed(change, actual)


def _matches(saved: str, current: str) -> bool:
    # A read that trusted a pipeline without fetching its settings records only its ID; the
    # other read may have fetched them. The same ID is then the same pipeline.
    return (
        saved == current
        or (saved.count(":") == 1 and current.startswith(saved + ":"))
        or (current.count(":") == 1 and saved.startswith(current + ":"))
    )


def check_fresh(plan: Plan, actual: ActualState) -> list[str]:
    """What moved since the plan was made; empty when it may be applied as it is."""
    moved = []
    for change in plan.changes:
        current = _current(change, actual)
        if not _matches(change.observed, current):
            moved.append(f"{change.resource_type.value} {change.name} ({change.observed} → {current})")
    return moved
