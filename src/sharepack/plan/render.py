"""A plan for people (terminal text, Markdown for a pull request) and for machines (JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from sharepack.changes.model import Action, Change, Plan
from sharepack.kinds import KIND_OF
from sharepack.plan import access_render

SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.ADOPT: "&",
    Action.DELETE: "-",
    Action.NOOP: "=",
    Action.AMBIGUOUS: "!",
    Action.CONFLICT: "!",
    Action.IMMUTABLE: "!",
}
STYLES = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.ADOPT: "cyan",
    Action.DELETE: "red",
    Action.NOOP: "dim",
    Action.AMBIGUOUS: "bold red",
    Action.CONFLICT: "bold red",
    Action.IMMUTABLE: "bold red",
}


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, sort_keys=True)


def summary_line(plans: Sequence[Plan]) -> str:
    counts: dict[str, int] = {}
    for plan in plans:
        for action, count in plan.summary.items():
            counts[action] = counts.get(action, 0) + count
    parts = [
        f"{counts['create']} to create",
        f"{counts['update']} to update",
        f"{counts['adopt']} to adopt",
        f"{counts['delete']} to delete",
        f"{counts['no-op']} unchanged",
    ]
    refused = counts["ambiguous"] + counts["conflict"] + counts.get("immutable", 0)
    if refused:
        parts.append(f"{refused} left alone (see above)")
    line = "Plan: " + ", ".join(parts) + "."
    digest_only = sum(p.digest_only for p in plans)
    if digest_only:
        # "unchanged" above is weaker for these: say so wherever the summary is read (PR comment too).
        line += (
            f" {digest_only} pipeline(s) compared by digest only (--trust-digest):"
            " changes made to them by hand are not seen."
        )
    return line


def summary_lines(plans: Sequence[Plan]) -> list[str]:
    """One pack: its summary. Several: a line per pack (a drift check of many packs reads which
    ones drifted at a glance), then the total."""
    if len(plans) < 2:
        return [summary_line(plans)]
    return [f"{p.source}: {summary_line([p]).removeprefix('Plan: ')}" for p in plans] + [
        f"Total of {len(plans)} packs: {summary_line(plans).removeprefix('Plan: ')}"
    ]


def plans_to_json(plans: Sequence[Plan]) -> str:
    if len(plans) == 1:
        return json.dumps(plans[0].to_dict(), indent=2, sort_keys=False)
    return json.dumps(
        {"format_version": plans[0].format_version if plans else 1, "plans": [p.to_dict() for p in plans]},
        indent=2,
    )


def _title(change: Change) -> str:
    kind = KIND_OF[change.resource_type].noun
    ident = f" (id {change.id})" if change.id else ""
    return f"{kind} {change.name}{ident}"


def text_lines(plan: Plan, *, verbose: bool = False) -> list[tuple[str, str]]:
    """(style, line) pairs; the caller prints them with rich or plain."""
    lines: list[tuple[str, str]] = []
    if plan.approval_refused:
        lines.append(("bold red", "✗ " + approval_line(plan)))
    lines.append(
        (
            "bold",
            f"SharePack {plan.pack} ({plan.source}) → {plan.host}"
            + (f" [target {plan.target}]" if plan.target else "")
            + (f"  (name from {plan.identity})" if plan.identity else ""),
        )
    )
    lines += [("dim", f"  {key}: {value}") for key, value in plan.governance.items()]
    lines += access_render.text_lines(plan)  # what a reviewer reads first: who gains or loses what
    shown = [c for c in plan.changes if verbose or c.action != Action.NOOP]
    for change in shown:
        style = STYLES[change.action]
        lines.append((style, f"  {SYMBOLS[change.action]} {_title(change)}: {change.action.value}"))
        if change.message:
            lines.append((style, f"      {change.message}"))
        for field_change in change.diff:
            lines.append(
                (
                    "",
                    f"      {field_change.path}: "
                    f"{_value(field_change.before)} → {_value(field_change.after)}",
                )
            )
        if change.action in (Action.CREATE, Action.UPDATE, Action.ADOPT):
            for detail in change.details:
                lines.append(("yellow" if detail.startswith("warning:") else "dim", f"      {detail}"))
            kind = KIND_OF[change.resource_type]
            lines += [("dim", f"      {line}") for line in (*kind.notes(change), *kind.summary(change))]
    unchanged = sum(1 for c in plan.changes if c.action == Action.NOOP)
    if unchanged and not verbose:
        lines.append(("dim", f"  {unchanged} resource(s) unchanged"))
    for warning in plan.warnings:
        lines.append(("yellow", f"  ⚠ {warning}"))
    for owner in _other_packs(plan):
        lines += [("yellow", line) for line in _ways_out(plan, owner)]
    return lines


# Matches the message of the kinds (kinds/pipeline.py, kinds/job.py) for a resource another pack's tags claim.
_OWNED_BY = re.compile(r"belongs to SharePack (['\"])(?P<owner>.*?)\1")


def conflict_owners(plan: Plan) -> list[str]:
    """The other packs whose marks are on what this plan conflicts on, in order of appearance."""
    return _other_packs(plan)


def _other_packs(plan: Plan) -> list[str]:
    owners = (_OWNED_BY.search(c.message or "") for c in plan.changes if c.action == Action.CONFLICT)
    return list(dict.fromkeys(m["owner"] for m in owners if m))


def _ways_out(plan: Plan, owner: str) -> list[str]:
    """Once per other pack, not per resource: the same two ways out apply to all of them."""
    flags = f" --target {plan.target}" if plan.target else ""
    lines = [
        f"  ⚠ Names above belong to SharePack {owner!r}. Either remove that pack first:",
        f"      sharepack destroy <the file of SharePack {owner!r}>{flags} --auto-approve",
        "    or keep both: give the clashing pipelines other names (name_prefix) in this pack",
    ]
    if owner in plan.same_pack:
        lines.append(
            f"    or, if SharePack {owner!r} is this pack under an earlier name (same project_name or "
            f"same resources), keep what it made: set `metadata.name: {owner}` in this file"
        )
    if plan.host.startswith("local emulator"):
        lines.append("    or run this pack from another directory: each has its own .sharepack/local.db")
    return lines


def approval_line(plan: Plan) -> str:
    """What an unapproved pack's plan says first: apply will send nothing."""
    return (
        f"SharePack {plan.pack} is not approved (approver_status: {plan.approval_refused}): "
        "apply sends nothing unless --ignore-approval is given"
    )


