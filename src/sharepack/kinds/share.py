"""Delta Shares: identity by name, our mark a trailer on the comment (shares have nothing else).

The share itself is only its name and comment; its data objects and grants are kinds of their
own (`share_objects`, `grant`) whose identity includes the share.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import TYPE_CHECKING, Any

from sharepack.changes.diff import FieldChange
from sharepack.changes.model import Action, Change, ResourceType
from sharepack.desired.sharing import DesiredShare
from sharepack.kinds.base import (
    KindDefaults,
    Marked,
    PlanInput,
    PlanOutput,
    WriteContext,
    Written,
    destroy_marked,
    release,
    with_orphans,
)
from sharepack.kinds.sharing_state import ActualShare, sharing_of
from sharepack.workspace.ownership import comment_adopted, comment_with_mark, split_comment_mark

if TYPE_CHECKING:
    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState

TYPE = ResourceType.SHARE


class ShareKind(KindDefaults):
    resource_type = TYPE
    rank = 20
    fatal = True
    label = "shares"

    def plan(self, given: PlanInput) -> PlanOutput:
        state = sharing_of(given.actual)
        pack = given.desired.pack
        shares: tuple[DesiredShare, ...] = given.desired.resources_of(TYPE.value)
        changes = [share_change(s, state.shares.get(s.name), pack) for s in shares if given.selected(s.name)]
        declared = {s.name for s in shares}
        return with_orphans("share", TYPE, changes, _marked(state.shares.values()), declared, given)

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        # Deleting a share drops its objects and grants with it: one the pack adopted holds what
        # others put there (objects, grants to their recipients), so it is released instead.
        declared = {s.name for s in desired.resources_of(TYPE.value)}
        shares = sharing_of(actual).shares
        out = destroy_marked("share", TYPE, _marked(shares.values()), declared, desired.pack)
        changes = [
            release(
                TYPE,
                c.name,
                c.pack,
                c.observed,
                {"comment": split_comment_mark(shares[c.name].comment)[0] or ""},
            )
            if comment_adopted(shares[c.name].comment)
            else c
            for c in out.changes
        ]
        return PlanOutput(tuple(changes), out.warnings)

    def observed(self, change: Change, actual: ActualState) -> str:
        found = sharing_of(actual).shares.get(change.name)
        return found.observed() if found else "absent"

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        return set()

    def depends_on(self, change: Change) -> set[str]:
        return set()

    def write(self, change: Change, context: WriteContext) -> Written:
        from sharepack.workspace import sharing_write

        if change.action == Action.DELETE:
            sharing_write.delete_share(context.writer.client, change.name)
        elif change.action == Action.CREATE:
            assert change.settings is not None
            sharing_write.create_share(context.writer, change.name, change.settings.get("comment"))
        else:
            assert change.settings is not None
            sharing_write.mark_share(
                context.writer.client, change.name, change.pack, change.settings.get("comment")
            )
        return Written(change.name)


def share_change(share: DesiredShare, found: ActualShare | None, pack: str) -> Change:
    def change(action: Action, **fields: Any) -> Change:
        return Change(action, TYPE, share.name, pack, **fields)

    wanted = comment_with_mark(
        share.comment, pack, adopted=found is not None and comment_adopted(found.comment)
    )
    if found is None:
        return change(Action.CREATE, settings={"name": share.name, "comment": wanted})
    observed = found.observed()
    text, owner = split_comment_mark(found.comment)
    if owner is not None and owner != pack:
        return change(
            Action.CONFLICT,
            id=share.name,
            observed=observed,
            message=f"share {share.name} belongs to SharePack {owner!r}; it is left alone",
        )
    if owner is None:
        # The mark says it was adopted: destroy then releases it rather than deleting it.
        wanted = comment_with_mark(share.comment, pack, adopted=True)
        return change(
            Action.ADOPT,
            id=share.name,
            observed=observed,
            settings={"comment": wanted},
            diff=(FieldChange("comment", found.comment, wanted),),
        )
    if (text or None) == (share.comment or None):
        return change(Action.NOOP, id=share.name, observed=observed)
    return change(
        Action.UPDATE,
        id=share.name,
        observed=observed,
        settings={"comment": wanted},
        diff=(FieldChange("comment", text, share.comment),),
    )


def _marked(shares: Iterable[ActualShare]) -> list[Marked]:
    return [Marked(s.name, s.owner, s.observed()) for s in shares]


def left_alone(change: Change | None) -> bool:
    """True when the share's own change leaves it alone, so nothing inside it may be touched."""
    return change is not None and change.action in (Action.CONFLICT, Action.AMBIGUOUS, Action.IMMUTABLE)
