"""A share mounted as a read-only catalog in the recipient's workspace (D2D only).

The catalog lives in another workspace — the one of the mount's target — so it is read and
written through that workspace's client (a *peer*). Our mark is in the catalog's `properties`.
Its provider and share cannot change in place: a difference is refused with the way out.
Created after the provider side, once the recipient's metastore lists the share (a bounded
wait: Databricks makes a new grant visible to the recipient within moments, not instantly).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sharepack.changes.diff import FieldChange
from sharepack.changes.model import Action, Change, ResourceType, change_key
from sharepack.desired.sharing import DesiredMount
from sharepack.errors import WorkspaceError
from sharepack.kinds.base import KindDefaults, PlanInput, PlanOutput, WriteContext, Written, release
from sharepack.workspace.ownership import (
    PACK_TAG,
    is_managed,
    merge_marks,
    ownership_tags,
    was_adopted,
    without_marks,
)

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState

TYPE = ResourceType.CATALOG
READER = "mounts"
VISIBLE_WITHIN_S = 120.0  # how long a new grant may take to reach the recipient's metastore


@dataclass(frozen=True)
class ActualCatalog:
    name: str
    provider_name: str | None
    share_name: str | None
    properties: Mapping[str, str]

    def owner(self) -> str | None:
        return self.properties.get(PACK_TAG) if is_managed(self.properties) else None


@dataclass(frozen=True)
class MountState:
    catalogs: Mapping[str, ActualCatalog | None] = field(default_factory=dict)  # by catalog name
    provider_global_id: str | None = None  # this (the provider's) metastore, as recipients see it
    providers: Mapping[str, str] = field(default_factory=dict)  # target -> provider name there
    metastores: Mapping[str, str] = field(default_factory=dict)  # target -> its metastore's global ID
    # Catalogs in the mounts' workspaces that carry this pack's mark but are not declared (a mount
    # renamed, or removed): (target, catalog). Deleted with --prune and by destroy, else said.
    strays: tuple[tuple[str, ActualCatalog], ...] = ()


def mount_state(actual: Any) -> MountState:
    state = getattr(actual, "resources", {}).get(READER)
    return state if isinstance(state, MountState) else MountState()


class MountReader:
    name = READER

    def read(
        self,
        client: WorkspaceClient,
        desired: DesiredState,
        *,
        complete: bool,
        parallelism: int,
        peers: Mapping[str, WorkspaceClient] | None = None,
        trust_digest: bool = False,
    ) -> MountState:
        mounts: tuple[DesiredMount, ...] = desired.resources_of(TYPE.value)
        if not mounts or not peers:
            return MountState()
        summary = client.metastores.summary()
        provider_id = summary.global_metastore_id
        targets = sorted({m.target for m in mounts if m.target in peers})
        with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
            catalogs = dict(
                pool.map(
                    lambda m: (m.name, _read_catalog(peers[m.target], m.name)),
                    [m for m in mounts if m.target in peers],
                )
            )
            providers = dict(pool.map(lambda t: (t, _provider_name(peers[t], provider_id)), targets))
            metastores = dict(
                pool.map(lambda t: (t, peers[t].metastores.summary().global_metastore_id), targets)
            )
            declared = {m.name for m in mounts}
            marked = list(
                pool.map(lambda t: [(t, c) for c in _marked_catalogs(peers[t], desired.pack)], targets)
            )
        return MountState(
            catalogs=catalogs,
            provider_global_id=provider_id,
            providers={t: p for t, p in providers.items() if p},
            metastores={t: m for t, m in metastores.items() if m},
            strays=tuple((t, c) for found in marked for t, c in found if c.name not in declared),
        )


def _read_catalog(client: WorkspaceClient, name: str) -> ActualCatalog | None:
    from databricks.sdk.errors import NotFound

    try:
        info = client.catalogs.get(name)
    except NotFound:
        return None
    return ActualCatalog(
        name=name,
        provider_name=info.provider_name,
        share_name=info.share_name,
        properties=dict(info.properties or {}),
    )


def _marked_catalogs(client: WorkspaceClient, pack: str) -> list[ActualCatalog]:
    """The catalogs of that workspace carrying this pack's mark: one paginated list."""
    found = []
    for info in client.catalogs.list():
        properties = dict(info.properties or {})
        if info.name and is_managed(properties, pack):
            found.append(ActualCatalog(info.name, info.provider_name, info.share_name, properties))
    return found


