"""What the metastore holds of Delta Sharing, and reading it in few requests.

Recipients: one paged list (it carries every field we diff). Shares: the list carries no
objects, so each declared share costs one GET with its objects plus its permission pages, all
sent in parallel. Shares we own but no longer declare are found from the share list, read only
for `--prune` and `destroy`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sharepack.workspace.ownership import PACK_TAG, is_managed, split_comment_mark

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.desired.sharing import DesiredShare
    from sharepack.desired.state import DesiredState

PAGE_SIZE = 100
READER = "sharing"
V = TypeVar("V")


class ByName(dict[str, V]):
    """Values by Unity Catalog name, which Databricks compares case-insensitively and keeps
    lower-case (databricks/cli #5531): `Finance_Share` finds `finance_share`. Keys are folded on
    the way in and on every lookup, so no caller can compare names the wrong way."""

    def __init__(self, items: Iterable[tuple[str, V]] = ()) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __setitem__(self, key: str, value: V) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> V:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


def fold(names: Iterable[str]) -> frozenset[str]:
    """Names as Unity Catalog compares them."""
    return frozenset(n.lower() for n in names)


@dataclass(frozen=True)
class ActualRecipient:
    name: str
    authentication_type: str
    comment: str | None
    metastore_id: str | None
    ips: tuple[str, ...] | None
    properties: Mapping[str, str]
    activated: bool | None = None
    expiration_time: int | None = None  # epoch ms of the active token's expiry, D2O

    def owner(self) -> str | None:
        """The pack that owns it, or None when sharepack did not make it."""
        return self.properties.get(PACK_TAG) if is_managed(self.properties) else None

    def observed(self) -> str:
        return "id:" + _digest(
            [self.authentication_type, self.comment, self.metastore_id, self.ips, dict(self.properties)]
        )


@dataclass(frozen=True)
class ActualShare:
    name: str
    comment: str | None
    objects: Mapping[str, Mapping[str, Any]] | None  # by object name (folded); None when not read
    grants: frozenset[str] | None = None  # recipients holding SELECT, lower-case; None: not read

    @property
    def owner(self) -> str | None:
        return split_comment_mark(self.comment)[1]

    def observed(self) -> str:
        objects = {k: dict(v) for k, v in sorted((self.objects or {}).items())}
        return "id:" + _digest([self.comment, objects, sorted(self.grants or ())])


@dataclass(frozen=True)
class SharingState:
    recipients: Mapping[str, ActualRecipient] = field(default_factory=ByName)
    shares: Mapping[str, ActualShare] = field(default_factory=ByName)  # absent: not found
    complete: bool = False  # every share listed, so undeclared ones of ours are known


def sharing_of(actual: Any) -> SharingState:
    """The sharing part of an ActualState (empty when nothing was read)."""
    state = getattr(actual, "resources", {}).get(READER)
    return state if isinstance(state, SharingState) else SharingState()


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


class SharingReader:
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
    ) -> SharingState:
        shares: tuple[DesiredShare, ...] = desired.resources_of("share")
        declares_sharing = bool(shares or desired.resources_of("recipient"))
        if not declares_sharing and not complete:
            return SharingState()
        if not declares_sharing:
            # Looking for shares a pack used to declare (prune, destroy): a workspace without
            # Unity Catalog sharing, or a user without its privileges, simply has none of ours.
            from databricks.sdk.errors import NotFound, PermissionDenied

            try:
                return self._read(client, desired, shares, complete=complete, parallelism=parallelism)
            except (NotFound, PermissionDenied):
                return SharingState(complete=True)
        return self._read(client, desired, shares, complete=complete, parallelism=parallelism)

    def _read(
        self,
        client: WorkspaceClient,
        desired: DesiredState,
        shares: tuple[DesiredShare, ...],
        *,
        complete: bool,
        parallelism: int,
    ) -> SharingState:
        with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
            recipients_future = pool.submit(_list_recipients, client)
            listed_future = pool.submit(_list_share_names, client) if complete else None
            names = {s.name for s in shares}
            found = list(pool.map(lambda n: _read_share(client, n), sorted(names)))
            extra: list[ActualShare | None] = []
            if listed_future is not None:
                declared = fold(names)
                ours = [
                    name
                    for name, comment in listed_future.result().items()
                    if name.lower() not in declared and split_comment_mark(comment)[1] == desired.pack
                ]
                extra = list(pool.map(lambda n: _read_share(client, n), sorted(ours)))
            recipients = recipients_future.result()
        return SharingState(
            recipients=recipients,
            shares=ByName((s.name, s) for s in [*found, *extra] if s is not None),
            complete=complete,
        )


def _list_recipients(client: WorkspaceClient) -> ByName[ActualRecipient]:
    result: ByName[ActualRecipient] = ByName()
    for info in client.recipients.list(max_results=PAGE_SIZE):
        if not info.name:
            continue
        ips = info.ip_access_list.allowed_ip_addresses if info.ip_access_list else None
        tokens = info.tokens or []
        result[info.name] = ActualRecipient(
            name=info.name,
            authentication_type=info.authentication_type.value if info.authentication_type else "",
            comment=info.comment or None,
            metastore_id=info.data_recipient_global_metastore_id,
            ips=tuple(sorted(ips)) if ips else None,
            properties=dict((info.properties_kvpairs.properties or {}) if info.properties_kvpairs else {}),
            activated=info.activated,
            expiration_time=max((t.expiration_time or 0 for t in tokens), default=None) or None,
        )
    return result


def _list_share_names(client: WorkspaceClient) -> dict[str, str | None]:
    # `shares.list` was renamed `list_shares` in newer SDKs; the floor (0.56) has only the former.
    lister: Any = getattr(client.shares, "list_shares", None) or getattr(client.shares, "list")  # noqa: B009
    return {s.name: s.comment for s in lister(max_results=PAGE_SIZE) if s.name}


def _read_share(client: WorkspaceClient, name: str) -> ActualShare | None:
    from databricks.sdk.errors import NotFound

    try:
        info = client.shares.get(name, include_shared_data=True)
    except NotFound:
        return None
    objects = ByName((o.name, o.as_dict()) for o in info.objects or [] if o.name)
    return ActualShare(name=name, comment=info.comment or None, objects=objects, grants=_grants(client, name))


def _grants(client: WorkspaceClient, share: str) -> frozenset[str]:
    return frozenset(principal.lower() for principal in select_grantees(client, share))


def select_grantees(client: WorkspaceClient, share: str) -> list[str]:
    """The principals holding SELECT on a share, as the workspace spells them, every page read."""
    holders: list[str] = []
    token: str | None = None
    while True:
        page = client.shares.share_permissions(share, max_results=PAGE_SIZE, page_token=token)
        for assignment in page.privilege_assignments or []:
            privileges = {p.value if hasattr(p, "value") else str(p) for p in assignment.privileges or []}
            if assignment.principal and "SELECT" in privileges:
                holders.append(assignment.principal)
        token = page.next_page_token
        if not token:
            return holders
