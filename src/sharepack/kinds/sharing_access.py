"""Who gains or loses read on what: the effect of a plan's sharing changes, worked out from the
changes themselves and the state the plan already read (no request of its own).

A recipient reads an object when it holds SELECT on a share that holds the object. So for every
share a change touches — its objects, its grants, the share itself, or a grantee deleted — the
(recipient, object) pairs before the plan are compared with those after it. A table removed and
added again in the same PATCH (a changed `shared_as`) moves nothing; a grant made on a share
created by the same plan gains every object the plan puts in it.

Unity Catalog names are case-insensitive, so shares, objects and recipients are compared folded.
A grantee deleted loses what it read through the shares the plan read: shares neither declared
nor ours are not read by a plan, so what it loses there is not known here (`sharepack access`
shows it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sharepack.changes.model import AccessChange, Action, Change, MountChange, Plan, ResourceType

if TYPE_CHECKING:
    from sharepack.desired.state import DesiredState
    from sharepack.kinds.sharing_state import ActualShare, SharingState
    from sharepack.workspace.state import ActualState

GAINS = "gains"
LOSES = "loses"
D2D = "D2D"
D2O = "D2O"
UNKNOWN = "unknown"


def recipient_type(authentication_type: str | None) -> str:
    """D2D for another Databricks metastore; every other way in (token, OIDC, OAuth) is external."""
    if not authentication_type:
        return UNKNOWN
    return D2D if authentication_type.upper() == "DATABRICKS" else D2O


@dataclass
class _ShareView:
    """One share's objects and grantees, keyed by folded name, before or after the plan."""

    name: str
    objects: dict[str, str] = field(default_factory=dict)  # folded -> as written
    grantees: dict[str, str] = field(default_factory=dict)

    def pairs(self) -> set[tuple[str, str]]:
        return {(r, o) for r in self.grantees for o in self.objects}

    def copy(self) -> _ShareView:
        return _ShareView(self.name, dict(self.objects), dict(self.grantees))


def with_access(plan: Plan, actual: ActualState, desired: DesiredState) -> Plan:
    """The plan with its access and mount changes filled in from its own changes."""
    from sharepack.kinds.mount import mount_state
    from sharepack.kinds.sharing_state import sharing_of

    sharing = sharing_of(actual)
    access = access_changes(plan.changes, sharing, _declared_types(desired))
    mounts = mount_changes(plan.changes, sharing, desired, mount_state(actual).metastores)
    return replace(plan, access=access, mounts=mounts)


def _declared_types(desired: DesiredState) -> dict[str, str]:
    return {
        r.name.lower(): recipient_type(r.authentication_type)
        for r in desired.resources_of(ResourceType.RECIPIENT.value)
    }


def access_changes(
    changes: Iterable[Change], sharing: SharingState, declared_types: Mapping[str, str] | None = None
) -> tuple[AccessChange, ...]:
    changes = [c for c in changes if c.is_mutating]
    before = _touched(changes, sharing)
    after = {key: _after(view, key, changes) for key, view in before.items()}
    types = _types(changes, sharing, declared_types or {})
    found: list[AccessChange] = []
    for key, old in before.items():
        new = after[key]
        names = {**old.objects, **new.objects}
        people = {**old.grantees, **new.grantees}
        for change, pairs in ((LOSES, old.pairs() - new.pairs()), (GAINS, new.pairs() - old.pairs())):
            found += [
                AccessChange(
                    recipient=people[r],
                    recipient_type=types.get(r, UNKNOWN),
                    share=new.name,
                    object=names[o],
                    change=change,
                )
                for r, o in pairs
            ]
    return tuple(
        sorted(found, key=lambda a: (a.recipient.lower(), a.share.lower(), a.change, a.object.lower()))
    )


def _share_of(change: Change) -> str:
    return change.name.partition(":")[0] if change.resource_type == ResourceType.GRANT else change.name


def _touched(changes: list[Change], sharing: SharingState) -> dict[str, _ShareView]:
    """The shares whose readers or contents the changes move, as read (empty when absent)."""
    by_key = {name.lower(): share for name, share in sharing.shares.items()}
    names: dict[str, str] = {}
    for change in changes:
        if change.resource_type in (ResourceType.SHARE, ResourceType.SHARE_OBJECTS, ResourceType.GRANT):
            names.setdefault(_share_of(change).lower(), _share_of(change))
    deleted = {
        c.name.lower()
        for c in changes
        if c.resource_type == ResourceType.RECIPIENT and c.action == Action.DELETE
    }
    for key, share in by_key.items():
        if deleted & {g.lower() for g in share.grants or ()}:
            names.setdefault(key, share.name)
    return {key: _view(by_key.get(key), name) for key, name in names.items()}


