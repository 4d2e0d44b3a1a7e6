"""Execute a plan: every write once what it waits for is settled, then deletions, dependants first.

The one rule of the applier lives here, in `Settled`: a write runs only when every change it
depends on (`Kind.depends_on`) was applied in this run or was already true (a no-op). A change
that was refused (conflict, immutable, ambiguous), failed, was skipped or lost a race stops
everything that depends on it, with a reason naming it. No kind checks this for itself.

Writes run in parallel, bounded. A failed schedule job never stops the others and never undoes
its pipeline (seed 000: schedules are non-fatal). Ctrl-C lets the writes in flight finish, sends
nothing new, and a re-run picks up from what the workspace then holds.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from sharepack.apply.outcomes import ApplyReport, Outcome
from sharepack.changes.model import REFUSED, Action, Change, Plan, ResourceType
from sharepack.errors import SharepackError
from sharepack.kinds import KIND_OF, KINDS
from sharepack.kinds.base import WriteContext
from sharepack.workspace.write import Writer

Listener = Callable[[Outcome], None]


class Settled:
    """What became of each change of the plan, as far as the changes that depend on it care.

    A no-op was already true; a refused change (conflict, immutable, ambiguous) never happens;
    a mutating change is settled by its outcome. A key the plan does not hold is nothing this
    apply does (another pack's recipient, a share outside --select): it neither blocks nor helps."""

    def __init__(self, plan: Plan) -> None:
        self._lock = threading.Lock()
        self._why_not: dict[str, str | None] = {}
        for change in plan.changes:
            if change.action == Action.NOOP:
                self._why_not[change.key] = None
            elif change.action in REFUSED:
                reason = f"{change.action.value}: {change.message}" if change.message else change.action.value
                self._why_not[change.key] = f"{_label(change)} was left alone ({reason})"
            else:
                self._why_not[change.key] = f"{_label(change)} has not been applied yet"

    def record(self, outcome: Outcome) -> None:
        change = outcome.change
        with self._lock:
            if outcome.ok:
                self._why_not[change.key] = None
            elif outcome.skipped:
                self._why_not[change.key] = f"{_label(change)} was skipped"
            else:
                self._why_not[change.key] = f"{_label(change)} failed"

    def unmet(self, change: Change) -> str | None:
        """Why `change` may not run (naming the first dependency not applied), or None."""
        needed = KIND_OF[change.resource_type].depends_on(change)
        with self._lock:
            reasons = [self._why_not[key] for key in sorted(needed) if self._why_not.get(key)]
        return reasons[0] if reasons else None


def _label(change: Change) -> str:
    if change.resource_type == ResourceType.SHARE_OBJECTS:
        return f"the objects of share {change.name}"
    return f"{change.resource_type.value.replace('_', ' ')} {change.name}"


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
    settled = Settled(plan)

    def record(outcome: Outcome) -> None:
        with context.lock:
            report.outcomes.append(outcome)
            if outcome.ok and outcome.id and outcome.change.action != Action.DELETE:
                context.ids[outcome.change.key] = outcome.id
        settled.record(outcome)
        notify(outcome)

    def run(change: Change) -> Outcome:
        # The one gate: nothing that depends on a change runs unless that change happened.
        why_not = settled.unmet(change)
        if why_not is not None:
            return Outcome(change, False, change.id, f"skipped: {why_not}", skipped=True)
        written = KIND_OF[change.resource_type].write(change, context)
        return Outcome(change, True, written.id, notice=written.notice)

    writes = [c for c in plan.changes if c.action in (Action.CREATE, Action.UPDATE, Action.ADOPT)]

    # Writes follow the dependency graph; then deletions, each after the deletions of what uses it.
    deletions = [c for c in plan.changes if c.action == Action.DELETE]
    for changes, waits_for in ((writes, _write_waits(writes)), (deletions, _deletion_waits(deletions))):
        if not _run_graph(changes, run, waits_for, record, parallelism, stop):
            report.interrupted = True
            break
    return report


def _write_waits(writes: list[Change]) -> Callable[[Change], set[str]]:
    # A change waits only for what runs in this graph: waiting on a key that never runs here
    # would leave it waiting forever.
    planned = {c.key for c in writes}

    def waits_for(change: Change) -> set[str]:
        kind = KIND_OF[change.resource_type]
        return (kind.waits_for(change, planned) | kind.depends_on(change)) & planned

    return waits_for


def _deletion_waits(deletions: list[Change]) -> Callable[[Change], set[str]]:
    """Dependants are deleted first: a deletion waits for the deletions of the kinds deleted before
    its own (descending rank) — all of them, or, when such a kind names what its resource uses
    (`Kind.uses`: a job, the pipelines it runs), only the ones that use it. So a pipeline goes as
    soon as its own job is gone, beside the other jobs' deletions, each endpoint at its own rate."""
    order = {kind.resource_type: i for i, kind in enumerate(sorted(KINDS, key=lambda k: -k.rank))}
    blanket: dict[int, list[str]] = defaultdict(list)  # by deletion order: may use anything after it
    users: dict[str, list[tuple[int, str]]] = defaultdict(list)  # key -> (order, key) of its users
    same_kind: dict[ResourceType, set[str]] = defaultdict(set)
    for change in deletions:
        position = order[change.resource_type]
        same_kind[change.resource_type].add(change.key)
        used = KIND_OF[change.resource_type].uses(change)
        if used is None:
            blanket[position].append(change.key)
        for key in used or ():
            users[key].append((position, change.key))

    def waits_for(change: Change) -> set[str]:
        position = order[change.resource_type]
        kind = KIND_OF[change.resource_type]
        own = same_kind[change.resource_type]
        waits = (kind.waits_for(change, own) | kind.depends_on(change)) & own
        waits.update(key for before in range(position) for key in blanket.get(before, ()))
        waits.update(key for before, key in users.get(change.key, ()) if before < position)
        waits.discard(change.key)
        return waits

    return waits_for


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
        record(
            Outcome(
                change, False, change.id, f"skipped: waits for {', '.join(sorted(pending))}", skipped=True
            )
        )
    return True
