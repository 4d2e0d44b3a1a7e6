"""A plan's access changes for people: the first thing a reviewer reads, in the terminal and in
the pull-request comment. One line per recipient and share, the objects named."""

from __future__ import annotations

from collections.abc import Sequence

from sharepack.changes.model import AccessChange, MountChange, Plan

NO_ACCESS_CHANGE = "Access: no recipient gains or loses read on any object."
_WHO = {"D2O": "D2O, external", "D2D": "D2D, another metastore", "unknown": "type unknown"}


def grouped(access: Sequence[AccessChange]) -> list[tuple[AccessChange, list[str]]]:
    """(first change of the group, its objects) per recipient, share and direction, in order."""
    groups: dict[tuple[str, str, str], tuple[AccessChange, list[str]]] = {}
    for change in access:
        key = (change.recipient, change.share, change.change)
        groups.setdefault(key, (change, []))[1].append(change.object)
    return list(groups.values())


def recipient_words(change: AccessChange) -> str:
    return f"{change.recipient} ({_WHO.get(change.recipient_type, change.recipient_type)})"


def _count(objects: list[str]) -> str:
    return f"{len(objects)} object{'s' if len(objects) != 1 else ''}"


def mount_words(mount: MountChange) -> str:
    where = f"catalog {mount.catalog} in target {mount.target!r}"
    who = f" (recipient {mount.recipient})" if mount.recipient else ""
    if mount.change == "mounts":
        return (
            f"{where}{who} will show share {mount.share} to that workspace's users granted the catalog"
            f" ({_count(list(mount.objects))})"
        )
    return f"{where}{who} is dropped: share {mount.share} stops showing there"


def text_lines(plan: Plan) -> list[tuple[str, str]]:
    if not plan.access and not plan.mounts:
        return [("dim", f"  {NO_ACCESS_CHANGE}")]
    lines: list[tuple[str, str]] = []
    if plan.access:
        lines.append(("bold", "  Access changes (who can read what):"))
        for first, objects in grouped(plan.access):
            sign, style = ("+", "green") if first.change == "gains" else ("-", "red")
            lines.append(
                (
                    style,
                    f"    {sign} {recipient_words(first)} {first.change} {_count(objects)} through share "
                    f"{first.share}: {', '.join(objects)}",
                )
            )
    else:
        lines.append(("dim", f"  {NO_ACCESS_CHANGE}"))
    if plan.mounts:
        lines.append(("bold", "  Mounted shares (the recipient's side):"))
        for mount in plan.mounts:
            sign, style = ("+", "green") if mount.change == "mounts" else ("-", "red")
            lines.append((style, f"    {sign} {mount_words(mount)}"))
    return lines


def markdown_lines(plan: Plan) -> list[str]:
    out: list[str] = []
    if plan.access:
        out += [
            "#### Access changes",
            "",
            "| | recipient | type | share | objects |",
            "|---|---|---|---|---|",
        ]
        for first, objects in grouped(plan.access):
            sign = "➕ gains" if first.change == "gains" else "➖ loses"
            names = "<br>".join(f"`{o}`" for o in objects)
            out.append(
                f"| {sign} | `{first.recipient}` | {first.recipient_type} | `{first.share}` | {names} |"
            )
        out.append("")
    else:
        out += [f"_{NO_ACCESS_CHANGE}_", ""]
    if plan.mounts:
        out += [f"- {'➕' if m.change == 'mounts' else '➖'} {mount_words(m)}" for m in plan.mounts]
        out.append("")
    return out
