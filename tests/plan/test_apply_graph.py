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