def _view(found: ActualShare | None, name: str) -> _ShareView:
    if found is None:
        return _ShareView(name)
    return _ShareView(
        found.name,
        objects={o.lower(): o for o in found.objects or {}},
        grantees={g.lower(): g for g in found.grants or ()},
    )


def _after(view: _ShareView, key: str, changes: list[Change]) -> _ShareView:
    new = view.copy()
    for change in changes:
        if change.resource_type == ResourceType.RECIPIENT and change.action == Action.DELETE:
            new.grantees.pop(change.name.lower(), None)
        if _share_of(change).lower() != key:
            continue
        if change.resource_type == ResourceType.SHARE and change.action == Action.DELETE:
            # Deleting a share drops its objects and grants with it.
            return _ShareView(view.name)
        if change.resource_type == ResourceType.SHARE_OBJECTS:
            _apply_updates(new, (change.settings or {}).get("updates") or [])
        elif change.resource_type == ResourceType.GRANT:
            recipient = change.name.partition(":")[2]
            if change.action == Action.DELETE:
                new.grantees.pop(recipient.lower(), None)
            else:
                new.grantees.setdefault(recipient.lower(), recipient)
    return new


def _apply_updates(view: _ShareView, updates: Iterable[Mapping[str, Any]]) -> None:
    for update in updates:
        name = str((update.get("data_object") or {}).get("name", ""))
        if not name:
            continue
        if update.get("action") == "REMOVE":
            view.objects.pop(name.lower(), None)
        elif update.get("action") == "ADD":
            view.objects.setdefault(name.lower(), name)


def _types(changes: list[Change], sharing: SharingState, declared: Mapping[str, str]) -> dict[str, str]:
    types = dict(declared)
    for change in changes:
        if change.resource_type == ResourceType.RECIPIENT and change.action == Action.CREATE:
            types[change.name.lower()] = recipient_type((change.settings or {}).get("authentication_type"))
    # What the workspace holds is what the recipient is (a type cannot change in place).
    types.update(
        {name.lower(): recipient_type(r.authentication_type) for name, r in sharing.recipients.items()}
    )
    return types


def mount_changes(
    changes: Iterable[Change],
    sharing: SharingState,
    desired: DesiredState,
    metastores: Mapping[str, str],
) -> tuple[MountChange, ...]:
    """What each mount created or dropped means on the consuming side: the share's objects
    (as the plan leaves them) become, or stop being, a catalog in that target's workspace."""
    from sharepack.desired.sharing import DesiredMount

    changes = [c for c in changes if c.is_mutating]
    declared: dict[str, DesiredMount] = {
        m.name.lower(): m for m in desired.resources_of(ResourceType.CATALOG.value)
    }
    recipients = desired.resources_of(ResourceType.RECIPIENT.value)
    found: list[MountChange] = []
    for change in changes:
        if change.resource_type != ResourceType.CATALOG or change.action not in (
            Action.CREATE,
            Action.DELETE,
        ):
            continue
        settings = change.settings or {}
        mount = declared.get(change.name.lower())
        share = str(settings.get("share") or (mount.share if mount else ""))
        target = str(settings.get("target") or (mount.target if mount else ""))
        metastore = metastores.get(target)
        recipient = next(
            (
                r.name
                for r in recipients
                if mount is not None
                and r.name in mount.recipients
                and metastore is not None
                and r.metastore_id == metastore
            ),
            None,
        )
        view = _view(_find_share(sharing, share), share)
        if change.action == Action.CREATE:
            view = _after(view, share.lower(), changes)
        found.append(
            MountChange(
                target=target,
                catalog=change.name,
                share=share,
                recipient=recipient,
                change="mounts" if change.action == Action.CREATE else "unmounts",
                objects=tuple(sorted(view.objects.values(), key=str.lower)),
            )
        )
    return tuple(found)


def _find_share(sharing: SharingState, name: str) -> ActualShare | None:
    return next((s for n, s in sharing.shares.items() if n.lower() == name.lower()), None)
