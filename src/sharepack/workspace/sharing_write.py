"""Delta Sharing writes, each one API call and safe to repeat.

Creates go through the client whose retries are off (see `workspace.write`): after a create that
may have been committed, or one refused because the name exists, the resource is read back and
kept only if it carries our mark — anything else is somebody else's, reported, never taken over.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sharepack.errors import WorkspaceError
from sharepack.workspace.ownership import PACK_TAG, is_managed, split_comment_mark
from sharepack.workspace.retry import RetrySuppressed, unwrap
from sharepack.workspace.write import Attempts, already_exists, api_message, maybe_committed

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.workspace.write import Writer


def _create(what: str, attempt_create: Any, owned_by_us: Any) -> Any:
    """Run a create; after an uncertain failure or 'already exists', accept only our own copy."""
    attempts = Attempts()
    while attempts.left():
        try:
            return attempt_create()
        except RetrySuppressed as wrapped:
            exc = unwrap(wrapped)
        except Exception as raw:
            exc = raw
        if attempts.throttled(exc):
            continue  # nothing was committed: not a failed attempt
        if already_exists(exc) or maybe_committed(exc):
            ours = owned_by_us()
            if ours is not None:
                return ours
            if already_exists(exc):
                raise WorkspaceError(
                    f"creating {what}: it exists and does not carry this pack's mark; it is left alone"
                ) from None
            attempts.failed()
            continue
        raise WorkspaceError(f"creating {what}: {api_message(exc)}") from None
    raise attempts.gave_up(f"creating {what}")


def _call(what: str, func: Any) -> Any:
    try:
        return func()
    except Exception as exc:
        raise WorkspaceError(f"{what}: {api_message(exc)}") from None


# -- recipients --------------------------------------------------------------------------------
def create_recipient(writer: Writer, settings: Mapping[str, Any]) -> str | None:
    """Create it; the activation link of a new D2O recipient (a secret: said once, never kept)."""
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.sharing import AuthenticationType, IpAccessList, SecurablePropertiesKvPairs

    name = str(settings["name"])
    ips = settings.get("ip_access_list")
    days = settings.get("token_expiry_days")
    expiration = int(time.time() * 1000) + int(days) * 86_400_000 if days else None

    def attempt() -> Any:
        return writer.create_client.recipients.create(
            name,
            AuthenticationType(settings["authentication_type"]),
            comment=settings.get("comment"),
            data_recipient_global_metastore_id=settings.get("data_recipient_global_metastore_id"),
            ip_access_list=IpAccessList(allowed_ip_addresses=list(ips["allowed_ip_addresses"]))
            if ips
            else None,
            properties_kvpairs=SecurablePropertiesKvPairs(properties=dict(settings.get("properties") or {})),
            expiration_time=expiration,
        )

    def ours() -> Any:
        try:
            found = writer.client.recipients.get(name)
        except NotFound:
            return None
        properties = found.properties_kvpairs.properties if found.properties_kvpairs else {}
        return found if is_managed(properties or {}, writer.pack) else None

    created = _create(f"recipient {name}", attempt, ours)
    for token in created.tokens or []:
        if token.activation_url:
            return str(token.activation_url)
    return None


def update_recipient(client: WorkspaceClient, name: str, settings: Mapping[str, Any], pack: str) -> None:
    from databricks.sdk.service.sharing import IpAccessList, SecurablePropertiesKvPairs

    ips = settings.get("ip_access_list")

    def taken_by() -> str | None:
        # As for shares: read just before and just after the PATCH, so that of two packs
        # adopting one recipient at once the one whose mark did not stay loses cleanly.
        found = _call(f"reading recipient {name}", lambda: client.recipients.get(name))
        props = (found.properties_kvpairs.properties if found.properties_kvpairs else None) or {}
        owner = props.get(PACK_TAG) if is_managed(props) else None
        return owner if owner is not None and owner != pack else None

    def lost(owner: str) -> WorkspaceError:
        return WorkspaceError(
            f"recipient {name} was adopted by SharePack {owner!r} meanwhile; it is left alone"
        )

    owner = taken_by()
    if owner is not None:
        raise lost(owner)
    # PATCH replaces the IP list and the properties wholesale: `settings` carries them merged.
    _call(
        f"updating recipient {name}",
        lambda: client.recipients.update(
            name,
            comment=settings.get("comment"),
            ip_access_list=IpAccessList(allowed_ip_addresses=list(ips["allowed_ip_addresses"]))
            if ips
            else None,
            properties_kvpairs=SecurablePropertiesKvPairs(properties=dict(settings["properties"])),
        ),
    )
    owner = taken_by()
    if owner is not None:
        raise lost(owner)


def delete_recipient(client: WorkspaceClient, name: str) -> None:
    from databricks.sdk.errors import NotFound

    with contextlib.suppress(NotFound):  # already gone: the goal is reached
        client.recipients.delete(name)


def rotate_token(client: WorkspaceClient, name: str, pack: str, expire_existing_in_s: int) -> str | None:
    found = _call(f"reading recipient {name}", lambda: client.recipients.get(name))
    properties = found.properties_kvpairs.properties if found.properties_kvpairs else {}
    if not is_managed(properties or {}, pack):
        owner = (properties or {}).get(PACK_TAG)
        whose = f"SharePack {owner!r}" if owner else "no SharePack (it was not made by sharepack)"
        raise WorkspaceError(f"recipient {name} belongs to {whose}; its token is left alone")
    _refuse_third_token(name, found.tokens or [])
    rotated = _call(
        f"rotating the token of recipient {name}",
        lambda: client.recipients.rotate_token(name, existing_token_expire_in_seconds=expire_existing_in_s),
    )
    links = [t.activation_url for t in rotated.tokens or [] if t.activation_url]
    return str(links[-1]) if links else None


def _refuse_third_token(name: str, tokens: Any) -> None:
    """A recipient holds at most two live tokens: within the old one's grace period a second
    rotation is refused by the workspace. Say when it can be done instead of only that it can't."""
    import time
    from datetime import UTC, datetime

    now_ms = time.time() * 1000
    live = [t for t in tokens if t.expiration_time is None or t.expiration_time > now_ms]
    ending = sorted(t.expiration_time for t in live if t.expiration_time is not None)
    if len(live) < 2 or not ending:
        return
    when = datetime.fromtimestamp(ending[0] / 1000, UTC)
    raise WorkspaceError(
        f"recipient {name} already has two live tokens: the previous one stays valid until "
        f"{when:%Y-%m-%d %H:%M:%S} UTC, and a third is not allowed; nothing was rotated",
        hint=f"rotate again after {when:%Y-%m-%d %H:%M:%S} UTC",
    )


