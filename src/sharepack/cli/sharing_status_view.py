"""status, the Delta Sharing tables: recipients and shares (kept apart from the pipeline table,
whose layout at narrow widths lives in status_cmds)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharepack.terminal import console

if TYPE_CHECKING:
    from sharepack.ops.sharing_status import RecipientStatus, ShareStatus, SharingStatus


def print_sharing(pack: str, status: SharingStatus, apply_command: str = "sharepack apply") -> None:
    if not status:
        return
    if status.recipients:
        _recipients(status.recipients)
    if status.shares:
        _shares(status.shares)
    for name, notes in [(r.name, r.notes) for r in status.recipients] + [
        (s.name, s.notes) for s in status.shares
    ]:
        for note in notes:
            console.err().print(f"⚠ {name}: {note}", style="yellow", markup=False)
    missing = sum(not r.exists for r in status.recipients) + sum(not s.exists for s in status.shares)
    if missing:
        total = len(status.recipients) + len(status.shares)
        console.out().print(
            f"{missing} of {total} recipients and shares not deployed; to deploy, run:", style="bold"
        )
        # On a line of its own, never folded, so that it pastes.
        console.out().print(f"  {apply_command}", markup=False, soft_wrap=True)


def _recipients(rows: tuple[RecipientStatus, ...]) -> None:
    from rich.text import Text

    from sharepack.terminal.tables import Column, FitTable

    headers = ("Type", "State", "Drift", "Activated", "Token expires", "Owner")
    table = FitTable([Column("Name"), *(Column(h) for h in headers)], title="Recipients")
    for row in rows:
        table.add_row(
            Text(row.name),
            row.type,
            "exists" if row.exists else "missing",
            _drift(row.drift, row.drift_fields),
            "—" if row.activated is None else ("yes" if row.activated else "no"),
            Text(_expiry(row)),
            Text(_owner(row.exists, row.owner)),
            style="yellow" if not row.exists or row.drift else None,
        )
    console.out().print(table)


def _shares(rows: tuple[ShareStatus, ...]) -> None:
    from rich.text import Text

    from sharepack.terminal.tables import Column, FitTable

    headers = ("State", "Drift", "Objects", "Grants", "Mount", "Owner")
    table = FitTable([Column("Name"), *(Column(h) for h in headers)], title="Shares")
    for row in rows:
        objects = f"{row.objects_present}/{row.objects_declared} declared present"
        if row.objects_undeclared:
            objects += f", {len(row.objects_undeclared)} not declared"
        grants = f"{len(row.grants_present)}/{len(row.grants_declared)} declared present"
        if row.grants_undeclared:
            grants += f", also: {', '.join(row.grants_undeclared)}"
        table.add_row(
            Text(row.name),
            "exists" if row.exists else "missing",
            _drift(row.drift, row.drift_fields),
            objects if row.exists else f"{row.objects_declared} declared",
            Text(grants if row.exists else f"{len(row.grants_declared)} declared"),
            Text(f"{row.mount}: {row.mount_state}" if row.mount else "—"),
            Text(_owner(row.exists, row.owner)),
            style="yellow" if not row.exists or row.drift else None,
        )
    console.out().print(table)


def _drift(drift: bool | None, fields: tuple[str, ...]) -> str:
    if drift is None:
        return "—"
    if not drift:
        return "no"
    return "yes: " + ", ".join(fields) if fields else "yes"


def _owner(exists: bool, owner: str | None) -> str:
    if not exists:
        return "—"
    return owner or "not sharepack's"


def _expiry(row: RecipientStatus) -> str:
    if row.type == "D2D" or not row.exists:
        return "—"  # reached through its metastore: no token
    if row.token_days_left is None:
        return "no expiry"
    if row.token_days_left <= 0:
        return f"expired ({row.token_expires})"
    days = row.token_days_left
    left = f"{days:.0f} days" if days >= 2 else f"{days * 24:.0f} hours"
    return f"in {left} ({row.token_expires})"
