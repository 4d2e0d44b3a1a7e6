"""A share's data objects, compared as a set keyed by object name.

Order carries no meaning: a table inserted in the middle of `share_assets` is one addition, not
every later table changed (the Terraform provider's long-standing complaint). Names are compared
as Unity Catalog compares them, case-insensitively. Fields left unset in the pack are not ours
(the server fills them); a changed type or `shared_as` cannot be updated in place, so it is a
REMOVE then an ADD — which Databricks refuses in one PATCH, so the writer sends them apart
(`sharing_write.update_objects`, which also keeps each PATCH within the 100 updates allowed).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import TYPE_CHECKING, Any

from sharepack.changes.diff import FieldChange
from sharepack.changes.model import Action, Change, ResourceType, change_key
from sharepack.desired.sharing import HISTORY, DesiredObject, DesiredShare
from sharepack.kinds.base import KindDefaults, PlanInput, PlanOutput, WriteContext, Written
from sharepack.kinds.share import left_alone, share_change
from sharepack.kinds.sharing_state import ActualShare, fold, sharing_of

if TYPE_CHECKING:
    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState

TYPE = ResourceType.SHARE_OBJECTS
_REPLACED_ON_CHANGE = ("data_object_type", "shared_as", "string_shared_as")


class ShareObjectsKind(KindDefaults):
    resource_type = TYPE
    rank = 30
    noun = "objects of share"
    fatal = True
    label = "share objects"

    def plan(self, given: PlanInput) -> PlanOutput:
        state = sharing_of(given.actual)
        pack = given.desired.pack
        changes = []
        for share in given.desired.resources_of(ResourceType.SHARE.value):
            if not given.selected(share.name):
                continue
            found = state.shares.get(share.name)
            if left_alone(share_change(share, found, pack)):
                continue
            change = objects_change(share, found, pack)
            if change is not None:
                changes.append(change)
        return PlanOutput(tuple(changes))

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput:
        return PlanOutput()  # deleting the share removes its objects

    def observed(self, change: Change, actual: ActualState) -> str:
        found = sharing_of(actual).shares.get(change.name)
        return found.observed() if found else "absent"

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        return set()

    def depends_on(self, change: Change) -> set[str]:
        return {change_key(ResourceType.SHARE, change.name)}

    def write(self, change: Change, context: WriteContext) -> Written:
        from sharepack.workspace import sharing_write

        assert change.settings is not None
        sharing_write.update_objects(context.writer.client, change.name, change.settings["updates"])
        return Written(change.name)


def objects_change(share: DesiredShare, found: ActualShare | None, pack: str) -> Change | None:
    actual: Mapping[str, Mapping[str, Any]] = (found.objects or {}) if found else {}
    updates: list[dict[str, Any]] = []
    diff: list[FieldChange] = []
    for wanted in sorted(share.objects, key=lambda o: o.name):
        have = actual.get(wanted.name)
        if have is None:
            updates.append({"action": "ADD", "data_object": wanted.to_api()})
            diff.append(FieldChange(f"objects[{wanted.name}]", None, wanted.to_api()))
            continue
        changed = _changed_fields(wanted, have)
        if not changed:
            continue
        diff.extend(FieldChange(f"objects[{wanted.name}].{k}", have.get(k), v) for k, v in changed.items())
        if any(k in _REPLACED_ON_CHANGE for k in changed):
            updates.append({"action": "REMOVE", "data_object": {"name": wanted.name}})
            updates.append({"action": "ADD", "data_object": wanted.to_api()})
        else:
            updates.append({"action": "UPDATE", "data_object": wanted.to_api()})
    for name in sorted(_to_remove(share, actual)):
        updates.append({"action": "REMOVE", "data_object": {"name": name}})
        diff.append(FieldChange(f"objects[{name}]", _summary(actual[name]), None))
    if found is None:
        if not updates:
            return None
        return Change(Action.CREATE, TYPE, share.name, pack, diff=tuple(diff), settings={"updates": updates})
    observed = found.observed()
    if not updates:
        return Change(Action.NOOP, TYPE, share.name, pack, id=share.name, observed=observed)
    return Change(
        Action.UPDATE,
        TYPE,
        share.name,
        pack,
        id=share.name,
        observed=observed,
        diff=tuple(diff),
        settings={"updates": updates},
    )


def _to_remove(share: DesiredShare, actual: Mapping[str, Any]) -> set[str]:
    """Objects in the share that must go: every undeclared one when the pack lists them all, only
    those it names as absent when it gave change lists (the rest are not the pack's to judge)."""
    if share.objects_complete:
        declared = fold(o.name for o in share.objects)
        return {name for name in actual if name.lower() not in declared}
    absent = fold(share.absent_objects)
    return {name for name in actual if name.lower() in absent}


def _changed_fields(wanted: DesiredObject, have: Mapping[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    if have.get("data_object_type", "TABLE") != wanted.data_object_type:
        changed["data_object_type"] = wanted.data_object_type
    alias = wanted.alias_field
    if wanted.shared_as is not None and str(have.get(alias) or "").lower() != wanted.shared_as.lower():
        changed[alias] = wanted.shared_as
    if (
        wanted.history is not None
        and have.get("history_data_sharing_status", "DISABLED") != HISTORY[wanted.history]
    ):
        changed["history_data_sharing_status"] = HISTORY[wanted.history]
    if wanted.cdf is not None and bool(have.get("cdf_enabled", False)) != wanted.cdf:
        changed["cdf_enabled"] = wanted.cdf
    return changed


def _summary(have: Mapping[str, Any]) -> dict[str, Any]:
    return {k: have[k] for k in ("name", "data_object_type", "shared_as", "string_shared_as") if k in have}
