"""The bundled examples live side by side in one local workspace, as after `make demo` and the
README's tour; a pack whose names another pack owns is told which pack and the ways out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.helpers import write_pack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "sharepacks").glob("*.yaml"))


def test_examples_have_distinct_pack_names(cli: Any) -> None:
    from sharepack.pack import load_pack

    names = [load_pack(path, target="local").name for path in EXAMPLES]
    assert len(set(names)) == len(names), names


@pytest.mark.parametrize("first", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_after_one_example_is_applied_every_other_plans_without_conflict(cli: Any, first: Path) -> None:
    applied = cli("apply", str(first), "--target", "local", "--auto-approve")
    assert applied.code == 0, applied.output
    for other in EXAMPLES:
        if other == first:
            continue
        result = cli("plan", str(other), "--target", "local")
        assert result.code == 0, f"{other.name} after {first.name}:\n{result.output}"
        assert "left alone" not in result.output and "conflict" not in result.output


OURS = """
metadata:
  name: {name}
pipelines:
  - name_prefix: orders_sync
    source_asset: main.sales.orders
    schedule: "0 0 6 * * ?"
"""


def test_a_conflict_with_another_pack_names_it_and_the_ways_out(cli: Any, tmp_path: Path) -> None:
    theirs = write_pack(tmp_path, OURS.format(name="theirs"), "theirs.yaml")
    ours = write_pack(tmp_path, OURS.format(name="ours"), "ours.yaml")
    assert cli("apply", str(theirs), "--target", "local", "--auto-approve").code == 0
    result = cli("plan", str(ours), "--target", "local")
    assert result.code == 1
    assert "belongs to SharePack 'theirs'" in result.stdout
    assert "sharepack destroy <the file of SharePack 'theirs'> --target local" in result.stdout
    assert "another directory" in result.stdout and ".sharepack/local.db" in result.stdout
    assert "name_prefix" in result.stdout
    # Said once per pack, not once per resource.
    assert result.stdout.count("sharepack destroy") == 1
