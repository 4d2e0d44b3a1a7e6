"""SELECT on a share for a recipient: identity is the pair, named `<share>:<recipient>`.

A grant is revoked only where both the share and the recipient are ours; a grant we did not
declare to someone else's recipient is said and left alone.
"""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING

from sharepack.changes.model import Action, Change, ResourceType, change_key
from sharepack.desired.sharing import DesiredShare
from sharepack.kinds.base import KindDefaults, PlanInput, PlanOutput, WriteContext, Written
from sharepack.kinds.share import left_alone, share_change
from sharepack.kinds.sharing_state import SharingState, fold, sharing_of

if TYPE_CHECKING:
    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState

TYPE = ResourceType.GRANT
PRIVILEGE = "SELECT"


def grant_name(share: str, recipient: str) -> str:
    return f"{share}:{recipient}"


class GrantKind(KindDefaults):
    resource_type = TYPE
    rank = 40
    fatal = True
    label = "grants"

    def plan(self, given: PlanInput) -> PlanOutput:
        state = sharing_of(given.actual)
        pack = given.desired.pack
        declared = given.desired.resources_of(ResourceType.RECIPIENT.value)
        declared_recipients = fold(r.name for r in declared)
        # A grant names its recipient as the recipient's own block spells it, so that its wait on
        # that recipient's change (keyed by name) holds whatever case the share's list used.
        spelled = {r.name.lower(): r.name for r in declared}
        changes: list[Change] = []
        warnings: list[str] = []
        for share in given.desired.resources_of(ResourceType.SHARE.value):
            if not given.selected(share.name, *share.recipients):
                continue
            found = state.shares.get(share.name)
            if left_alone(share_change(share, found, pack)):
                continue
            share_selected = given.selected(share.name)
            if not share_selected and (found is None or found.owner != pack):
                # Only a recipient was selected: its grants are touched on shares that are
                # already ours, never on one this apply neither creates nor has adopted.
                continue
            held = (found.grants or frozenset()) if found else frozenset()
            for listed in share.recipients:
                recipient = spelled.get(listed.lower(), listed)
                if not share_selected and not given.selected(recipient):
                    continue  # neither end of this grant was selected
                if not given.selected(recipient) and recipient not in state.recipients:
                    # Granting to a recipient that this selection does not create would fail.
                    warnings.append(
                        f"grant {grant_name(share.name, recipient)} skipped: recipient {recipient} "
                        f"does not exist yet and is not selected (add --select {recipient})"
                    )
                    continue
                changes.append(_grant(share, recipient, held, state, declared_recipients, pack))
            for holder in sorted(_not_wanted(share, held)):
                if not given.selected(share.name, holder):
                    continue
                owner = state.recipients[holder].owner() if holder in state.recipients else None
                # Named in `recipients_to_remove`: the pack says so of this very grant.
                named = holder.lower() in fold(share.absent_recipients)
                # On a share of ours, only this pack grants to a recipient that another pack made
                # (packs never touch a share they do not own): a full list that leaves it out —
                # `recipients: []` included — takes that grant back. A recipient made by hand may
                # have been granted by hand: that grant is said and left alone.
                ours = found is not None and found.owner == pack and share.recipients_complete
                if named or owner == pack or holder.lower() in declared_recipients or (ours and owner):
                    changes.append(_revoke(share.name, holder, pack, named=named))
                else:
                    warnings.append(
                        f"share {share.name} is also granted to {holder}, "
                        "a recipient this pack does not own: left alone"
                    )
        return PlanOutput(tuple(changes), tuple(warnings))

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        return PlanOutput()  # deleting the share or the recipient drops the grant

    def observed(self, change: Change, actual: ActualState) -> str:
        share, _, recipient = change.name.partition(":")
        found = sharing_of(actual).shares.get(share)
        if found is None:
            return "absent"
        return "granted" if recipient.lower() in (found.grants or ()) else "absent"

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        return set()

    def depends_on(self, change: Change) -> set[str]:
        if change.action == Action.DELETE:
            # A revoke only takes access away: nothing needs to have happened before it.
            return set()
        # Access is granted on exactly what the plan promised: the share, the recipient the plan
        # means (not another pack's of that name), and the share's objects as planned — a REMOVE
        # that failed leaves data in the share that the new recipient must not read.
        share, _, recipient = change.name.partition(":")
        return {
            change_key(ResourceType.SHARE, share),
            change_key(ResourceType.SHARE_OBJECTS, share),
            change_key(ResourceType.RECIPIENT, recipient),
        }

    def write(self, change: Change, context: WriteContext) -> Written:
        from sharepack.workspace import sharing_write

        share, _, recipient = change.name.partition(":")
        sharing_write.set_grant(
            context.writer.client, share, recipient, granted=change.action != Action.DELETE
        )
        return Written(change.name)


def _not_wanted(share: DesiredShare, held: frozenset[str]) -> set[str]:
    """Grants held that the pack does not want: every undeclared one when it lists the share's
    recipients in full, only those it names in `recipients_to_remove` when it gave change lists."""
    if share.recipients_complete:
        return set(held) - fold(share.recipients)
    absent = fold(share.absent_recipients)
    return {holder for holder in held if holder.lower() in absent}


def _grant(
    share: DesiredShare,
    recipient: str,
    held: frozenset[str],
    state: SharingState,
    declared: frozenset[str],
    pack: str,
) -> Change:
    name = grant_name(share.name, recipient)
    if recipient.lower() in held:
        return Change(Action.NOOP, TYPE, name, pack, id=name, observed="granted")
    if recipient.lower() not in declared and recipient not in state.recipients:
        return Change(
            Action.CONFLICT,
            TYPE,
            name,
            pack,
            message=f"recipient {recipient} is neither declared in this pack nor present in the workspace",
        )
    return Change(
        Action.CREATE,
        TYPE,
        name,
        pack,
        settings={"share": share.name, "recipient": recipient, "privilege": PRIVILEGE},
    )


def _revoke(share: str, recipient: str, pack: str, *, named: bool) -> Change:
    name = grant_name(share, recipient)
    return Change(
        Action.DELETE,
        TYPE,
        name,
        pack,
        id=name,
        observed="granted",
        message="named in recipients_to_remove"
        if named
        else "granted in the workspace, not declared in the SharePack",
    )
