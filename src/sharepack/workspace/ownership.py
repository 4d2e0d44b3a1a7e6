"""The tags that mark what sharepack owns. Nothing without them is ever deleted."""

from __future__ import annotations

import re
from collections.abc import Mapping

MANAGED_BY = "managed_by"
MANAGED_BY_VALUE = "sharepack"
PACK_TAG = "sharepack_pack"
# Carried by a pipeline's schedule job: a digest of the pipeline settings last applied, so that a
# no-change plan can skip one GET per pipeline (pipeline list responses do not include settings).
PIPELINE_DIGEST_TAG = "sharepack_pipeline_spec"
# Beside the mark of a resource the pack found and adopted (it did not make it): destroy releases
# such a resource (removes the mark) instead of deleting it, unless told to delete adopted ones.
ADOPTED_TAG = "sharepack_adopted"


def ownership_tags(pack: str) -> dict[str, str]:
    return {MANAGED_BY: MANAGED_BY_VALUE, PACK_TAG: pack}


def is_managed(tags: Mapping[str, str] | None, pack: str | None = None) -> bool:
    """True when the tags say sharepack made it (and, when `pack` is given, for that pack)."""
    if not tags or tags.get(MANAGED_BY) != MANAGED_BY_VALUE:
        return False
    return pack is None or tags.get(PACK_TAG) == pack


def owner_label(tags: Mapping[str, str] | None) -> str:
    """Who owns a resource, as said in a refusal: another pack by name, or nobody we know."""
    owner = (tags or {}).get(PACK_TAG)
    if is_managed(tags) and owner:
        return f"SharePack {owner!r}"
    return "no SharePack (it carries no sharepack tags)"


# Shares carry neither tags nor properties, only a comment: our mark is a trailer on it, found
# wherever it ends up, so a person editing the rest of the comment does not disown the share.
_TRAILER = re.compile(
    r"\s*\[managed_by=sharepack sharepack_pack=([A-Za-z0-9_.\-]+)( sharepack_adopted=true)?\]\s*$"
)


def comment_with_mark(comment: str | None, pack: str, *, adopted: bool = False) -> str:
    text = (comment or "").rstrip()
    flag = f" {ADOPTED_TAG}=true" if adopted else ""
    mark = f"[{MANAGED_BY}={MANAGED_BY_VALUE} {PACK_TAG}={pack}{flag}]"
    return f"{text}\n\n{mark}" if text else mark


def comment_adopted(comment: str | None) -> bool:
    """Whether a share's mark says the pack adopted it rather than made it."""
    found = _TRAILER.search(comment or "")
    return found is not None and found.group(2) is not None


def split_comment_mark(comment: str | None) -> tuple[str | None, str | None]:
    """(the comment without our mark, the pack the mark names) — (comment, None) when unmarked."""
    if not comment:
        return None, None
    found = _TRAILER.search(comment)
    if found is None:
        return comment, None
    return comment[: found.start()].rstrip() or None, found.group(1)


def merge_marks(properties: Mapping[str, str] | None, pack: str, *, adopted: bool = False) -> dict[str, str]:
    """Existing properties with ours added: keys that belong to others are kept as they are."""
    return {**(properties or {}), **ownership_tags(pack), **({ADOPTED_TAG: "true"} if adopted else {})}


def was_adopted(properties: Mapping[str, str] | None) -> bool:
    return (properties or {}).get(ADOPTED_TAG) == "true"


def without_marks(properties: Mapping[str, str] | None) -> dict[str, str]:
    """The properties as they were before the pack adopted the resource: ours taken out."""
    return {k: v for k, v in (properties or {}).items() if k not in (MANAGED_BY, PACK_TAG, ADOPTED_TAG)}


def without_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """A pipeline's or job's tags with every one sharepack writes taken out (the mark, the adopted
    flag, a schedule's digest): what a released resource keeps. The pack's own `tags:` stay —
    they were the user's words, and a pack may not use the reserved `sharepack_` prefix."""
    return {k: v for k, v in (tags or {}).items() if k != MANAGED_BY and not k.startswith("sharepack_")}
