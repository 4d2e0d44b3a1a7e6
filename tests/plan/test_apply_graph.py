"""The applier's graph walk: every change of a phase runs, or is reported — none is dropped."""

from __future__ import annotations

from sharepack.apply.executor import _run_graph
from sharepack.apply.outcomes import Outcome
from sharepack.changes.model import Action, Change, ResourceType


def _change(name: str) -> Change:
    return Change(Action.DELETE, ResourceType.GRANT, name, "pack", id=name)


def _walk(changes: list[Change], waits: dict[str, set[str]]) -> list[Outcome]:
    recorded: list[Outcome] = []
    _run_graph(
        changes,
        lambda c: Outcome(c, True, c.id),
        lambda c: waits.get(c.name, set()),
        recorded.append,
        parallelism=2,
    )
    return recorded


def test_a_change_waiting_on_another_runs_after_it() -> None:
    first, second = _change("a:x"), _change("a:y")
    recorded = _walk([second, first], {"a:y": {first.key}})
    assert [o.change.name for o in recorded] == ["a:x", "a:y"]
    assert all(o.ok for o in recorded)


def test_a_wait_that_cannot_end_is_reported_as_a_failure_not_dropped() -> None:
    one, two = _change("a:x"), _change("a:y")
    recorded = _walk([one, two], {"a:x": {two.key}, "a:y": {one.key}})
    assert sorted(o.change.name for o in recorded) == ["a:x", "a:y"]
    assert not any(o.ok for o in recorded)
    assert all((o.error or "").startswith("skipped: waits for") for o in recorded)


def test_a_write_whose_dependency_was_refused_is_skipped_naming_it_and_never_sent() -> None:
    from typing import Any, cast

    from sharepack.apply.executor import apply_plan
    from sharepack.changes.model import Plan

    refused = Change(Action.CONFLICT, ResourceType.RECIPIENT, "partner", "b", message="belongs to 'a'")
    grant = Change(Action.CREATE, ResourceType.GRANT, "s:partner", "b", settings={"share": "s"})
    share = Change(Action.NOOP, ResourceType.SHARE, "s", "b", id="s")
    plan = Plan(pack="b", source="b.yaml", host="h", changes=(share, refused, grant))
    # No writer at all: a write that were sent would fail on it.
    report = apply_plan(plan, cast(Any, None))
    [outcome] = report.outcomes
    assert outcome.skipped and not outcome.ok
    assert outcome.error == "skipped: recipient partner was left alone (conflict: belongs to 'a')"


class _DeletingWriter:
    """Records deletions in the order they finish; the second job's delete holds until the first
    pipeline is gone, which only a pipeline deleted beside the other jobs lets happen."""

    def __init__(self) -> None:
        import threading

        self.done: list[str] = []
        self.lock = threading.Lock()
        self.first_pipeline_gone = threading.Event()

    def delete_job(self, job_id: int, name: str) -> None:
        if name == "j2":
            self.first_pipeline_gone.wait(timeout=10)  # only reached when the test fails
        with self.lock:
            self.done.append(name)

    def delete_pipeline(self, pipeline_id: str, name: str) -> None:
        with self.lock:
            self.done.append(name)
        if name == "p1":
            self.first_pipeline_gone.set()


def test_a_pipeline_is_deleted_once_its_own_job_is_gone_beside_the_other_jobs() -> None:
    from typing import Any, cast

    from sharepack.apply.executor import apply_plan
    from sharepack.changes.model import Plan

    def job(name: str, runs: str) -> Change:
        return Change(Action.DELETE, ResourceType.JOB, name, "pack", id="1", pipelines=(runs,))

    def pipeline(name: str) -> Change:
        return Change(Action.DELETE, ResourceType.PIPELINE, name, "pack", id=name)

    plan = Plan(
        pack="pack",
        source="pack.yaml",
        host="h",
        changes=(job("j1", "p1"), job("j2", "p2"), pipeline("p1"), pipeline("p2")),
    )
    writer = _DeletingWriter()
    report = apply_plan(plan, cast(Any, writer), parallelism=2)
    assert all(o.ok for o in report.outcomes)
    assert writer.done.index("p1") < writer.done.index("j2")  # p1 did not wait for every job
    assert writer.done.index("j1") < writer.done.index("p1")  # but it did wait for its own
    assert writer.done.index("j2") < writer.done.index("p2")


def test_a_job_delete_that_does_not_say_what_it_ran_holds_every_pipeline_back() -> None:
    from typing import Any, cast

    from sharepack.apply.executor import apply_plan
    from sharepack.changes.model import Plan

    # A saved plan made before job deletes recorded their pipelines: the old order, by kind.
    unknown = Change(Action.DELETE, ResourceType.JOB, "j1", "pack", id="1")
    plan = Plan(
        pack="pack",
        source="pack.yaml",
        host="h",
        changes=(unknown, Change(Action.DELETE, ResourceType.PIPELINE, "p9", "pack", id="p9")),
    )
    writer = _DeletingWriter()
    apply_plan(plan, cast(Any, writer), parallelism=2)
    assert writer.done == ["j1", "p9"]
