"""A pack's Delta Sharing half as the recipients and shares it declares, in the API's terms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sharepack.pack.names import api_name
from sharepack.workspace.ownership import ownership_tags

if TYPE_CHECKING:
    from sharepack.pack import Pack

CONTACT_PROPERTY = "sharepack_contact"
AUTHENTICATION = {"D2D": "DATABRICKS", "D2O": "TOKEN"}
# What the server answers for a field we leave unset, so that unset never shows as a change.
HISTORY = {True: "ENABLED", False: "DISABLED"}
# Aliased by `shared_as`; volumes and models by `string_shared_as` (the SDK's SharedDataObject).
TABLE_ALIASED = frozenset(
    {"TABLE", "VIEW", "MATERIALIZED_VIEW", "STREAMING_TABLE", "FOREIGN_TABLE", "SCHEMA"}
)


@dataclass(frozen=True)
class DesiredRecipient:
    name: str
    authentication_type: str  # DATABRICKS (D2D) or TOKEN (D2O)
    comment: str | None
    metastore_id: str | None  # D2D: the recipient metastore's global ID
    ips: tuple[str, ...] | None  # D2O: the full allow list, sorted; None: not managed
    token_expiry_days: int | None
    properties: Mapping[str, str]  # the properties that are ours to set (marks, contact)
    # False: `ips` must be in the allow list, the rest of it is left alone (`*_to_add`).
    ips_complete: bool = True
    absent_ips: tuple[str, ...] = ()  # must not be in the allow list (`*_to_remove`)

    @property
    def kind_word(self) -> str:
        return "D2D" if self.authentication_type == "DATABRICKS" else "D2O"


@dataclass(frozen=True)
class DesiredObject:
    name: str
    data_object_type: str
    shared_as: str | None
    history: bool | None
    cdf: bool | None

    @property
    def alias_field(self) -> str:
        """The field that carries this object's alias: tables' `shared_as`, others' `string_shared_as`."""
        return "shared_as" if self.data_object_type in TABLE_ALIASED else "string_shared_as"

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "data_object_type": self.data_object_type}
        if self.shared_as is not None:
            data[self.alias_field] = self.shared_as
        if self.history is not None:
            data["history_data_sharing_status"] = HISTORY[self.history]
        if self.cdf is not None:
            data["cdf_enabled"] = self.cdf
        return data


@dataclass(frozen=True)
class DesiredShare:
    name: str
    comment: str | None  # as declared; our mark is added on the way out
    objects: tuple[DesiredObject, ...]
    recipients: tuple[str, ...]
    # False when the pack gave change lists only: objects (grants) it does not name are left alone.
    objects_complete: bool = True
    absent_objects: tuple[str, ...] = ()
    recipients_complete: bool = True
    absent_recipients: tuple[str, ...] = ()

    def object_named(self, name: str) -> DesiredObject | None:
        return next((o for o in self.objects if o.name.lower() == name.lower()), None)


def desired_recipients(pack: Pack) -> tuple[DesiredRecipient, ...]:
    marks = ownership_tags(pack.name)
    return tuple(
        DesiredRecipient(
            name=r.name,
            authentication_type=AUTHENTICATION[r.type],
            comment=r.comment,
            metastore_id=r.databricks_org,
            ips=tuple(sorted(r.ips)) if r.ips is not None else None,
            token_expiry_days=r.token_expiry_days,
            properties={**marks, **({CONTACT_PROPERTY: r.email} if r.email else {})},
            ips_complete=r.ips_complete,
            absent_ips=tuple(sorted(r.absent_ips)),
        )
        for r in pack.recipients
    )


def desired_shares(pack: Pack) -> tuple[DesiredShare, ...]:
    return tuple(
        DesiredShare(
            name=s.name,
            comment=s.comment,
            objects=tuple(
                DesiredObject(
                    # Sent and compared as the API names them: backticks are SQL quoting only.
                    name=api_name(a.name),
                    data_object_type=a.type,
                    shared_as=api_name(a.shared_as) if a.shared_as else a.shared_as,
                    history=a.history,
                    cdf=a.cdf,
                )
                for a in s.assets
            ),
            recipients=tuple(s.recipients),
            objects_complete=s.assets_complete,
            absent_objects=tuple(api_name(n) for n in s.absent_assets),
            recipients_complete=s.recipients_complete,
            absent_recipients=s.absent_recipients,
        )
        for s in pack.shares
    )


@dataclass(frozen=True)
class DesiredMount:
    name: str  # the catalog's name in the recipient's workspace
    target: str  # the pack's target whose workspace is the recipient's
    share: str
    recipients: tuple[str, ...]  # the share's D2D recipients, one of which is that workspace


def desired_mounts(shares: Any) -> tuple[DesiredMount, ...]:
    return tuple(
        DesiredMount(
            name=s.mount.catalog, target=s.mount.target, share=s.name, recipients=tuple(s.recipients)
        )
        for s in shares
        if s.mount is not None
    )
