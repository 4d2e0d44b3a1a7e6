"""export, the Delta Sharing half: shares (with every object and grant) and recipients as YAML.

The inverse of `desired/sharing.py`: each value written is one that, planned again, compares
equal to what the metastore holds. A share is always written whole — every object and every
grant — whatever the export's filter: a pack declares a share's full object list, so a share
written with part of its objects would plan to REMOVE the rest. A filter therefore chooses which
shares are written, never which of their objects.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sharepack.desired.sharing import AUTHENTICATION, CONTACT_PROPERTY
from sharepack.kinds.sharing_state import (
    ActualRecipient,
    ActualShare,
    _list_recipients,
    _list_share_names,
    _read_share,
)
from sharepack.pack.names import email_problem, name_key, split_name, uc_name_problem
from sharepack.pack.sharing_models import ASSET_TYPES
from sharepack.workspace.ownership import split_comment_mark

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

_RECIPIENT_TYPE = {api: word for word, api in AUTHENTICATION.items()}  # DATABRICKS -> D2D


@dataclass
class SharingExport:
    """What was read of the metastore's sharing, and what of it the pack can declare."""

    shares: dict[str, ActualShare] = field(default_factory=dict)  # to write, by name
    recipients: dict[str, ActualRecipient] = field(default_factory=dict)  # to write, by name
    filtered: bool = False
    notes: list[str] = field(default_factory=list)  # left out, and why
    warnings: list[str] = field(default_factory=list)
    left_out_shares: set[str] = field(default_factory=set)  # their pipelines are left out too

    def owners(self) -> Counter[str]:
        """The packs whose marks the exported shares and recipients carry (for the pack's name)."""
        owners: Counter[str] = Counter()
        owners.update(s.owner for s in self.shares.values() if s.owner)
        owners.update(r.owner() or "" for r in self.recipients.values() if r.owner())
        return owners


