"""Execute a plan: every write once what it waits for is settled, then deletions kind by kind.

Writes run in parallel, bounded. A failed schedule job never stops the others and never undoes
its pipeline (seed 000: schedules are non-fatal). Ctrl-C lets the writes in flight finish, sends
nothing new, and a re-run picks up from what the workspace then holds.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from sharepack.errors import SharepackError
from sharepack.kinds import KIND_OF, KINDS
from sharepack.kinds.base import WriteContext
from sharepack.plan.model import Action, Change, Plan, ResourceType
from sharepack.workspace.write import Writer


@dataclass(frozen=True)
class Outcome:
    change: Change
    ok: bool
    id: str | None = None
    error: str | None = None
    # Said once to the person at the terminal (an activation link): never saved, never in JSON.
    notice: str | None = field(default=None, repr=False)

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
        """Failures that fail the apply: every kind but schedules."""
        return [o for o in self.outcomes if not o.ok and o.fatal]

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


Listener = Callable[[Outcome], None]


def apply_plan(
    plan: Plan,
    writer: Writer,
    *,
    parallelism: int = 8,
    on_outcome: Listener | None = None,
    stop: threading.Event | None = None,
) -> ApplyReport:
    """Execute the plan. `stop` (set by another thread on Ctrl-C) works like an interrupt here:
    writes in flight finish, nothing new starts."""
    report = ApplyReport()
    notify = on_outcome or (lambda _: None)
    context = WriteContext(writer, ids={c.key: c.id for c in plan.changes if c.id})

    def record(outcome: Outcome) -> None:
        with context.lock:
            report.outcomes.append(outcome)
            if not outcome.ok:
                context.failed.add(outcome.change.key)
            elif outcome.id and outcome.change.action != Action.DELETE:
                context.ids[outcome.change.key] = outcome.id
        notify(outcome)

    def run(change: Change) -> Outcome:
        written = KIND_OF[change.resource_type].write(change, context)
        return Outcome(change, True, written.id, notice=written.notice)

    writes = [c for c in plan.changes if c.action in (Action.CREATE, Action.UPDATE, Action.ADOPT)]

    # Writes follow the dependency graph; deletions go kind by kind, dependants first.
    phases: list[list[Change]] = [writes]
    deletions = [c for c in plan.changes if c.action == Action.DELETE]
    for kind in sorted(KINDS, key=lambda k: -k.rank):
        phases.append([c for c in deletions if c.resource_type == kind.resource_type])
    for changes in phases:
        # A change waits only for what runs in its own phase: what an earlier phase did is settled,
        # and waiting on a key that never runs here would leave the change waiting forever.
        planned = {c.key for c in changes}

        def waits_for(change: Change, planned: set[str] = planned) -> set[str]:
            return KIND_OF[change.resource_type].waits_for(change, planned)

        if not _run_graph(changes, run, waits_for, record, parallelism, stop):
            report.interrupted = True
            break
    return report


def _run_graph(
    changes: Iterable[Change],
    action: Callable[[Change], Outcome],
    waits_for: Callable[[Change], set[str]],
    record: Listener,
    parallelism: int,
    stop: threading.Event | None = None,
) -> bool:
    """Run changes at most `parallelism` at a time, each once the pipelines it waits for are
    settled; unblocked jobs go first. False when interrupted: writes in flight finish, nothing
    new starts."""
    ready: deque[Change] = deque()  # unblocked jobs are put first: they waited on finished work
    blocked: dict[int, tuple[Change, set[str]]] = {}
    waiters: dict[str, list[int]] = defaultdict(list)
    for index, change in enumerate(changes):
        pending = waits_for(change)
        if pending:
            blocked[index] = (change, set(pending))
            for name in pending:
                waiters[name].append(index)
        else:
            ready.append(change)
    if not ready and not blocked:
        return True

    def settle(name: str) -> None:
        unblocked = []
        for index in waiters.pop(name, []):
            change, pending = blocked[index]
            pending.discard(name)
            if not pending:
                del blocked[index]
                unblocked.append(change)
        # Ahead of the queue, in plan order: what was waiting on finished work goes first.
        ready.extendleft(reversed(unblocked))

    def guarded(change: Change) -> Outcome:
        try:
            return action(change)
        except SharepackError as exc:
            return Outcome(change, False, change.id, exc.message)

    pool = ThreadPoolExecutor(max_workers=max(1, parallelism))
    in_flight: set[Future[Outcome]] = set()
    try:
        while ready or in_flight:
            if stop is not None and stop.is_set():
                raise KeyboardInterrupt
            while ready and len(in_flight) < parallelism:
                in_flight.add(pool.submit(guarded, ready.popleft()))
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                settle(outcome.change.key)
                record(outcome)
    except KeyboardInterrupt:
        pool.shutdown(wait=True, cancel_futures=True)
        for future in in_flight:
            if future.done() and not future.cancelled():
                record(future.result())
        return False
    pool.shutdown(wait=True)
    for change, pending in blocked.values():
        # Never dropped in silence: a wait that cannot end (a cycle) is a failure in the report.
        record(Outcome(change, False, change.id, f"skipped: waits for {', '.join(sorted(pending))}"))
    return True
