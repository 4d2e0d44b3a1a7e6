"""access: who can read what in a workspace — every recipient, every share, ours or not."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sharepack.cli.app import app
from sharepack.cli.options import Host, Parallelism, Profile, Target, Vars, parse_vars
from sharepack.terminal import console

if TYPE_CHECKING:
    from sharepack.ops.access_report import AccessReport
    from sharepack.plan.access_policy import Policy, Violation

BY_HAND = "by hand"
CSV_COLUMNS = (
    "recipient",
    "recipient_type",
    "share",
    "object",
    "object_type",
    "shared_as",
    "pack",
    "recipient_pack",
)


class AccessOutput(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    csv = "csv"


@app.command()
def access(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A SharePack: narrow to its shares and recipients (and use its target's workspace).",
            metavar="[FILE]",
            show_default=False,
        ),
    ] = None,
    recipient: Annotated[
        str | None, typer.Option("--recipient", metavar="NAME", help="Only this recipient (a glob works).")
    ] = None,
    object_glob: Annotated[
        str | None,
        typer.Option(
            "--object", metavar="GLOB", help="Only objects matching this glob, e.g. 'main.sales.*'."
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            help="List what breaks this access policy today (default with a pack: "
            "sharepack-policy.yaml beside it). Reported only: nothing is changed.",
        ),
    ] = None,
    target: Target = None,
    host: Host = None,
    profile: Profile = None,
    var: Vars = None,
    output: Annotated[
        AccessOutput, typer.Option("--output", "-o", metavar="text|json|markdown|csv", help="Output format.")
    ] = AccessOutput.text,
    parallelism: Parallelism = 8,
) -> None:
    """Every recipient, what it can read, through which share, and which pack manages it (or by hand)."""
    from sharepack.ops.access_report import narrowed, read_access
    from sharepack.plan import access_policy

    narrow: dict[str, Any] = {}
    found_policy = access_policy.find_policy(file, policy) if file is not None else None
    if file is None and policy is not None:
        found_policy = access_policy.find_policy(Path("."), policy)
    with _connect(file, target, host, profile, var, narrow) as workspace:
        report = read_access(workspace.client, parallelism=parallelism)
        label = workspace.label
    report = narrowed(report, recipient=recipient, object_glob=object_glob, **narrow)
    broken = access_policy.violations(found_policy, report.rows, verb="reads") if found_policy else []
    if output == AccessOutput.json:
        typer.echo(json.dumps(_as_json(report, label, found_policy, broken), indent=2))
    elif output == AccessOutput.csv:
        typer.echo(_as_csv(report), nl=False)
    elif output == AccessOutput.markdown:
        typer.echo(_as_markdown(report, label, found_policy, broken), nl=False)
    else:
        console.print_lines(_text_lines(report, label, found_policy, broken))


def _connect(
    file: Path | None,
    target: str | None,
    host: str | None,
    profile: str | None,
    var: list[str] | None,
    narrow: dict[str, Any],
) -> Any:
    from sharepack.errors import UsageError
    from sharepack.workspace.connect import LOCAL, choose_target, connect

    if file is None:
        if target is not None and target != LOCAL:
            raise UsageError(
                f"without a pack, --target {target} means nothing here",
                hint="use --host or --profile for a workspace, --target local for the emulator, "
                "or give the pack whose target it is",
            )
        if var:
            raise UsageError("--var sets a pack's variables: give the pack too")
        return connect(choose_target(flag_host=host, flag_profile=profile, target_name=target))
    from sharepack.flow.deployment import Selection, load, workspace_target

    selection = Selection(target=target, host=host, profile=profile, variables=parse_vars(var))
    pack = load(file, selection)
    narrow.update(
        pack=pack.name,
        pack_shares=[s.name for s in pack.shares],
        pack_recipients=[r.name for r in pack.recipients],
    )
    return connect(workspace_target(pack, selection))


def _managed(pack: str | None) -> str:
    return f"pack {pack}" if pack else BY_HAND


def _as_json(
    report: AccessReport, label: str, policy: Policy | None, broken: list[Violation]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "workspace": label,
        "access": [r.to_dict() for r in report.rows],
        "recipients": [
            {**r.to_dict(), "shares": sorted({x.share for x in report.reads(r.name)}, key=str.lower)}
            for r in report.recipients
        ],
    }
    if policy is not None:
        data["policy"] = policy.path
        data["policy_violations"] = [v.to_dict() for v in broken]
    return data


def _as_csv(report: AccessReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        values = row.to_dict()
        writer.writerow(["" if values[c] is None else values[c] for c in CSV_COLUMNS])
    return buffer.getvalue()


def _grouped(report: AccessReport) -> dict[str, dict[str, list[Any]]]:
    """recipient -> share -> rows, in the report's order."""
    groups: dict[str, dict[str, list[Any]]] = {}
    for row in report.rows:
        groups.setdefault(row.recipient, {}).setdefault(row.share, []).append(row)
    return groups


