"""Field-by-field difference of desired settings against what the workspace holds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sharepack.changes.rules import FieldRule


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


def diff_settings(
    desired: Mapping[str, Any], actual: Mapping[str, Any], rules: Mapping[str, FieldRule], prefix: str = ""
) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for name, rule in rules.items():
        path = f"{prefix}{name}"
        want = desired.get(name)
        have = actual.get(name)
        if rule.keyed_by and rule.item_rules is not None:
            changes.extend(_diff_keyed(want or [], have or [], rule, path))
            continue
        want_n = _normalise(want, rule)
        have_n = _normalise(have, rule)
        if want_n != have_n:
            changes.extend(_leaf_changes(have_n, want_n, path))
    return changes


def _diff_keyed(want: list[Any], have: list[Any], rule: FieldRule, path: str) -> list[FieldChange]:
    key = rule.keyed_by or ""
    assert rule.item_rules is not None
    want_by_key = {str(item.get(key)): item for item in want if isinstance(item, Mapping)}
    have_by_key = {str(item.get(key)): item for item in have if isinstance(item, Mapping)}
    changes: list[FieldChange] = []
    for item_key in sorted(want_by_key.keys() | have_by_key.keys()):
        item_path = f"{path}[{item_key}]"
        if item_key not in have_by_key:
            changes.append(FieldChange(item_path, None, _managed(want_by_key[item_key], rule.item_rules)))
        elif item_key not in want_by_key:
            changes.append(FieldChange(item_path, _managed(have_by_key[item_key], rule.item_rules), None))
        else:
            changes.extend(
                diff_settings(want_by_key[item_key], have_by_key[item_key], rule.item_rules, f"{item_path}.")
            )
    return changes


def _managed(item: Mapping[str, Any], rules: Mapping[str, FieldRule]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in rules and _prune(v) is not None}


def _normalise(value: Any, rule: FieldRule) -> Any:
    if value is None:
        value = rule.default
    if isinstance(value, Mapping) and rule.nested_defaults:
        value = {**rule.nested_defaults, **value}
    value = _prune(value)
    if value is None:
        value = _prune(rule.default)
    if rule.unordered and isinstance(value, list):
        value = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _prune(value: Any) -> Any:
    """None, {} and [] mean "not set" to the API: drop them at every depth."""
    if isinstance(value, Mapping):
        pruned = {k: _prune(v) for k, v in value.items()}
        pruned = {k: v for k, v in pruned.items() if v is not None}
        return pruned or None
    if isinstance(value, list):
        items = [_prune(v) for v in value]
        items = [v for v in items if v is not None]
        return items or None
    return value


def _leaf_changes(before: Any, after: Any, path: str) -> list[FieldChange]:
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes: list[FieldChange] = []
        for key in sorted(before.keys() | after.keys()):
            if before.get(key) != after.get(key):
                changes.extend(_leaf_changes(before.get(key), after.get(key), f"{path}.{key}"))
        return changes
    return [FieldChange(path, before, after)]
