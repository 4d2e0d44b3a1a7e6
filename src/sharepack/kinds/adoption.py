"""What adopting and letting go do to a pipeline or a job: the adopted flag among its tags, the tag
limit adopting may cross, and — when the pack no longer wants it — a delete of what the pack made
but a release (our tags taken off, the rest as found) of what it adopted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sharepack.changes.diff import FieldChange
from sharepack.changes.model import Action, Change, ResourceType
from sharepack.kinds.base import RELEASED
from sharepack.workspace.ownership import ADOPTED_TAG, was_adopted, without_tags


def adopted_mark(settings: Mapping[str, Any], found: Mapping[str, str], managed: bool) -> Mapping[str, Any]:
    """The settings with the adopted flag among their tags when the pack adopts what it found (or
    adopted it before): destroy then releases it instead of deleting it (plan.destroy). What the
    pack made never carries it."""
    if managed and not was_adopted(found):
        return settings
    return {**settings, "tags": {**(settings.get("tags") or {}), ADOPTED_TAG: "true"}}


def too_many_tags(what: str, name: str, settings: Mapping[str, Any]) -> str | None:
    """Said at plan time: adopting adds a tag, and Databricks refuses a 26th one at apply."""
    from sharepack.pack.names import MAX_TAGS

    count = len(settings.get("tags") or {})
    if count <= MAX_TAGS:
        return None
    return (
        f"{what} {name} exists and is not this pack's: adopting it marks it with {count} tags "
        f"(`{ADOPTED_TAG}` among them), and Databricks allows {MAX_TAGS}; it is left alone — "
        f"declare {count - MAX_TAGS} tag(s) fewer for it, or rename or delete the one that is there"
    )


def update_action(managed: bool, diff: tuple[FieldChange, ...]) -> Action:
    if not managed:
        return Action.ADOPT
    return Action.UPDATE if diff else Action.NOOP


def let_go(
    resource_type: ResourceType,
    name: str,
    pack: str,
    *,
    id: str,
    observed: str,
    tags: Mapping[str, str],
    settings: Mapping[str, Any] | None,
    why: str | None,
    released: str,
) -> Change:
    """A pipeline or job of this pack that the pack no longer wants (pruned or destroyed): deleted
    when the pack made it, released when it adopted it — `destroy --delete-adopted` turns exactly
    these releases into deletes. `released` ends the release's message; `why` is the delete's."""
    if was_adopted(tags) and settings is not None:
        return Change(
            Action.UPDATE,
            resource_type,
            name,
            pack,
            id=id,
            observed=observed,
            settings={**settings, "tags": without_tags(tags)},
            message=f"{RELEASED}; {released}",
        )
    return Change(Action.DELETE, resource_type, name, pack, id=id, observed=observed, message=why)
