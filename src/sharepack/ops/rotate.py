"""rotate-token: a new token for a D2O recipient of the pack, the old one kept for a while.

Rotation is never part of `apply` (applying twice must not rotate twice): it is this explicit
command. The old token stays valid for `expire_existing_in_s` so the recipient can switch over
without an outage; 0 revokes it at once (a leaked token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharepack.errors import UsageError, WorkspaceError

if TYPE_CHECKING:
    from sharepack.flow.deployment import Deployment
    from sharepack.pack.resolved import ResolvedRecipient

DEFAULT_GRACE_S = 3600  # one hour: long enough to hand over a new link, short for a leaked one


@dataclass(frozen=True)
class Rotated:
    recipient: str
    link: str  # the new activation link: a secret, said once by the caller, never kept
    grace_s: int


def declared_recipient(deployment: Deployment, asked: str) -> ResolvedRecipient:
    """The pack's recipient by its final name or as written in the pack; a D2O one."""
    recipients = deployment.pack.recipients
    found = next((r for r in recipients if asked in (r.name, r.declared_name)), None)
    if found is None:
        known = ", ".join(r.name for r in recipients)
        raise UsageError(
            f"recipient {asked} is not declared in {deployment.pack.path}",
            hint=f"declared recipients: {known}" if known else "the pack declares no recipients",
        )
    if found.type != "D2O":
        raise UsageError(
            f"recipient {found.name} is D2D: it is reached through its metastore and has no token to rotate",
            hint="only D2O (open sharing) recipients hold tokens",
        )
    return found


def rotate(deployment: Deployment, asked: str, *, grace_s: int = DEFAULT_GRACE_S) -> Rotated:
    from sharepack.workspace import sharing_write

    recipient = declared_recipient(deployment, asked)
    # rotate_token reads the recipient first and refuses one without this pack's mark.
    link = sharing_write.rotate_token(
        deployment.workspace.client, recipient.name, deployment.pack.name, grace_s
    )
    if not link:
        raise WorkspaceError(
            f"the token of recipient {recipient.name} was rotated, "
            "but the workspace returned no activation link",
            hint="the link is also shown on the recipient's page in Catalog Explorer",
        )
    return Rotated(recipient=recipient.name, link=link, grace_s=grace_s)
