"""Access policy rules as a reviewer writes them, checked against single access changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharepack.errors import SpecError
from sharepack.plan.access_policy import load_policy


def _policy(tmp_path: Path, text: str) -> object:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def test_a_shared_schema_counts_as_every_table_in_it(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "rules:\n  - deny: {objects: ['main.pii.*'], to: external}\n")
    assert policy.refusing("acme", "D2O", "Main.PII")  # type: ignore[attr-defined]
    assert policy.refusing("acme", "D2O", "main.pii.customers")  # type: ignore[attr-defined]
    assert not policy.refusing("acme", "D2O", "main.sales")  # type: ignore[attr-defined]
    assert not policy.refusing("partner", "D2D", "main.pii.customers")  # type: ignore[attr-defined]


def test_to_takes_recipient_globs_and_the_words_external_and_d2d(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "rules:\n  - allow_only: {objects: [main.finance.*], to: [finance_*, d2d]}\n")
    assert not policy.refusing("FINANCE_eu", "D2O", "main.finance.ledger")  # type: ignore[attr-defined]
    assert not policy.refusing("other", "D2D", "main.finance.ledger")  # type: ignore[attr-defined]
    assert policy.refusing("acme", "D2O", "main.finance.ledger")  # type: ignore[attr-defined]
    assert not policy.refusing("acme", "D2O", "main.sales.x")  # type: ignore[attr-defined]


def test_a_recipient_of_unknown_type_fails_closed(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        "rules:\n  - deny: {objects: ['a.*'], to: external}\n  - allow_only: {objects: ['b.*'], to: d2d}\n",
    )
    assert policy.refusing("ghost", "unknown", "a.s.t")  # type: ignore[attr-defined]
    assert policy.refusing("ghost", "unknown", "b.s.t")  # type: ignore[attr-defined]


def test_every_problem_in_a_policy_file_is_reported_with_its_place(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        _policy(
            tmp_path,
            "rules:\n  - deny: {objects: [], to: external}\n  - deny: {objects: [x], to: everyone}\n"
            "  - {deny: {objects: [x], to: any}, allow_only: {objects: [y], to: any}}\n",
        )
    text = str(caught.value)
    assert ":2:21: `objects` is a non-empty list of names" in text
    assert ":3:30: `to: everyone` is neither external, d2d nor any" in text
    assert ":4:5: a rule has exactly one of `deny:` or `allow_only:`" in text
