"""Build a plan: the desired state against what the workspace holds, kind by kind.

Every kind plans itself (`sharepack.kinds`); this module knows them only through the registry: it
walks them in order, handing each the changes planned before it, then lets each review the whole.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime

from sharepack.changes.model import Change, Plan
from sharepack.desired.state import DesiredState
from sharepack.kinds import KINDS
from sharepack.kinds.base import PlanInput
from sharepack.kinds.sharing_access import with_access
from sharepack.plan.select import as_declared, check_selection
from sharepack.workspace.state import ActualState


def build_plan(
    desired: DesiredState,
    actual: ActualState,
    *,
    source: str,
    host: str,
    target: str | None = None,
    prune: bool = False,
    select: Collection[str] = (),
    now: datetime | None = None,
) -> Plan:
    select = as_declared(desired, select)
    check_selection(desired, select)
    given = PlanInput(desired, actual, prune=prune, select=frozenset(select), now=now or datetime.now(UTC))
    changes: list[Change] = []
    warnings: list[str] = []
    digest_only = 0
    for kind in KINDS:
        out = kind.plan(replace(given, earlier=tuple(changes)))
        changes.extend(out.changes)
        warnings.extend(out.warnings)
        digest_only += out.digest_only
    for kind in KINDS:
        changes, kept = kind.review(changes, actual, desired.pack)
        warnings.extend(kept)
    plan = Plan(
        pack=desired.pack,
        source=source,
        host=host,
        target=target,
        changes=tuple(changes),
        warnings=tuple(warnings),
        selection=tuple(select),
        prune=prune,
        digest_only=digest_only,
        governance=dict(desired.governance),
    )
    return with_access(plan, actual, desired)
