"""Shares and recipients as the engine reads them: final names, assets typed, grants resolved.

A target's `name_prefix` applies to shares and recipients as to pipelines, so that two people
deploying one pack in development mode do not grant each other's shares. A recipient named in a
share's `recipients` but not declared in the pack exists already and keeps its name.
"""

from __future__ import annotations

from sharepack.pack.models import Share, SharePack
from sharepack.pack.positions import PositionIndex
from sharepack.pack.resolved import ResolvedAsset, ResolvedMount, ResolvedRecipient, ResolvedShare
from sharepack.pack.sharing_models import Recipient


def resolve_sharing(
    spec: SharePack, prefix: str, index: PositionIndex
) -> tuple[tuple[ResolvedShare, ...], tuple[ResolvedRecipient, ...]]:
    recipients = tuple(
        _recipient(recipient, prefix, index.position(("recipient", i)))
        for i, recipient in enumerate(spec.recipient)
    )
    final = declared_recipients(spec, prefix)
    shares = tuple(_share(share, s, prefix, final, index) for s, share in enumerate(spec.share))
    return shares, recipients


def declared_recipients(spec: SharePack, prefix: str) -> dict[str, str]:
    """Final name of each recipient the pack declares, by its name in lower case (as UC compares)."""
    final: dict[str, str] = {}
    for recipient in spec.recipient:
        final.setdefault(recipient.name.lower(), prefix + recipient.name)
    return final


def _recipient(recipient: Recipient, prefix: str, location: tuple[int, int]) -> ResolvedRecipient:
    full, add = recipient.recipient_ips, recipient.recipient_ips_to_add
    remove = recipient.recipient_ips_to_remove
    ips: tuple[str, ...] | None = None
    if full is not None:
        ips = tuple(dict.fromkeys([*full, *(add or ())]))
    elif add is not None or remove is not None:
        ips = tuple(add or ())
    return ResolvedRecipient(
        name=prefix + recipient.name,
        declared_name=recipient.name,
        type=recipient.type,
        email=recipient.recipient,
        comment=recipient.comment if recipient.comment is not None else recipient.description,
        databricks_org=recipient.recipient_databricks_org,
        ips=ips,
        token_expiry_days=recipient.token_expiry,
        location=location,
        ips_complete=full is not None or ips is None,
        absent_ips=tuple(remove or ()),
    )


def _share(
    share: Share, s: int, prefix: str, final_recipients: dict[str, str], index: PositionIndex
) -> ResolvedShare:
    path = ("share", s)
    assets = tuple(
        ResolvedAsset(
            name=asset.name,
            type=asset.resolved_type(),
            shared_as=asset.shared_as,
            history=asset.history,
            cdf=asset.cdf,
            location=index.position((*path, key, a)),
        )
        for key in ("share_assets", "share_assets_to_add")
        for a, asset in enumerate(getattr(share, key) or ())
    )
    granted = [*(share.recipients or ()), *(share.recipients_to_add or ())]
    mount = None
    if share.mount is not None:
        mount = ResolvedMount(
            target=share.mount.target,
            catalog=share.mount.catalog,
            location=index.position((*path, "mount")),
        )
    return ResolvedShare(
        name=prefix + share.name,
        declared_name=share.name,
        comment=share.comment if share.comment is not None else share.description,
        assets=assets,
        recipients=tuple(dict.fromkeys(final_recipients.get(name.lower(), name) for name in granted)),
        mount=mount,
        location=index.position(path),
        assets_complete=complete(share.share_assets, share.share_assets_to_add, share.share_assets_to_remove),
        absent_assets=tuple(share.share_assets_to_remove or ()),
        recipients_complete=complete(share.recipients, share.recipients_to_add, share.recipients_to_remove),
        absent_recipients=tuple(
            final_recipients.get(name.lower(), name) for name in share.recipients_to_remove or ()
        ),
        tags=tuple(share.delta_share.tags) if share.delta_share else (),
    )


def complete(full: object, to_add: object, to_remove: object) -> bool:
    """A full list declares the whole state; so does a share that gives no list at all (nothing
    granted means nothing granted). Change lists alone leave what they do not name alone."""
    return full is not None or (to_add is None and to_remove is None)