def _text_lines(
    report: AccessReport, label: str, policy: Policy | None, broken: list[Violation]
) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [("bold", f"Access in {label}")]
    groups = _grouped(report)
    types = {r.name: r for r in report.recipients}
    names = list(dict.fromkeys([*(r.name for r in report.recipients), *groups]))
    if not names:
        lines.append(("dim", "  no recipient matches"))
    for name in names:
        entry = types.get(name)
        kind = entry.type if entry else "unknown"
        owner = _managed(entry.pack) if entry else "not a listed recipient"
        shares = groups.get(name, {})
        lines.append(("bold", f"  {name} ({kind}, {owner})" + ("" if shares else ": reads nothing")))
        for share, rows in shares.items():
            objects = ", ".join(r.object + _alias(r.object, r.shared_as) for r in rows)
            lines.append(("", f"    share {share} ({_managed(rows[0].pack)}): {objects}"))
    lines.append(("dim", f"{len(report.rows)} (recipient, share, object) row(s), {len(names)} recipient(s)."))
    if policy is not None:
        lines += _policy_lines(policy, broken)
    return lines


def _alias(name: str, shared_as: str | None) -> str:
    """` as x.y` when shared under a name other than the server's default (schema.table)."""
    default = name.split(".", 1)[-1]
    return f" as {shared_as}" if shared_as and shared_as.lower() != default.lower() else ""


def _policy_lines(policy: Policy, broken: list[Violation]) -> list[tuple[str, str]]:
    if not broken:
        return [("green", f"✓ nothing in the workspace breaks the access policy {policy.path}")]
    lines = [
        (
            "bold red",
            f"✗ {len(broken)} access(es) break the access policy {policy.path} (reported, not changed):",
        )
    ]
    return lines + [("red", f"  {v}") for v in broken]


def _as_markdown(report: AccessReport, label: str, policy: Policy | None, broken: list[Violation]) -> str:
    out = [
        f"## Access in {label}",
        "",
        "| recipient | type | share | object | managed by |",
        "|---|---|---|---|---|",
    ]
    for row in report.rows:
        cells = (
            f"`{row.recipient}`",
            row.recipient_type,
            f"`{row.share}`",
            f"`{row.object}`",
            _managed(row.pack),
        )
        out.append("| " + " | ".join(cells) + " |")
    idle = [r.name for r in report.recipients if not report.reads(r.name)]
    if idle:
        out += ["", "Recipients that read nothing: " + ", ".join(f"`{n}`" for n in idle)]
    if policy is not None:
        out.append("")
        if broken:
            out.append(f"**✗ {len(broken)} access(es) break the access policy `{policy.path}`:**")
            out += [f"- {v}" for v in broken]
        else:
            out.append(f"✓ nothing breaks the access policy `{policy.path}`")
    return "\n".join(out) + "\n"