# -- shares ------------------------------------------------------------------------------------
def create_share(writer: Writer, name: str, comment: str | None) -> None:
    from databricks.sdk.errors import NotFound

    def ours() -> Any:
        try:
            found = writer.client.shares.get(name)
        except NotFound:
            return None
        return found if split_comment_mark(found.comment)[1] == writer.pack else None

    _create(f"share {name}", lambda: writer.create_client.shares.create(name, comment=comment), ours)


def mark_share(client: WorkspaceClient, name: str, pack: str, comment: str | None) -> None:
    """Write our mark (an adopt, or a new comment) only while no other pack holds the share.

    Shares have no version to write against, so the owner is read again just before the write
    and once after it: of two packs adopting one share at once, the one whose mark did not stay
    loses cleanly (an error naming the winner), and the applier stops everything that depends
    on it — no objects, no grants on a share another pack now owns."""

    def taken_by() -> str | None:
        found = _call(f"reading share {name}", lambda: client.shares.get(name))
        owner = split_comment_mark(found.comment)[1]
        return owner if owner is not None and owner != pack else None

    def lost(owner: str) -> WorkspaceError:
        return WorkspaceError(f"share {name} was adopted by SharePack {owner!r} meanwhile; it is left alone")

    owner = taken_by()
    if owner is not None:
        raise lost(owner)
    _call(f"updating share {name}", lambda: client.shares.update(name, comment=comment))
    owner = taken_by()
    if owner is not None:
        raise lost(owner)


def delete_share(client: WorkspaceClient, name: str) -> None:
    from databricks.sdk.errors import NotFound

    with contextlib.suppress(NotFound):
        client.shares.delete(name)


# What one share PATCH may carry (the SDK's SharedDataObjectUpdate docs; refused beyond it:
# terraform-provider-databricks #5842).
MAX_UPDATES_PER_PATCH = 100
# Removals first, then in-place updates, then additions: a crash between two PATCHes leaves
# objects missing (the next plan adds them) rather than a replaced object both there and not.
_ORDER = {"REMOVE": 0, "UPDATE": 1, "ADD": 2}


def object_batches(updates: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """`updates` as the PATCHes to send, in order: at most 100 each, removals before additions,
    and never two updates of one object in one PATCH (Databricks refuses a REMOVE and an ADD of
    the same object together: terraform-provider-databricks #3517)."""
    ordered = sorted(updates, key=lambda u: _ORDER.get(str(u.get("action")), 1))
    batches: list[list[Mapping[str, Any]]] = []
    names: set[str] = set()
    for update in ordered:
        name = _object_name(update)
        if not batches or len(batches[-1]) >= MAX_UPDATES_PER_PATCH or name in names:
            batches.append([])
            names = set()
        batches[-1].append(update)
        names.add(name)
    return batches


def _object_name(update: Mapping[str, Any]) -> str:
    return str((update.get("data_object") or {}).get("name", "")).lower()


def update_objects(client: WorkspaceClient, share: str, updates: Sequence[Mapping[str, Any]]) -> None:
    from databricks.sdk.service.sharing import SharedDataObjectUpdate

    for batch in object_batches(updates):
        parsed = [SharedDataObjectUpdate.from_dict(dict(u)) for u in batch]
        try:
            client.shares.update(share, updates=parsed)
        except Exception as exc:
            # A PATCH committed before its answer was lost, then retried by the SDK, is refused
            # as "already in the share": what it asked for is there, so it is done.
            if not _in_effect(client, share, batch):
                raise WorkspaceError(f"updating the objects of share {share}: {api_message(exc)}") from None


def _in_effect(client: WorkspaceClient, share: str, batch: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the share already holds every addition of `batch` and none of its removals."""
    if any(u.get("action") == "UPDATE" for u in batch):
        return False  # an update's effect is not told apart from the state before it
    try:
        info = client.shares.get(share, include_shared_data=True)
    except Exception:
        return False
    present = {str(o.name).lower() for o in info.objects or [] if o.name}
    return all((_object_name(u) in present) == (u.get("action") == "ADD") for u in batch)


def set_grant(client: WorkspaceClient, share: str, recipient: str, *, granted: bool) -> None:
    from databricks.sdk.service.sharing import PermissionsChange

    change = (
        PermissionsChange(principal=recipient, add=["SELECT"])
        if granted
        else PermissionsChange(principal=recipient, remove=["SELECT"])
    )
    verb = "granting" if granted else "revoking"
    _call(
        f"{verb} SELECT on share {share} to {recipient}",
        lambda: client.shares.update_permissions(share, changes=[change]),
    )
