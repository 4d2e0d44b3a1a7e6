"""What a pack's `metadata.strategy` and `approver_status` do to its plan.

The share-pack format users hold says how to run it: NEW and UPDATE both run the same
create-or-update steps, UPDATE expecting everything to exist already, DELETE tears the pack down.
Here each is a plan: NEW converges; UPDATE converges but refuses (CONFLICT, naming each) what it
would have to create; DELETE is the plan `destroy` makes (only what carries the pack's tags).
An approver_status other than `approved` makes `apply` send nothing unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sharepack.changes.model import Action, Change, Plan, ResourceType
from sharepack.errors import SharepackError
from sharepack.pack.resolve import IDENTITY_FILE

if TYPE_CHECKING:
    from sharepack.flow.deployment import Deployment
    from sharepack.workspace.state import ActualState

# Resources an UPDATE may not create. A share's objects and grants are its content: an UPDATE
# adds them to what exists (that is what change lists are for), unless their share is missing.
_TOP_LEVEL = frozenset(
    (
        ResourceType.PIPELINE,
        ResourceType.JOB,
        ResourceType.RECIPIENT,
        ResourceType.SHARE,
        ResourceType.CATALOG,
        ResourceType.SCHEMA,
    )
)


def strategy_plan(
    deployment: Deployment,
    *,
    prune: bool = False,
    select: Collection[str] = (),
    trust_digest: bool = False,
    actual: ActualState | None = None,
) -> Plan:
    """The plan the pack's strategy asks for (NEW: the usual plan), with the pack's notices."""
    from sharepack.plan.destroy import build_destroy_plan

    strategy = deployment.pack.metadata.strategy
    if strategy == "DELETE":
        state = deployment.read(complete=True)
        plan = build_destroy_plan(
            deployment.desired, state, source=str(deployment.pack.path), host=deployment.workspace.label
        )
        plan = replace(plan, target=deployment.pack.target.name if deployment.pack.target else None)
        plan = replace(plan, extra={**plan.extra, "destroy": True, "strategy": "DELETE"})
    else:
        if strategy == "UPDATE" and actual is None:
            # Read here: the refused creates move no access, so the access is worked out again.
            actual = deployment.read(complete=prune, trust_digest=trust_digest)
        plan = deployment.plan(prune=prune, select=select, trust_digest=trust_digest, actual=actual)
        if strategy == "UPDATE":
            from sharepack.kinds.sharing_access import with_access

            assert actual is not None
            plan = with_access(refuse_creates(plan), actual, deployment.desired)
    from sharepack.pack import located

    pack = deployment.pack
    notices = [f"{located(n).where}: {n.message} ({n.hint})" for n in pack.notices]
    if pack.identity == IDENTITY_FILE:
        notices.append(
            f"the pack's name {pack.name!r} is its file name: renamed or copied, the file is another "
            f"pack and what this one made is no longer its own (set `metadata.name: {pack.name}`, or "
            "`metadata.project_name`, to fix it)"
        )
    plan = replace(plan, identity=pack.identity, same_pack=earlier_names(plan, pack.metadata.project_name))
    return replace(plan, warnings=(*plan.warnings, *notices)) if notices else plan


def earlier_names(plan: Plan, project_name: str | None) -> tuple[str, ...]:
    """The packs this plan conflicts with that may be this pack under another name: named after
    the same project_name, or the only pack whose marks are on what this one declares (a renamed
    or copied file conflicts with its earlier self and with no one else)."""
    from sharepack.pack.resolve import project_slug
    from sharepack.plan.render import conflict_owners

    owners = conflict_owners(plan)
    slug = project_slug(project_name or "")
    return tuple(owner for owner in owners if owner == slug or len(owners) == 1)


def refuse_creates(plan: Plan) -> Plan:
    """UPDATE: every resource the plan would create becomes a CONFLICT that names it."""
    missing = {
        (c.resource_type, c.name)
        for c in plan.changes
        if c.action == Action.CREATE and c.resource_type in _TOP_LEVEL
    }
    changes = [_refused(c, missing) for c in plan.changes]
    return replace(plan, changes=tuple(changes))


def _refused(change: Change, missing: set[tuple[ResourceType, str]]) -> Change:
    if change.action != Action.CREATE:
        return change
    what = f"{change.resource_type.value} {change.name}"
    if change.resource_type == ResourceType.SHARE_OBJECTS:
        what = f"share {change.name}"  # its objects are created with it: the share is missing
    elif change.resource_type == ResourceType.GRANT:
        share, _, recipient = change.name.partition(":")
        absent = [
            f"{kind.value} {name}"
            for kind, name in ((ResourceType.SHARE, share), (ResourceType.RECIPIENT, recipient))
            if (kind, name) in missing
        ]
        if not absent:
            return change  # a new grant on what exists: an update of the share
        what = " and ".join(absent)
    elif change.resource_type == ResourceType.WORKSPACE_FILE:
        # A pipeline's generated code: part of the pipeline, created when the pipeline may be.
        pipeline = str((change.settings or {}).get("pipeline"))
        if (ResourceType.PIPELINE, pipeline) not in missing:
            return change
        what = f"pipeline {pipeline}"
    elif change.resource_type not in _TOP_LEVEL:
        return change
    return Change(
        Action.CONFLICT,
        change.resource_type,
        change.name,
        change.pack,
        message=f"strategy UPDATE: {what} does not exist yet, and UPDATE creates nothing; "
        "set `strategy: NEW` to create it",
    )


def unapproved(plans: Sequence[Plan]) -> list[Plan]:
    return [plan for plan in plans if plan.approval_refused]


def check_approval(plans: Sequence[Plan], *, ignore: bool) -> None:
    """Refuse to apply a pack whose approver_status is not `approved` (nothing has been sent)."""
    refused = unapproved(plans)
    if refused and not ignore:
        names = ", ".join(f"{p.pack} (approver_status: {p.approval_refused})" for p in refused)
        raise SharepackError(
            f"not approved: {names}; nothing was sent",
            hint="apply once metadata.approver_status is `approved`, or pass --ignore-approval "
            "to apply it anyway",
        )
