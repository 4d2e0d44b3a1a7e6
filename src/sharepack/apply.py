"""Execute a plan: pipelines first (jobs need their IDs), then jobs, then deletions.

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

from sharepack.desired import PIPELINE_REF_PREFIX
from sharepack.errors import SharepackError
from sharepack.plan.build import resolve_pipeline_refs
from sharepack.plan.model import Action, Change, Plan, ResourceType
from sharepack.workspace.write import Writer


@dataclass(frozen=True)
class Outcome:
    change: Change
    ok: bool
    id: str | None = None
    error: str | None = None

    @property
    def is_schedule(self) -> bool:
        return self.change.resource_type == ResourceType.JOB


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False

    @property
    def pipeline_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and not o.is_schedule]

    @property
    def schedule_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and o.is_schedule]

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
    lock = threading.Lock()
    ids: dict[str, str] = {
        c.name: c.id for c in plan.changes if c.resource_type == ResourceType.PIPELINE and c.id
    }
    failed_pipelines: set[str] = set()

    def record(outcome: Outcome) -> None:
        with lock:
            report.outcomes.append(outcome)
            if outcome.change.resource_type == ResourceType.PIPELINE:
                if outcome.ok and outcome.id and outcome.change.action != Action.DELETE:
                    ids[outcome.change.name] = outcome.id
                elif not outcome.ok:
                    failed_pipelines.add(outcome.change.name)
        notify(outcome)

    def write_pipeline(change: Change) -> Outcome:
        assert change.settings is not None
        if change.action == Action.CREATE:
            return Outcome(change, True, writer.create_pipeline(change.settings))
        assert change.id is not None
        writer.update_pipeline(change.id, change.settings)
        return Outcome(change, True, change.id)

    def write_job(change: Change) -> Outcome:
        assert change.settings is not None
        blocked = sorted(failed_pipelines & set(change.pipelines))
        if blocked:
            return Outcome(change, False, change.id, f"skipped: pipeline {blocked[0]} was not applied")
        settings = resolve_pipeline_refs(change.settings, ids)
        unresolved = [
            t
            for t in settings.get("tasks", [])
            if str(t.get("pipeline_task", {}).get("pipeline_id", "")).startswith(PIPELINE_REF_PREFIX)
        ]
        if unresolved:
            return Outcome(change, False, change.id, "skipped: the ID of a pipeline it runs is unknown")
        if change.action == Action.CREATE:
            return Outcome(change, True, str(writer.create_job(settings)))
        assert change.id is not None
        writer.reset_job(int(change.id), settings)
        return Outcome(change, True, change.id)

    def delete(change: Change) -> Outcome:
        assert change.id is not None
        if change.resource_type == ResourceType.JOB:
            writer.delete_job(int(change.id), change.name)
        else:
            writer.delete_pipeline(change.id, change.name)
        return Outcome(change, True, change.id)

    writes = [c for c in plan.changes if c.action in (Action.CREATE, Action.UPDATE, Action.ADOPT)]
    deletions = [c for c in plan.changes if c.action == Action.DELETE]
    pipeline_writes = {c.name for c in writes if c.resource_type == ResourceType.PIPELINE}

    def run_write(change: Change) -> Outcome:
        if change.resource_type == ResourceType.PIPELINE:
            return write_pipeline(change)
        return write_job(change)

    def waits_for(change: Change) -> set[str]:
        # A job waits only for its own pipelines, so jobs start while other pipelines are
        # still being written: both endpoints' rate limits are used at once.
        if change.resource_type == ResourceType.JOB:
            return set(change.pipelines) & pipeline_writes
        return set()

    phases: list[tuple[list[Change], Callable[[Change], Outcome]]] = [
        (writes, run_write),
        ([c for c in deletions if c.resource_type == ResourceType.JOB], delete),
        ([c for c in deletions if c.resource_type == ResourceType.PIPELINE], delete),
    ]
    for changes, action in phases:
        if not _run_graph(changes, action, waits_for, record, parallelism, stop):
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
        for index in waiters.pop(name, []):
            change, pending = blocked[index]
            pending.discard(name)
            if not pending:
                del blocked[index]
                ready.appendleft(change)

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
                settle(outcome.change.name)
                record(outcome)
    except KeyboardInterrupt:
        pool.shutdown(wait=True, cancel_futures=True)
        for future in in_flight:
            if future.done() and not future.cancelled():
                record(future.result())
        return False
    pool.shutdown(wait=True)
    return True
