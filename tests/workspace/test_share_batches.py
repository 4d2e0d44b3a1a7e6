"""How a share's object changes are cut into PATCHes: at most 100 each, removals before
additions, and never two updates of one object in one PATCH (Databricks refuses that pair)."""

from __future__ import annotations

from typing import Any

from sharepack.workspace.sharing_write import MAX_UPDATES_PER_PATCH, object_batches


def _update(action: str, name: str) -> dict[str, Any]:
    return {"action": action, "data_object": {"name": name}}


def test_150_additions_are_two_patches_of_100_and_50() -> None:
    batches = object_batches([_update("ADD", f"main.s.t{i}") for i in range(150)])
    assert [len(b) for b in batches] == [100, 50]


def test_removals_go_before_updates_and_updates_before_additions() -> None:
    updates = [
        _update("ADD", "main.s.new"),
        _update("UPDATE", "main.s.kept"),
        _update("REMOVE", "main.s.old"),
    ]
    (only,) = object_batches(updates)
    assert [u["action"] for u in only] == ["REMOVE", "UPDATE", "ADD"]


def test_a_replaced_object_is_removed_in_one_patch_and_added_in_the_next() -> None:
    updates = [_update("REMOVE", "main.s.a"), _update("ADD", "Main.S.A"), _update("ADD", "main.s.b")]
    first, second = object_batches(updates)
    assert [(u["action"], u["data_object"]["name"]) for u in first] == [("REMOVE", "main.s.a")]
    assert [(u["action"], u["data_object"]["name"]) for u in second] == [
        ("ADD", "Main.S.A"),
        ("ADD", "main.s.b"),
    ]


def test_no_patch_is_over_the_limit_nor_repeats_an_object() -> None:
    removed = [_update("REMOVE", f"main.s.t{i}") for i in range(130)]
    readded = [_update("ADD", f"main.s.t{i}") for i in range(0, 130, 2)]
    batches = object_batches([*readded, *removed])
    assert all(len(b) <= MAX_UPDATES_PER_PATCH for b in batches)
    for batch in batches:
        names = [u["data_object"]["name"].lower() for u in batch]
        assert len(names) == len(set(names))
    actions = [u["action"] for b in batches for u in b]
    assert actions == ["REMOVE"] * 130 + ["ADD"] * 65