def _provider_name(client: WorkspaceClient, provider_global_id: str | None) -> str | None:
    """The name the recipient's metastore gives us as a provider (None until a grant makes us one)."""
    for provider in client.providers.list(data_provider_global_metastore_id=provider_global_id):
        if provider.name and provider.data_provider_global_metastore_id == provider_global_id:
            return provider.name
    return None


class MountKind(KindDefaults):
    resource_type = TYPE
    rank = 70
    fatal = True
    label = "mounted catalogs"

    def plan(self, given: PlanInput) -> PlanOutput:
        state = mount_state(given.actual)
        pack = given.desired.pack
        changes = []
        for mount in given.desired.resources_of(TYPE.value):
            if not given.selected(mount.name, mount.share):
                continue
            if mount.name not in state.catalogs:
                changes.append(
                    Change(
                        Action.CONFLICT,
                        TYPE,
                        mount.name,
                        pack,
                        message=f"the workspace of target {mount.target!r} was not reached: the mount of "
                        f"share {mount.share} is left alone",
                    )
                )
                continue
            unreachable = _not_shared_with(mount, given.desired, state)
            if unreachable:
                changes.append(Change(Action.CONFLICT, TYPE, mount.name, pack, message=unreachable))
                continue
            changes.append(_change(mount, state.catalogs[mount.name], state, pack))
        strays = [(t, c) for t, c in state.strays if given.selected(c.name, c.share_name or "")]
        if strays and not given.prune:
            names = ", ".join(f"{c.name} (target {t})" for t, c in strays)
            warning = (
                f"{len(strays)} catalog(s) this SharePack mounted are no longer declared ({names}; a "
                "renamed mount leaves its old catalog): run with --prune to delete them"
            )
            return PlanOutput(tuple(changes), (warning,))
        deletes = [
            _unmount(t, c, pack, "no longer declared in the SharePack (a renamed mount?)") for t, c in strays
        ]
        return PlanOutput((*changes, *deletes))

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        state = mount_state(actual)
        changes = []
        for mount in desired.resources_of(TYPE.value):
            found = state.catalogs.get(mount.name)
            if found is not None and found.owner() == desired.pack and was_adopted(found.properties):
                # A catalog the pack adopted as its mount was someone's: released, not dropped.
                settings = {"target": mount.target, "properties": without_marks(found.properties)}
                changes.append(release(TYPE, mount.name, desired.pack, _observed(found), settings))
            elif found is not None and found.owner() == desired.pack:
                changes.append(
                    Change(
                        Action.DELETE,
                        TYPE,
                        mount.name,
                        desired.pack,
                        id=mount.name,
                        observed=_observed(found),
                        settings={"target": mount.target},
                    )
                )
        for target, found in state.strays:
            if was_adopted(found.properties):
                settings = {"target": target, "properties": without_marks(found.properties)}
                changes.append(release(TYPE, found.name, desired.pack, _observed(found), settings))
            else:
                changes.append(_unmount(target, found, desired.pack, "no longer declared in the SharePack"))
        return PlanOutput(tuple(changes))

    def observed(self, change: Change, actual: ActualState) -> str:
        state = mount_state(actual)
        if change.name not in state.catalogs:
            strays = {c.name: c for _, c in state.strays}
            return _observed(strays.get(change.name))
        return _observed(state.catalogs.get(change.name))

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        share = str((change.settings or {}).get("share", ""))
        wanted = {change_key(ResourceType.SHARE, share), change_key(ResourceType.SHARE_OBJECTS, share)}
        wanted |= {k for k in planned if k.startswith(f"{ResourceType.GRANT.value}:{share}:")}
        return wanted & planned

    def depends_on(self, change: Change) -> set[str]:
        if change.action != Action.CREATE:
            return set()
        share = str((change.settings or {}).get("share", ""))
        return {change_key(ResourceType.SHARE, share), change_key(ResourceType.SHARE_OBJECTS, share)}

    def write(self, change: Change, context: WriteContext) -> Written:
        settings = change.settings or {}
        peer = context.writer.peers.get(str(settings.get("target")))
        if peer is None:
            raise WorkspaceError(f"the workspace of target {settings.get('target')!r} is not connected")
        if change.action == Action.DELETE:
            from databricks.sdk.errors import NotFound

            with contextlib.suppress(NotFound):  # already gone: the goal is reached
                peer.catalogs.delete(change.name, force=True)
            return Written(change.name)
        if change.action == Action.CREATE:
            provider = _wait_for_share(peer, str(settings["provider_global_id"]), str(settings["share"]))
            peer.catalogs.create(
                change.name,
                provider_name=provider,
                share_name=str(settings["share"]),
                properties=dict(settings["properties"]),
                comment=settings.get("comment"),
            )
            return Written(change.name)
        peer.catalogs.update(change.name, properties=dict(settings["properties"]))
        return Written(change.name)


