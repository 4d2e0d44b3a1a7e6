"""Shares and recipients as the engine reads them: final names, assets typed, grants resolved.

A target's `name_prefix` applies to shares and recipients as to pipelines, so that two people
deploying one pack in development mode do not grant each other's shares. A recipient named in a
share's `recipients` but not declared in the pack exists already and keeps its name.
"""

from __future__ import annotations

from sharepack.spec.models import Share, SharePack
from sharepack.spec.positions import PositionIndex
from sharepack.spec.resolved import ResolvedAsset, ResolvedMount, ResolvedRecipient, ResolvedShare
from sharepack.spec.sharing_models import Recipient


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
    return ResolvedRecipient(
        name=prefix + recipient.name,
        declared_name=recipient.name,
        type=recipient.type,
        email=recipient.recipient,
        comment=recipient.comment if recipient.comment is not None else recipient.description,
        databricks_org=recipient.recipient_databricks_org,
        ips=tuple(recipient.recipient_ips) if recipient.recipient_ips is not None else None,
        token_expiry_days=recipient.token_expiry,
        location=location,
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
            location=index.position((*path, "share_assets", a)),
        )
        for a, asset in enumerate(share.share_assets)
    )
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
        recipients=tuple(final_recipients.get(name.lower(), name) for name in share.recipients),
        mount=mount,
        location=index.position(path),
    )
