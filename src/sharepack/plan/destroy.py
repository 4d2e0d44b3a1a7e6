"""The plan that deletes what a pack owns, and nothing it does not.

Each kind says what of it carries the pack's mark (`Kind.destroy`), dependants first; what the pack
adopted is released rather than deleted (unless `delete_adopted`), and what something else still
relies on is kept (`Kind.review`) — each said in the plan.
"""

from __future__ import annotations

from dataclasses import replace

from sharepack.changes.model import Action, Change, Plan
from sharepack.desired.state import DesiredState
from sharepack.kinds import KINDS
from sharepack.kinds.base import RELEASED
from sharepack.kinds.sharing_access import with_access
from sharepack.workspace.state import ActualState


def build_destroy_plan(
    desired: DesiredState, actual: ActualState, *, source: str, host: str, delete_adopted: bool = False
) -> Plan:
    changes: list[Change] = []
    warnings: list[str] = []
    for kind in sorted(KINDS, key=lambda k: -k.rank):
        out = kind.destroy(desired, actual)
        changes.extend(out.changes)
        warnings.extend(out.warnings)
    if delete_adopted:
        changes = [_deleted(c) for c in changes]
    for kind in KINDS:
        changes, kept = kind.review(changes, actual, desired.pack)
        warnings.extend(kept)
    released = [c for c in changes if c.action == Action.UPDATE]
    if released:
        warnings.append(
            f"{len(released)} resource(s) this pack adopted are released, not deleted "
            f"({', '.join(f'{c.resource_type.value} {c.name}' for c in released)}): "
            "pass --delete-adopted to delete them too"
        )
    plan = Plan(
        pack=desired.pack,
        source=source,
        host=host,
        changes=tuple(changes),
        warnings=tuple(warnings),
        governance=dict(desired.governance),
    )
    return with_access(plan, actual, desired)


def _deleted(change: Change) -> Change:
    """--delete-adopted: a release becomes the delete it stood in for."""
    if change.action != Action.UPDATE or not (change.message or "").startswith(RELEASED):
        return change
    return replace(
        change, action=Action.DELETE, message="adopted by this pack; deleted as --delete-adopted asks"
    )