def _unmount(target: str, found: ActualCatalog, pack: str, why: str) -> Change:
    return Change(
        Action.DELETE,
        TYPE,
        found.name,
        pack,
        id=found.name,
        observed=_observed(found),
        settings={"target": target},
        message=why,
    )


def _not_shared_with(mount: DesiredMount, desired: DesiredState, state: MountState) -> str | None:
    """Why the share can never reach the mount's workspace, found at plan time (else None)."""
    wanted = state.metastores.get(mount.target)
    if wanted is None:
        return None
    mounted_for = {name.lower() for name in mount.recipients}
    granted = {
        r.metastore_id
        for r in desired.resources_of(ResourceType.RECIPIENT.value)
        if r.name.lower() in mounted_for
    }
    if wanted in granted:
        return None
    return (
        f"share {mount.share} is mounted in target {mount.target!r}, whose metastore is {wanted}, but none "
        f"of the share's D2D recipients is that metastore: set recipient_databricks_org: {wanted} on the "
        "recipient for that workspace"
    )


def _wait_for_share(client: WorkspaceClient, provider_global_id: str, share: str) -> str:
    deadline = time.monotonic() + VISIBLE_WITHIN_S
    delay = 0.2
    while True:
        provider = _provider_name(client, provider_global_id)
        if provider is not None:
            shares = {s.name.lower() for s in client.providers.list_shares(provider) if s.name}
            if share.lower() in shares:
                return provider
        if time.monotonic() > deadline:
            raise WorkspaceError(
                f"share {share} did not reach the recipient's metastore within {VISIBLE_WITHIN_S:.0f} s",
                hint="check that the share is granted to a D2D recipient whose recipient_databricks_org "
                "is that workspace's metastore (SELECT CURRENT_METASTORE() there), then apply again",
            )
        time.sleep(delay)
        delay = min(delay * 2, 5.0)


def _same(found: str | None, wanted: str) -> bool:
    return found is not None and found.lower() == wanted.lower()


def _observed(found: ActualCatalog | None) -> str:
    if found is None:
        return "absent"
    return f"id:{found.provider_name}:{found.share_name}:{found.owner()}"


def _change(mount: DesiredMount, found: ActualCatalog | None, state: MountState, pack: str) -> Change:
    marks = ownership_tags(pack)
    if found is None:
        return Change(
            Action.CREATE,
            TYPE,
            mount.name,
            pack,
            settings={
                "target": mount.target,
                "share": mount.share,
                "provider_global_id": state.provider_global_id,
                "properties": marks,
                "comment": f"Share {mount.share}, mounted by sharepack",
            },
        )
    observed = _observed(found)
    owner = found.owner()
    if owner is not None and owner != pack:
        return Change(
            Action.CONFLICT,
            TYPE,
            mount.name,
            pack,
            id=mount.name,
            observed=observed,
            message=f"catalog {mount.name} belongs to SharePack {owner!r}; it is left alone",
        )
    provider = state.providers.get(mount.target)
    # Unity Catalog keeps names lower-case: a mount of `Finance_Share` reads `finance_share`.
    if not _same(found.share_name, mount.share) or (
        provider is not None and not _same(found.provider_name, provider)
    ):
        return Change(
            Action.IMMUTABLE,
            TYPE,
            mount.name,
            pack,
            id=mount.name,
            observed=observed,
            diff=(FieldChange("share_name", found.share_name, mount.share),),
            message=f"catalog {mount.name} mounts {found.provider_name}.{found.share_name}, not this pack's "
            f"share {mount.share}; a mount's provider and share cannot change in place: drop the catalog "
            "(or choose another catalog name) and apply again",
        )
    if owner is None:
        return Change(
            Action.ADOPT,
            TYPE,
            mount.name,
            pack,
            id=mount.name,
            observed=observed,
            settings={
                "target": mount.target,
                "share": mount.share,
                "properties": merge_marks(found.properties, pack, adopted=True),
            },
            diff=tuple(FieldChange(f"properties.{k}", None, v) for k, v in marks.items()),
        )
    return Change(Action.NOOP, TYPE, mount.name, pack, id=mount.name, observed=observed)
