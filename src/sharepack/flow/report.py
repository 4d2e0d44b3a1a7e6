"""Step 4 of plan → confirm → apply: what was done, said as a table (or JSON), and why the command
exits 1 when it does — on the last lines, whatever scrolled past above."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sharepack.apply.outcomes import ApplyReport, Executed, Outcome, not_started
from sharepack.changes.model import REFUSED, ResourceType
from sharepack.flow.plans import PlanPair
from sharepack.terminal import console


def print_report(executed: Sequence[Executed], strict: bool, plans: Sequence[PlanPair]) -> None:
    from sharepack.terminal.progress import summary_table

    reports = [report for _, report in executed]
    if any(r.interrupted for r in reports):
        _print_interrupted(executed, plans)
        return
    destroy = any(p.extra.get("destroy") for p, _ in executed)
    title = "Destroyed" if destroy else "Applied"
    left = [c for p, _ in executed if p.extra.get("replanned") for c in p.changes if c.action in REFUSED]
    if left:
        title = "Re-planned under the deploy lock: applied in part"
    console.out().print(summary_table(reports, title=title))
    if left:
        console.err().print(
            f"✗ {len(left)} resource(s) left alone after re-planning ({left[0].message}): "
            "what the first plan would have done there was not done.",
            style="red",
            markup=False,
        )
    schedule_failures = [o for r in reports for o in r.schedule_failures]
    pipeline_failures = [o for r in reports for o in r.pipeline_failures]
    if pipeline_failures:
        from sharepack.terminal.progress import failure_line

        console.err().print(failure_line(reports), style="red", markup=False)
    elif schedule_failures and not strict:
        console.err().print(
            f"⚠ {len(schedule_failures)} schedule job(s) failed; their pipelines are in place. "
            "Re-run apply after fixing, or use --strict to fail the build.",
            style="yellow",
            markup=False,
        )
    reasons = failure_reasons(reports, plans, strict)
    if reasons:
        # The last lines of a failed apply say why, whatever scrolled past above.
        shown = reasons[:MAX_REASONS]
        more = f" (first {MAX_REASONS} shown)" if len(reasons) > MAX_REASONS else ""
        console.err().print(
            f"✗ {'destroy' if destroy else 'apply'} exits 1: {len(reasons)} resource(s) not done{more}:",
            style="red",
            markup=False,
        )
        for line in shown:
            console.err().print(f"  {line}", style="red", markup=False)


MAX_REASONS = 20


def failure_reasons(reports: Sequence[ApplyReport], plans: Sequence[PlanPair], strict: bool) -> list[str]:
    """One line per resource that makes the command exit 1: refused at plan time or failed."""
    lines = [
        f"{c.resource_type.value} {c.name}: left alone, {c.message}"
        for p, _ in plans
        for c in p.changes
        if c.action in REFUSED and (c.resource_type != ResourceType.JOB or strict)
    ]
    for report in reports:
        for outcome in report.outcomes:
            if not outcome.ok and (outcome.fatal or strict):
                change = outcome.change
                lines.append(f"{change.resource_type.value} {change.name}: failed, {outcome.error}")
    return lines


def _print_interrupted(executed: Sequence[Executed], plans: Sequence[PlanPair]) -> None:
    """Ctrl-C: a summary that cannot be mistaken for a finished apply, and the command to finish."""
    from sharepack.terminal.progress import interrupted_lines, summary_table

    reports = [report for _, report in executed]
    console.out().print(summary_table(reports, title="Interrupted: written before Ctrl-C"))
    console.print_lines(interrupted_lines(executed))
    console.err().print(
        f"interrupted: not finished. To finish, run: {finish_command(plans)}", style="red", markup=False
    )


def finish_command(plans: Sequence[PlanPair]) -> str:
    """What finishes an interrupted apply. A saved plan cannot be applied again (the workspace
    has moved on since it was made), so it is made anew; otherwise the same command does it."""
    from sharepack.flow.suggest import same_command

    saved = [(p, d) for p, d in plans if p.extra.get("saved")]
    if saved:
        plan, deployment = saved[0]
        return f"{deployment.command('plan', plan.source, '--out', 'plan.json')}, then apply plan.json"
    return same_command()


def print_json(
    plans: Sequence[PlanPair],
    reports: Sequence[ApplyReport],
    code: int,
    executed: Sequence[Executed] = (),
) -> None:
    results = [_outcome_dict(o) for r in reports for o in r.outcomes]
    data: dict[str, Any] = {
        "format_version": 1,
        "plans": [p.to_dict() for p, _ in plans],
        "results": results,
        "exit_code": code,
    }
    if any(r.interrupted for r in reports):
        data["interrupted"] = True
        data["not_started"] = [
            {"action": c.action.value, "resource_type": c.resource_type.value, "name": c.name}
            for c in not_started(executed)
        ]
        data["finish"] = finish_command(plans)
    print(json.dumps(data, indent=2))


def _outcome_dict(outcome: Outcome) -> dict[str, Any]:
    return {
        "action": outcome.change.action.value,
        "resource_type": outcome.change.resource_type.value,
        "name": outcome.change.name,
        "id": outcome.id,
        "ok": outcome.ok,
        "error": outcome.error,
    }
