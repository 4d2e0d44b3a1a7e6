"""Live lines while an apply runs (in the words of seed 000), a progress bar for long ones, and
the final summary table."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sharepack.apply.outcomes import ApplyReport, Outcome
from sharepack.changes.model import Action, Change, Plan, ResourceType
from sharepack.terminal import console

if TYPE_CHECKING:
    from sharepack.terminal.tables import FitTable

PROGRESS_BAR_FROM = 20  # changes; below this the lines alone are enough

_VERBS = {
    Action.CREATE: "Created",
    Action.UPDATE: "Updated",
    Action.ADOPT: "Adopted",
    Action.DELETE: "Deleted",
}


def outcome_line(outcome: Outcome) -> tuple[str, str]:
    change = outcome.change
    kind = {ResourceType.JOB: "schedule", ResourceType.SHARE_OBJECTS: "objects of share"}.get(
        change.resource_type, change.resource_type.value
    )
    if outcome.ok:
        line = f"✓ {_VERBS.get(change.action, 'Applied')} {kind}: {change.name} (id: {outcome.id})"
        if change.resource_type == ResourceType.JOB and change.details and change.action != Action.DELETE:
            line += f" — {change.details[0]}"
        return ("green", line)
    if change.resource_type == ResourceType.JOB:
        return ("yellow", f"⚠ Schedule {change.name} was not applied: {outcome.error}")
    return ("red", f"✗ {kind.capitalize()} {change.name} failed: {outcome.error}")


class OutcomePrinter:
    def __init__(self, *, total: int, quiet: bool, bar: bool = True) -> None:
        self.total = total
        self.quiet = quiet
        self.bar = bar
        self._lock = threading.Lock()
        self._progress: Any = None
        self._task: Any = None
        # Secrets said while the bar is drawn would land on its line: they wait until it is gone.
        self._notices: list[tuple[str, str]] = []

    def __enter__(self) -> OutcomePrinter:
        if self.bar and not self.quiet and self.total >= PROGRESS_BAR_FROM and console.out().is_terminal:
            from rich.progress import Progress

            self._progress = Progress(console=console.out(), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("applying", total=self.total)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._say_notices()

    def _say_notices(self) -> None:
        from sharepack.terminal.secret_notice import say_once

        notices, self._notices = self._notices, []
        for notice, name in notices:
            say_once(notice, name)

    def outcome(self, outcome: Outcome) -> None:
        with self._lock:
            if self._progress is not None:
                self._progress.advance(self._task)
            if outcome.notice:
                self._notices.append((outcome.notice, outcome.change.name))
                if self._progress is None:
                    self._say_notices()
            if self.quiet and outcome.ok:
                return
            style, line = outcome_line(outcome)
            target = console.err() if (self.quiet or not outcome.ok) else console.out()
            target.print(line, style=style, markup=False)


def summary_table(reports: Sequence[ApplyReport], *, title: str = "Applied") -> FitTable:
    from sharepack.terminal.tables import Column, FitTable

    counts = ("created", "updated", "adopted", "deleted", "failed")
    table = FitTable([Column("resource"), *(Column(c, justify="right") for c in counts)], title=title)
    from sharepack.kinds import KINDS

    present = {o.change.resource_type for r in reports for o in r.outcomes}
    for registered in sorted(KINDS, key=lambda k: k.rank):
        kind = registered.resource_type
        if kind not in present and not registered.always_summarised:
            continue
        outcomes = [o for r in reports for o in r.outcomes if o.change.resource_type == kind]
        done = Counter(o.change.action for o in outcomes if o.ok)
        failed = sum(1 for o in outcomes if not o.ok)
        table.add_row(
            registered.label,
            str(done[Action.CREATE]),
            str(done[Action.UPDATE]),
            str(done[Action.ADOPT]),
            str(done[Action.DELETE]),
            str(failed),
        )
    return table


def failure_line(reports: Sequence[ApplyReport]) -> str:
    """The closing line of an apply that failed: what failed, counted by its own kind, and how
    many writes were skipped because something they depend on was not applied."""
    failed = Counter(o.change.resource_type for r in reports for o in r.failures if o.fatal)
    skipped = sum(len(r.skips) for r in reports)
    parts = [_counted(kind, n) for kind, n in sorted(failed.items(), key=lambda kv: kv[0].value)]
    said = "; ".join(parts) if parts else "nothing failed"
    if skipped:
        said += f"; {skipped} change(s) that depend on what was not applied were skipped"
    return f"✗ {said}. Fix the cause shown above and re-run apply: what succeeded is kept."


def _counted(kind: ResourceType, count: int) -> str:
    if kind == ResourceType.SHARE_OBJECTS:
        return f"the objects of {count} share(s) failed"
    return f"{count} {kind.value.replace('_', ' ')}(s) failed"


def interrupted_lines(executed: Sequence[tuple[Plan, ApplyReport]]) -> list[tuple[str, str]]:
    """What an interrupted apply wrote and what it never started, resource by resource."""
    from sharepack.apply.outcomes import not_started

    written = [o for _, r in executed for o in r.outcomes if o.ok]
    lines: list[tuple[str, str]] = [("bold", f"Written before the interrupt: {len(written)}")]
    lines += [
        ("green", f"  ✓ {_kind(o.change)} {o.change.name}: {_VERBS[o.change.action].lower()}")
        for o in written
    ]
    missing = not_started(executed)
    lines.append(("bold yellow", f"Not started: {len(missing)}"))
    lines += [("yellow", f"  · {_kind(c)} {c.name}: {c.action.value} not sent") for c in missing]
    return lines


def _kind(change: Change) -> str:
    return "pipeline" if change.resource_type == ResourceType.PIPELINE else "schedule job"
