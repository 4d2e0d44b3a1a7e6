"""The tags that mark what sharepack owns. Nothing without them is ever deleted."""

from __future__ import annotations

from collections.abc import Mapping

MANAGED_BY = "managed_by"
MANAGED_BY_VALUE = "sharepack"
PACK_TAG = "sharepack_pack"
# Carried by a pipeline's schedule job: a digest of the pipeline settings last applied, so that a
# no-change plan can skip one GET per pipeline (pipeline list responses do not include settings).
PIPELINE_DIGEST_TAG = "sharepack_pipeline_spec"


def ownership_tags(pack: str) -> dict[str, str]:
    return {MANAGED_BY: MANAGED_BY_VALUE, PACK_TAG: pack}


def is_managed(tags: Mapping[str, str] | None, pack: str | None = None) -> bool:
    """True when the tags say sharepack made it (and, when `pack` is given, for that pack)."""
    if not tags or tags.get(MANAGED_BY) != MANAGED_BY_VALUE:
        return False
    return pack is None or tags.get(PACK_TAG) == pack
