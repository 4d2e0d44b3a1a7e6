"""Delta Sharing recipients: identity by name, our mark in `properties_kvpairs`.

The authentication type and a D2D recipient's metastore cannot change in place; a difference
there is refused with the way to replace it, never done silently. The token expiry is applied at
creation only (re-applying never resets it), and an activation link is said once, never kept.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Set
from typing import TYPE_CHECKING, Any

from sharepack.changes.diff import FieldChange
from sharepack.changes.model import Action, Change, ResourceType
from sharepack.desired.sharing import DesiredRecipient
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
from sharepack.kinds.sharing_state import ActualRecipient, sharing_of
from sharepack.workspace.ownership import merge_marks, was_adopted, without_marks

if TYPE_CHECKING:
    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState

TYPE = ResourceType.RECIPIENT


class RecipientKind(KindDefaults):
    resource_type = TYPE
    rank = 10
    fatal = True
    label = "recipients"

    def plan(self, given: PlanInput) -> PlanOutput:
        state = sharing_of(given.actual)
        pack = given.desired.pack
        changes = [
            _change(r, state.recipients.get(r.name), pack)
            for r in given.desired.resources_of(TYPE.value)
            if given.selected(r.name)
        ]
        declared = {r.name for r in given.desired.resources_of(TYPE.value)}
        return with_orphans("recipient", TYPE, changes, _marked(state.recipients.values()), declared, given)

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        declared = {r.name for r in desired.resources_of(TYPE.value)}
        recipients = sharing_of(actual).recipients
        out = destroy_marked("recipient", TYPE, _marked(recipients.values()), declared, desired.pack)
        # One the pack adopted was someone's before: it is released (its grants elsewhere, its
        # activation, stay), not deleted.
        changes = [
            release(
                TYPE, c.name, c.pack, c.observed, {"properties": without_marks(recipients[c.name].properties)}
            )
            if was_adopted(recipients[c.name].properties)
            else c
            for c in out.changes
        ]
        return PlanOutput(tuple(changes), out.warnings)

    def observed(self, change: Change, actual: ActualState) -> str:
        found = sharing_of(actual).recipients.get(change.name)
        return found.observed() if found else "absent"

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        return set()

    def depends_on(self, change: Change) -> set[str]:
        return set()

    def write(self, change: Change, context: WriteContext) -> Written:
        from sharepack.workspace import sharing_write

        assert change.settings is not None or change.action == Action.DELETE
        client = context.writer.client
        if change.action == Action.DELETE:
            sharing_write.delete_recipient(client, change.name)
            return Written(change.name)
        assert change.settings is not None
        if change.action == Action.CREATE:
            link = sharing_write.create_recipient(context.writer, change.settings)
            return Written(change.name, notice=_activation_notice(change.name, link))
        sharing_write.update_recipient(client, change.name, change.settings, change.pack)
        return Written(change.name)


def _marked(recipients: Iterable[ActualRecipient]) -> list[Marked]:
    return [Marked(r.name, r.owner(), r.observed()) for r in recipients]


def _activation_notice(name: str, link: str | None) -> str | None:
    if not link:
        return None
    return f"activation link for recipient {name} (shown once; send it to the recipient): {link}"


def create_settings(recipient: DesiredRecipient, now_ms: int | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "name": recipient.name,
        "authentication_type": recipient.authentication_type,
        "properties": dict(recipient.properties),
    }
    if recipient.comment is not None:
        settings["comment"] = recipient.comment
    if recipient.metastore_id is not None:
        settings["data_recipient_global_metastore_id"] = recipient.metastore_id
    if recipient.ips is not None:
        settings["ip_access_list"] = {"allowed_ip_addresses": list(recipient.ips)}
    if recipient.token_expiry_days:
        now = now_ms if now_ms is not None else int(time.time() * 1000)
        settings["expiration_time"] = now + recipient.token_expiry_days * 86_400_000
    return settings


def _change(recipient: DesiredRecipient, found: ActualRecipient | None, pack: str) -> Change:
    def change(action: Action, **fields: Any) -> Change:
        return Change(action, TYPE, recipient.name, pack, **fields)

    if found is None:
        # The expiry is worked out at apply time from the days declared: a plan stays a value.
        settings = create_settings(recipient, now_ms=0)
        settings.pop("expiration_time", None)
        if recipient.token_expiry_days:
            settings["token_expiry_days"] = recipient.token_expiry_days
        return change(Action.CREATE, settings=settings)
    observed = found.observed()
    owner = found.owner()
    if owner is not None and owner != pack:
        return change(
            Action.CONFLICT,
            id=found.name,
            observed=observed,
            message=f"recipient {recipient.name} belongs to SharePack {owner!r}; it is left alone",
        )
    immutable = _immutable(recipient, found)
    if immutable:
        return change(
            Action.IMMUTABLE,
            id=found.name,
            observed=observed,
            diff=tuple(immutable),
            message=f"{immutable[0].path} of recipient {recipient.name} cannot change in place; to "
            "replace it, remove it from the pack and apply with --prune, then declare it again",
        )
    diff: list[FieldChange] = []
    if (recipient.comment or None) != (found.comment or None):
        diff.append(FieldChange("comment", found.comment, recipient.comment))
    ips = wanted_ips(recipient, found)
    if ips is not None and ips != tuple(found.ips or ()):
        diff.append(FieldChange("ip_access_list.allowed_ip_addresses", list(found.ips or ()), list(ips)))
    for key, value in sorted(recipient.properties.items()):
        if found.properties.get(key) != value:
            diff.append(FieldChange(f"properties.{key}", found.properties.get(key), value))
    action = Action.ADOPT if owner is None else Action.UPDATE if diff else Action.NOOP
    if action == Action.NOOP:
        return change(Action.NOOP, id=found.name, observed=observed)
    # PATCH replaces properties wholesale: others' keys are sent back as they are.
    # An adopted recipient says so in its mark: destroy then releases it rather than deleting it.
    marks = merge_marks(found.properties, pack, adopted=action == Action.ADOPT)
    wanted: dict[str, Any] = {"properties": marks | dict(recipient.properties)}
    if recipient.comment is not None or found.comment:
        wanted["comment"] = recipient.comment or ""
    if ips is not None:
        wanted["ip_access_list"] = {"allowed_ip_addresses": list(ips)}
    return change(action, id=found.name, observed=observed, diff=tuple(diff), settings=wanted)


def wanted_ips(recipient: DesiredRecipient, found: ActualRecipient) -> tuple[str, ...] | None:
    """The allow list to send, or None when the pack does not manage it.

    The PATCH replaces the list wholesale, so with change lists the list sent is what is there,
    plus the addresses to add, minus those to remove — sorted, as the state reads it, so that a
    list already right compares equal and re-applying sends nothing."""
    if recipient.ips_complete:
        return tuple(recipient.ips) if recipient.ips is not None else None
    current = tuple(found.ips or ())
    absent = {_ip_key(ip) for ip in recipient.absent_ips}
    kept = [ip for ip in current if _ip_key(ip) not in absent]
    have = {_ip_key(ip) for ip in kept}
    added = [ip for ip in recipient.ips or () if _ip_key(ip) not in have and _ip_key(ip) not in absent]
    return tuple(sorted([*kept, *added]))


def _ip_key(address: str) -> str:
    return address.removesuffix("/32")


def _immutable(recipient: DesiredRecipient, found: ActualRecipient) -> list[FieldChange]:
    problems = []
    if recipient.authentication_type != found.authentication_type:
        problems.append(
            FieldChange("authentication_type", found.authentication_type, recipient.authentication_type)
        )
    elif recipient.metastore_id is not None and recipient.metastore_id != found.metastore_id:
        problems.append(
            FieldChange("data_recipient_global_metastore_id", found.metastore_id, recipient.metastore_id)
        )
    return problems
