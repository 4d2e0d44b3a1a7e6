"""Step 2 of plan → confirm → apply: what the plans leave alone (and whether that fails the run), and
the person's consent — a yes for changes, each pack's name typed for a destroy."""

from __future__ import annotations

from collections.abc import Sequence

from sharepack.changes.model import REFUSED, Action, ResourceType
from sharepack.errors import SharepackError, UsageError
from sharepack.flow.plans import PlanPair
from sharepack.terminal import console


def refused_lines(plans: Sequence[PlanPair]) -> list[str]:
    return [
        f"⚠ {c.resource_type.value} {c.name} left alone: {c.message}"
        for p, _ in plans
        for c in p.changes
        if c.action in REFUSED
    ]


def refused_exit(plans: Sequence[PlanPair], strict: bool) -> int:
    for plan, _ in plans:
        for change in plan.changes:
            # Schedules are non-fatal (seed 000); every other kind left alone fails the run.
            refused = change.action in REFUSED
            if refused and (change.resource_type != ResourceType.JOB or strict):
                return 1
    return 0


def confirm(plans: Sequence[PlanPair], auto_approve: bool) -> None:
    if auto_approve:
        return
    if not console.interactive():
        from sharepack.flow.suggest import same_command

        raise UsageError(
            "refusing to change the workspace without confirmation",
            hint=f"pass --auto-approve in CI: {same_command(add=['--auto-approve'])}",
        )
    import typer

    destroyed = [d.pack.name for p, d in plans if p.extra.get("destroy")]
    if destroyed:
        confirm_by_name(destroyed, sum(len(p.changes) for p, _ in plans))
        return
    if not typer.confirm("Apply these changes?", default=False):
        raise SharepackError("cancelled: nothing was changed")
    deletions = [c for p, _ in plans for c in p.changes if c.action == Action.DELETE]
    if deletions and not typer.confirm(
        f"This deletes {len(deletions)} resource(s). Really delete them?", default=False
    ):
        raise SharepackError("cancelled: nothing was changed")


def confirm_by_name(packs: Sequence[str], count: int) -> None:
    """A destroy is confirmed by typing each pack's name (as terraform asks for `yes`): a `y`
    typed out of habit deletes nothing."""
    import typer

    for name in dict.fromkeys(packs):
        typed = typer.prompt(
            f"This deletes {count} resource(s) of pack {name}. Type the pack's name to confirm",
            default="",
            show_default=False,
        )
        if typed.strip() != name:
            raise SharepackError(
                f"cancelled: nothing was deleted ({typed.strip()!r} is not the pack's name, {name!r})"
                if typed.strip()
                else "cancelled: nothing was deleted"
            )
