"""`--select`: the names given, as the pack spells them, and refused when the pack declares none."""

from __future__ import annotations

from collections.abc import Collection

from sharepack.desired.state import DesiredState
from sharepack.errors import UsageError, did_you_mean
from sharepack.kinds import KINDS


def _exact_names(desired: DesiredState) -> set[str]:
    return {name for kind in KINDS for name in kind.declared(desired)}


def _folded_names(desired: DesiredState) -> set[str]:
    return {item.name for items in desired.resources.values() for item in items}


def as_declared(desired: DesiredState, select: Collection[str]) -> tuple[str, ...]:
    """Each --select name as the pack spells it. Unity Catalog names (shares, recipients, catalogs)
    are case-insensitive, so `--select finance_share` means the pack's `Finance_Share`; pipeline
    and job names are not, and must match as written."""
    uc_names = _folded_names(desired)
    exact = _exact_names(desired) | uc_names
    folded: dict[str, str] = {}
    for name in sorted(uc_names):
        folded.setdefault(name.lower(), name)
    return tuple(name if name in exact else folded.get(name.lower(), name) for name in select)


def check_selection(desired: DesiredState, select: Collection[str]) -> None:
    known = _exact_names(desired) | _folded_names(desired)
    unknown = sorted(set(select) - known)
    if unknown:
        raise UsageError(
            f"--select {', '.join(unknown)}: not declared in the pack",
            hint=did_you_mean(unknown[0], sorted(known)) or f"declared: {', '.join(sorted(known)[:10])}",
        )