def like_matches(pattern: str, name: str) -> bool:
    """SQL LIKE (% any run, _ one character), case-insensitive as Unity Catalog names are."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name, re.IGNORECASE | re.DOTALL) is not None


def read_sharing(
    client: WorkspaceClient,
    *,
    name_like: str | None,
    pipeline_shares: Iterable[str],
    parallelism: int = 8,
) -> SharingExport:
    """Every share and recipient (no filter); or, with `name_like`, the shares named LIKE it or
    published into by an exported pipeline, and the recipients granted one of them."""
    from databricks.sdk.errors import NotFound, PermissionDenied

    result = SharingExport(filtered=name_like is not None)
    try:
        listed = _list_share_names(client)
        recipients = _list_recipients(client)
    except (NotFound, PermissionDenied) as exc:
        # No Unity Catalog sharing here, or not for this user: the pipelines still export.
        result.notes.append(f"Delta Sharing was not read ({type(exc).__name__}): no shares or recipients")
        return result
    wanted = set(pipeline_shares) & set(listed)
    wanted |= {n for n in listed if name_like is None or like_matches(name_like, n)}
    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(wanted) or 1))) as pool:
        read = [s for s in pool.map(lambda n: _read_share(client, n), sorted(wanted)) if s is not None]
    for share in read:
        problem = _share_problem(share)
        if problem:
            result.notes.append(problem)
            result.left_out_shares.add(share.name)
        else:
            result.shares[share.name] = share
    granted = {g for s in result.shares.values() for g in s.grants or ()}
    for name, recipient in sorted(recipients.items()):
        if name_like is not None and name not in granted:
            continue
        problem = _recipient_problem(recipient)
        if problem:
            result.notes.append(problem)
        else:
            result.recipients[name] = recipient
    return result


def _share_problem(share: ActualShare) -> str | None:
    problem = uc_name_problem(share.name, "share name")
    if problem:
        return f"{problem}: left out"
    odd = sorted(
        f"{name} ({obj.get('data_object_type')})"
        for name, obj in (share.objects or {}).items()
        if obj.get("data_object_type", "TABLE") not in ASSET_TYPES
    )
    if odd:
        # Written without them, the share would plan to remove them.
        return (
            f"share {share.name} holds objects a SharePack cannot declare: {', '.join(odd)}; "
            "the share and its pipelines are left out"
        )
    return None


def _recipient_problem(recipient: ActualRecipient) -> str | None:
    problem = uc_name_problem(recipient.name, "recipient name")
    if problem:
        return f"{problem}: left out"
    if recipient.authentication_type not in _RECIPIENT_TYPE:
        how = recipient.authentication_type or "nothing known"
        return (
            f"recipient {recipient.name} authenticates by {how}, "
            "which a SharePack cannot declare (D2D or D2O only): left out"
        )
    return None


def recipient_entries(export: SharingExport) -> list[dict[str, Any]]:
    entries = []
    for recipient in export.recipients.values():
        entry: dict[str, Any] = {
            "name": recipient.name,
            "type": _RECIPIENT_TYPE[recipient.authentication_type],
        }
        contact = recipient.properties.get(CONTACT_PROPERTY)
        if contact and email_problem(contact) is None:
            entry["recipient"] = contact
        elif contact:
            export.notes.append(
                f"recipient {recipient.name}: its contact {contact!r} is not an e-mail address"
            )
        if recipient.comment:
            entry["comment"] = recipient.comment
        if recipient.metastore_id:
            entry["recipient_databricks_org"] = recipient.metastore_id
        if recipient.ips:
            entry["recipient_ips"] = sorted(recipient.ips)
        # token_expiry is not written: it is applied when a recipient is created, never compared.
        entries.append(entry)
    return entries


def share_entry(
    export: SharingExport, name: str, pipelines: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """The share as the pack declares it, with the pipelines that publish into it; None when the
    metastore has no such share (the pipelines then make one of their sources)."""
    share = export.shares.get(name)
    if share is None:
        return None
    entry: dict[str, Any] = {"name": share.name}
    comment = split_comment_mark(share.comment)[0]
    if comment:
        entry["comment"] = comment
    objects = share.objects or {}
    assets: list[Any] = [_asset(objects[n]) for n in sorted(objects)]
    for pipeline in pipelines:
        source = str(pipeline["source_asset"])
        if not any(_covers(obj, source) for obj in objects.values()):
            # The pack could not say the pipeline belongs to this share otherwise; planned, the
            # table shows as one object to add — the share no longer holds it.
            assets.append(source)
            export.warnings.append(
                f"share {share.name} does not hold {source}, which pipeline {pipeline['name_prefix']} "
                "syncs: it is declared, so plan shows it as an object to add"
            )
    entry["share_assets"] = assets
    if share.grants:
        entry["recipients"] = sorted(share.grants)
    if pipelines:
        entry["pipelines"] = list(pipelines)
    return entry


def _asset(obj: Mapping[str, Any]) -> Any:
    """The string form when every field is what the name alone means, else the mapping."""
    name = str(obj["name"])
    parts = split_name(name) or [name]
    kind = str(obj.get("data_object_type") or "TABLE")
    entry: dict[str, Any] = {"name": name}
    if kind != ("SCHEMA" if len(parts) == 2 else "TABLE"):
        entry["type"] = kind
    shared_as = obj.get("shared_as") or obj.get("string_shared_as")  # volumes and models: the latter
    default_alias = ".".join(parts[1:])
    if shared_as and name_key(str(shared_as)) != name_key(default_alias):
        entry["shared_as"] = str(shared_as)
    if obj.get("history_data_sharing_status") == "ENABLED":
        entry["history"] = True
    elif obj.get("cdf_enabled"):
        # Never both: a pack may not declare them together (Databricks refuses the pair).
        entry["cdf"] = True
    return name if list(entry) == ["name"] else entry


def _covers(obj: Mapping[str, Any], source: str) -> bool:
    own = name_key(str(obj.get("name", "")))
    if obj.get("data_object_type") == "SCHEMA":
        return name_key(source)[:2] == own
    return name_key(source) == own


def header_lines(export: SharingExport, name_like: str | None) -> list[str]:
    if not export.shares and not export.recipients:
        return []
    if name_like is None:
        chosen = "# Delta Sharing: every share of the metastore and every recipient."
    else:
        chosen = (
            f"# Delta Sharing: the shares named LIKE '{name_like}' or published into by an exported"
            "\n# pipeline, and the recipients granted one of them."
        )
    return [
        chosen,
        "# A share is written whole, with all its objects and grants, whatever the filter: the pack",
        "# declares a share's full object list, so a partial one would plan to remove the rest.",
        "# token_expiry is not written: it applies only when a recipient is created (`sharepack",
        "# status` shows the days left); a D2O recipient's activation link is never exported.",
    ]