def to_markdown(plans: Sequence[Plan]) -> str:
    refused = [f"> ⛔ {approval_line(p)}" for p in plans if p.approval_refused]
    out = [*refused, *([""] if refused else []), "## sharepack plan", ""]
    for plan in plans:
        out.append(f"### `{plan.pack}` → {plan.host}" + (f" (target `{plan.target}`)" if plan.target else ""))
        out.append("")
        if plan.governance:
            out += [f"- **{key}**: {value}" for key, value in plan.governance.items()]
            out.append("")
        out += access_render.markdown_lines(plan)
        changes = [c for c in plan.changes if c.action != Action.NOOP]
        if not changes:
            out.append("No changes. The workspace matches the SharePack.")
        else:
            out.append("| | action | resource | name |")
            out.append("|---|---|---|---|")
            for c in changes:
                out.append(
                    f"| {SYMBOLS[c.action]} | {c.action.value} | {c.resource_type.value} | `{c.name}` |"
                )
            details = [
                c for c in changes if c.diff or c.message or c.details or KIND_OF[c.resource_type].notes(c)
            ]
            if details:
                out.append("")
                out.append("<details><summary>Details</summary>")
                out.append("")
                out.append("```diff")
                for c in details:
                    out.append(f"{SYMBOLS[c.action]} {_title(c)}: {c.action.value}")
                    if c.message:
                        out.append(f"#   {c.message}")
                    for d in c.diff:
                        out.append(f"-   {d.path}: {_value(d.before)}")
                        out.append(f"+   {d.path}: {_value(d.after)}")
                    for detail in c.details:
                        out.append(f"#   {detail}")
                    if c.action in (Action.CREATE, Action.UPDATE, Action.ADOPT):
                        out += [f"#   {note}" for note in KIND_OF[c.resource_type].notes(c)]
                out.append("```")
                out.append("")
                out.append("</details>")
        for warning in plan.warnings:
            out.append(f"> ⚠️ {warning}")
        out.append("")
    out.append(f"**{summary_line(plans)}**")
    return "\n".join(out) + "\n"
