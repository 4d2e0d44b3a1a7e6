"""`sharepack access`: who can read what in a workspace, through which share, managed by which pack.

Every share in the workspace counts, not only a pack's: access granted by hand is access too.
Cost: one paged listing of shares and one of recipients, side by side, then per share one GET with
its objects and its permission page(s), all sent in parallel (bounded). No write, ever.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sharepack.kinds.sharing_access import UNKNOWN, recipient_type
from sharepack.plan.access_policy import object_matches
from sharepack.workspace.ownership import PACK_TAG, is_managed, split_comment_mark

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

PAGE_SIZE = 100


@dataclass(frozen=True)
class AccessRow:
    """One recipient reading one object through one share."""

    recipient: str
    recipient_type: str  # D2O, D2D or unknown (a grantee no recipient listing returned)
    share: str
    object: str
    object_type: str
    shared_as: str | None
    pack: str | None  # the pack whose mark the share carries; None: made by hand
    recipient_pack: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "recipient_type": self.recipient_type,
            "share": self.share,
            "object": self.object,
            "object_type": self.object_type,
            "shared_as": self.shared_as,
            "pack": self.pack,
            "recipient_pack": self.recipient_pack,
        }


@dataclass(frozen=True)
class RecipientEntry:
    name: str
    type: str
    pack: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "pack": self.pack}


@dataclass(frozen=True)
class ShareEntry:
    name: str
    pack: str | None
    objects: int
    grantees: tuple[str, ...]


@dataclass(frozen=True)
class AccessReport:
    rows: tuple[AccessRow, ...] = ()
    recipients: tuple[RecipientEntry, ...] = ()
    shares: tuple[ShareEntry, ...] = field(default_factory=tuple)

    def reads(self, recipient: str) -> list[AccessRow]:
        return [r for r in self.rows if r.recipient.lower() == recipient.lower()]


def read_access(client: WorkspaceClient, *, parallelism: int = 8) -> AccessReport:
    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        recipients_future = pool.submit(_list_recipients, client)
        listed = _list_shares(client)
        shares = list(pool.map(lambda name: _read_share(client, name), listed))
        recipients = recipients_future.result()
    return build_report(recipients, [s for s in shares if s is not None])


@dataclass(frozen=True)
class _Share:
    name: str
    comment: str | None
    objects: tuple[Mapping[str, Any], ...]
    grantees: tuple[str, ...]


def build_report(recipients: Iterable[RecipientEntry], shares: Iterable[_Share]) -> AccessReport:
    by_name = {r.name.lower(): r for r in recipients}
    rows: list[AccessRow] = []
    entries: list[ShareEntry] = []
    for share in shares:
        pack = split_comment_mark(share.comment)[1]
        entries.append(ShareEntry(share.name, pack, len(share.objects), share.grantees))
        for grantee in share.grantees:
            found = by_name.get(grantee.lower())
            for obj in share.objects:
                rows.append(
                    AccessRow(
                        recipient=found.name if found else grantee,
                        recipient_type=found.type if found else UNKNOWN,
                        share=share.name,
                        object=str(obj.get("name")),
                        object_type=str(obj.get("data_object_type") or "TABLE"),
                        shared_as=obj.get("shared_as"),
                        pack=pack,
                        recipient_pack=found.pack if found else None,
                    )
                )
    rows.sort(key=lambda r: (r.recipient.lower(), r.share.lower(), r.object.lower()))
    return AccessReport(
        rows=tuple(rows),
        recipients=tuple(sorted(by_name.values(), key=lambda r: r.name.lower())),
        shares=tuple(sorted(entries, key=lambda s: s.name.lower())),
    )


def narrowed(
    report: AccessReport,
    *,
    recipient: str | None = None,
    object_glob: str | None = None,
    pack: str | None = None,
    pack_shares: Iterable[str] = (),
    pack_recipients: Iterable[str] = (),
) -> AccessReport:
    """The report cut to a recipient (a name or glob), objects matching a glob, and a pack: the
    shares it declares or marks, and what the recipients it declares or marks read elsewhere."""
    shares = {s.lower() for s in pack_shares}
    people = {r.lower() for r in pack_recipients}

    def of_pack(row: AccessRow) -> bool:
        return (
            row.share.lower() in shares
            or row.recipient.lower() in people
            or (pack is not None and pack in (row.pack, row.recipient_pack))
        )

    def keep_recipient(name: str) -> bool:
        return recipient is None or fnmatch.fnmatchcase(name.lower(), recipient.lower())

    rows = [
        r
        for r in report.rows
        if keep_recipient(r.recipient)
        and (object_glob is None or object_matches(r.object, object_glob.lower()))
        and (pack is None or of_pack(r))
    ]
    recipients = [
        r
        for r in report.recipients
        if keep_recipient(r.name)
        and (
            pack is None
            or r.name.lower() in people
            or r.pack == pack
            or any(x.recipient == r.name for x in rows)
        )
        and (object_glob is None or any(x.recipient == r.name for x in rows))
    ]
    return replace(report, rows=tuple(rows), recipients=tuple(recipients))


# -- reads -----------------------------------------------------------------------------------------
def _list_recipients(client: WorkspaceClient) -> list[RecipientEntry]:
    found = []
    for info in client.recipients.list(max_results=PAGE_SIZE):
        if not info.name:
            continue
        properties = dict(info.properties_kvpairs.properties or {}) if info.properties_kvpairs else {}
        kind = info.authentication_type.value if info.authentication_type else None
        found.append(
            RecipientEntry(
                name=info.name,
                type=recipient_type(kind),
                pack=properties.get(PACK_TAG) if is_managed(properties) else None,
            )
        )
    return found


def _list_shares(client: WorkspaceClient) -> list[str]:
    # `shares.list` was renamed `list_shares` in newer SDKs; the floor (0.56) has only the former.
    lister: Any = getattr(client.shares, "list_shares", None) or getattr(client.shares, "list")  # noqa: B009
    return [s.name for s in lister(max_results=PAGE_SIZE) if s.name]


def _read_share(client: WorkspaceClient, name: str) -> _Share | None:
    from databricks.sdk.errors import NotFound

    try:
        info = client.shares.get(name, include_shared_data=True)
        grantees = _grantees(client, name)
    except NotFound:
        return None  # deleted between the listing and the read: it grants nothing now
    objects = tuple(o.as_dict() for o in info.objects or [] if o.name)
    return _Share(name, info.comment or None, objects, grantees)


def _grantees(client: WorkspaceClient, share: str) -> tuple[str, ...]:
    from sharepack.kinds.sharing_state import select_grantees

    return tuple(sorted(set(select_grantees(client, share)), key=str.lower))
