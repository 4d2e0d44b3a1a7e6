"""What `sharepack status` adds for Delta Sharing: each declared recipient and share.

Everything comes from the state the plan read (one recipient list, one GET and the permission
pages per declared share) and the plan built on it: no request of its own. A D2O recipient's
activation link is in those answers; it is read past, never kept (`ActualRecipient` has no field
for it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sharepack.changes.model import REFUSED, Action, Change, Plan, ResourceType
from sharepack.desired.sharing import DesiredRecipient, DesiredShare
from sharepack.kinds.grant import grant_name
from sharepack.kinds.sharing_state import sharing_of
from sharepack.ops.context import OpsContext

# A change of one of these kinds means the workspace differs from the pack (or is not ours).
_DRIFTED = frozenset({Action.UPDATE, Action.ADOPT, Action.CREATE, Action.DELETE, *REFUSED})
_DAY_MS = 86_400_000


@dataclass(frozen=True)
class RecipientStatus:
    name: str
    type: str  # D2D or D2O, as declared
    exists: bool
    owner: str | None = None  # the pack whose mark it carries; None: no sharepack mark
    drift: bool | None = None  # None when it does not exist
    drift_fields: tuple[str, ...] = ()
    activated: bool | None = None
    token_expires: str | None = None  # ISO time of the active token's expiry (D2O)
    token_days_left: float | None = None  # D2O: days until it expires; None: no expiry known
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": "recipient",
            "type": self.type,
            "exists": self.exists,
            "missing": [] if self.exists else ["recipient"],
            "owner": self.owner,
            "drift": self.drift,
            "drift_fields": list(self.drift_fields),
            "activated": self.activated,
            "token_expires": self.token_expires,
            "token_days_left": self.token_days_left,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class ShareStatus:
    name: str
    exists: bool
    owner: str | None = None
    drift: bool | None = None
    drift_fields: tuple[str, ...] = ()
    objects_declared: int = 0
    objects_present: int = 0  # of the declared objects, how many the share holds
    objects_undeclared: tuple[str, ...] = ()  # held by the share, not declared
    grants_declared: tuple[str, ...] = ()
    grants_present: tuple[str, ...] = ()  # declared recipients holding SELECT
    grants_undeclared: tuple[str, ...] = ()  # holders of SELECT the pack does not declare
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Where it is mounted: "<target>/<catalog>" and "mounted", "not mounted" or "left alone".
    mount: str | None = None
    mount_state: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": "share",
            "exists": self.exists,
            "missing": [] if self.exists else ["share"],
            "owner": self.owner,
            "drift": self.drift,
            "drift_fields": list(self.drift_fields),
            "objects": {
                "declared": self.objects_declared,
                "present": self.objects_present,
                "undeclared": list(self.objects_undeclared),
            },
            "grants": {
                "declared": list(self.grants_declared),
                "present": list(self.grants_present),
                "undeclared": list(self.grants_undeclared),
            },
            "mount": None if self.mount is None else {"where": self.mount, "state": self.mount_state},
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SharingStatus:
    recipients: tuple[RecipientStatus, ...] = ()
    shares: tuple[ShareStatus, ...] = ()

    def rows(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.recipients] + [s.to_dict() for s in self.shares]

    def __bool__(self) -> bool:
        return bool(self.recipients or self.shares)


def read_sharing_status(ctx: OpsContext, plan: Plan, *, now: datetime | None = None) -> SharingStatus:
    now = now or datetime.now(UTC)
    desired = ctx.deployment.desired
    changes = {(c.resource_type, c.name): c for c in plan.changes}
    recipients: tuple[DesiredRecipient, ...] = desired.resources_of(ResourceType.RECIPIENT.value)
    shares: tuple[DesiredShare, ...] = desired.resources_of(ResourceType.SHARE.value)
    return SharingStatus(
        recipients=tuple(_recipient(ctx, r, changes, now) for r in recipients),
        shares=tuple(_share(ctx, s, changes, plan.warnings) for s in shares),
    )


def _drift(relevant: Iterable[Change | None]) -> tuple[list[Change], tuple[str, ...], tuple[str, ...]]:
    drifted = [c for c in relevant if c is not None and c.action in _DRIFTED]
    fields: list[str] = []
    for change in drifted:
        if change.diff:
            fields.extend(d.path for d in change.diff)
        else:  # a grant to make or revoke has no fields
            fields.append(f"{change.resource_type.value} {change.name}: {change.action.value}")
    notes = tuple(c.message for c in drifted if c.message)
    return drifted, tuple(fields), notes


def _recipient(
    ctx: OpsContext,
    declared: DesiredRecipient,
    changes: Mapping[tuple[ResourceType, str], Change],
    now: datetime,
) -> RecipientStatus:
    found = sharing_of(ctx.actual).recipients.get(declared.name)
    if found is None:
        return RecipientStatus(declared.name, declared.kind_word, exists=False)
    drifted, fields, notes = _drift([changes.get((ResourceType.RECIPIENT, declared.name))])
    expires = days = None
    if found.expiration_time:
        moment = datetime.fromtimestamp(found.expiration_time / 1000, UTC)
        expires = moment.isoformat(timespec="minutes")
        days = round((found.expiration_time - now.timestamp() * 1000) / _DAY_MS, 1)
    return RecipientStatus(
        name=declared.name,
        type="D2D" if found.authentication_type == "DATABRICKS" else "D2O",
        exists=True,
        owner=found.owner(),
        drift=bool(drifted),
        drift_fields=fields,
        activated=found.activated,
        token_expires=expires,
        token_days_left=days,
        notes=notes,
    )


def _share(
    ctx: OpsContext,
    declared: DesiredShare,
    changes: Mapping[tuple[ResourceType, str], Change],
    warnings: Iterable[str],
) -> ShareStatus:
    found = sharing_of(ctx.actual).shares.get(declared.name)
    wanted_grants = tuple(declared.recipients)
    mount, mount_words = _mount(ctx, declared.name, changes)
    if found is None:
        return ShareStatus(
            declared.name,
            exists=False,
            objects_declared=len(declared.objects),
            grants_declared=wanted_grants,
            mount=mount,
            mount_state=mount_words,
        )
    relevant = [
        changes.get((ResourceType.SHARE, declared.name)),
        changes.get((ResourceType.SHARE_OBJECTS, declared.name)),
        *(
            c
            for (kind, name), c in changes.items()
            if kind == ResourceType.GRANT and name.startswith(grant_name(declared.name, ""))
        ),
    ]
    drifted, fields, notes = _drift(relevant)
    # Unity Catalog names compare case-insensitively: what the metastore holds is lower-case.
    held = {name.lower() for name in found.objects or {}}
    names = {o.name.lower() for o in declared.objects}
    holders = found.grants or frozenset()
    wanted = {r.lower() for r in wanted_grants}
    # Grants the plan leaves alone (someone else's recipient) are said by a warning, not a change.
    alone = tuple(w for w in warnings if w.startswith(f"share {declared.name} "))
    return ShareStatus(
        name=declared.name,
        exists=True,
        owner=found.owner,
        drift=bool(drifted),
        drift_fields=fields,
        objects_declared=len(declared.objects),
        objects_present=len(names & set(held)),
        objects_undeclared=tuple(sorted(set(held) - names)),
        grants_declared=wanted_grants,
        grants_present=tuple(r for r in wanted_grants if r.lower() in holders),
        grants_undeclared=tuple(sorted(holders - wanted)),
        notes=(*notes, *alone),
        mount=mount,
        mount_state=mount_words,
    )


def _mount(
    ctx: OpsContext, share: str, changes: Mapping[tuple[ResourceType, str], Change]
) -> tuple[str | None, str | None]:
    from sharepack.desired.sharing import DesiredMount

    mounts: tuple[DesiredMount, ...] = ctx.deployment.desired.resources_of(ResourceType.CATALOG.value)
    declared = next((m for m in mounts if m.share == share), None)
    if declared is None:
        return None, None
    change = changes.get((ResourceType.CATALOG, declared.name))
    where = f"{declared.target}/{declared.name}"
    if change is None or change.action == Action.NOOP:
        return where, "mounted"
    if change.action == Action.CREATE:
        return where, "not mounted"
    return where, "left alone" if change.action in REFUSED else f"drift: {change.action.value}"
