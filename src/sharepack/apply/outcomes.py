"""What became of a plan's changes when it was applied: one outcome per write, and the report whose
exit code says whether the apply failed (schedules never fail it, unless strict)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sharepack.changes.model import Change, Plan, ResourceType
from sharepack.kinds import KIND_OF


@dataclass(frozen=True)
class Outcome:
    change: Change
    ok: bool
    id: str | None = None
    error: str | None = None
    # Said once to the person at the terminal (an activation link): never saved, never in JSON.
    notice: str | None = field(default=None, repr=False)
    # Never attempted: a change it depends on was not applied (the error names it).
    skipped: bool = False

    @property
    def is_schedule(self) -> bool:
        return self.change.resource_type == ResourceType.JOB

    @property
    def fatal(self) -> bool:
        return KIND_OF[self.change.resource_type].fatal


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False

    @property
    def pipeline_failures(self) -> list[Outcome]:
        """Failures that fail the apply: every kind but schedules (skips included)."""
        return [o for o in self.outcomes if not o.ok and o.fatal]

    @property
    def failures(self) -> list[Outcome]:
        """Writes that were attempted and failed, of every kind."""
        return [o for o in self.outcomes if not o.ok and not o.skipped]

    @property
    def skips(self) -> list[Outcome]:
        """Writes never attempted because something they depend on was not applied."""
        return [o for o in self.outcomes if o.skipped]

    @property
    def schedule_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and not o.fatal]

    def exit_code(self, *, strict: bool = False) -> int:
        if self.interrupted:
            return 130  # Ctrl-C, as a shell reports it: the README's exit codes
        if self.pipeline_failures:
            return 1
        if self.schedule_failures and strict:
            return 1
        return 0


Executed = tuple[Plan, ApplyReport]  # the plan as executed (re-planned under the lock, if so)


def not_started(executed: Sequence[Executed]) -> list[Change]:
    """Changes of the executed plans that no write was started for."""
    missing: list[Change] = []
    for plan, report in executed:
        done = {(o.change.resource_type, o.change.name) for o in report.outcomes}
        missing += [c for c in plan.changes if c.is_mutating and (c.resource_type, c.name) not in done]
    return missing
