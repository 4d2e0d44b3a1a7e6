"""Every file in sharepacks/invalid/ fails with exactly the problems in its .expected file.

An expected line ending in `...` matches any line that starts with the rest: used where the
wording belongs to another package (the schedule language's messages). Set
SHAREPACK_UPDATE_EXPECTED=1 to rewrite the .expected files after a deliberate wording change
(the diff is then the user-visible change; `...` lines that still match are kept).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sharepack.errors import SpecError
from sharepack.pack import load_pack
from tests.pack.helpers import REPO, SHAREPACKS

INVALID = sorted((SHAREPACKS / "invalid").glob("*.yaml"))
WILDCARD = "..."


def reported(path: Path) -> list[str]:
    try:
        load_pack(path)
    except SpecError as exc:
        return str(exc).replace(f"{REPO}{os.sep}", "").replace(os.sep, "/").splitlines()
    raise AssertionError(f"{path.name} loaded without problems")


def matches(expected: str, actual: str) -> bool:
    if expected.endswith(WILDCARD):
        return actual.startswith(expected[: -len(WILDCARD)])
    return expected == actual


def test_there_are_invalid_examples_for_each_kind_of_mistake() -> None:
    assert len(INVALID) >= 12


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_reports_exactly_the_expected_problems(path: Path) -> None:
    expected_file = path.with_suffix(".expected")
    actual = reported(path)
    expected = expected_file.read_text(encoding="utf-8").splitlines() if expected_file.exists() else []
    if os.environ.get("SHAREPACK_UPDATE_EXPECTED") == "1":
        kept = [e if i < len(expected) and matches(e := expected[i], a) else a for i, a in enumerate(actual)]
        expected_file.write_text("\n".join(kept) + "\n", encoding="utf-8")
        expected = kept
    assert expected, f"missing {expected_file.name}; run with SHAREPACK_UPDATE_EXPECTED=1"
    assert len(actual) == len(expected), "\n".join(actual)
    for want, got in zip(expected, actual, strict=True):
        assert matches(want, got), f"\nexpected: {want}\n  actual: {got}"


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_examples_start_with_the_schema_comment(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/sharepack.schema.json"
