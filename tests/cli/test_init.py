"""`sharepack init`: a starter pack a pip user can apply at once, never written over their files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent


def test_init_writes_a_starter_pack_that_validates_and_its_tables(cli: Any, tmp_path: Path) -> None:
    result = cli("init", "demo")
    assert result.code == 0, result.output
    demo = tmp_path / "demo"
    assert sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*") if p.is_file()) == [
        "seed_example.yaml",
        "sharepack.schema.json",
        "tables/seed_example.yaml",
    ]
    assert cli("validate", str(demo / "seed_example.yaml")).code == 0
    assert "sharepack emulator --seed-tables demo/tables/seed_example.yaml --seed-only" in result.stdout


def test_the_starter_pack_is_the_repository_seed_example(tmp_path: Path) -> None:
    starter = ROOT / "src" / "sharepack" / "starter"
    # Only the schema line differs: the starter's schema sits beside it.
    assert (starter / "seed_example.yaml").read_text().splitlines()[1:] == (
        ROOT / "sharepacks" / "seed_example.yaml"
    ).read_text().splitlines()[1:]
    assert "tables:" in (starter / "tables" / "seed_example.yaml").read_text()


def test_init_never_writes_over_existing_files(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "seed_example.yaml").write_text("mine\n")
    result = cli("init")
    assert result.code == 2, result.output
    assert "seed_example.yaml already exist(s); nothing was written" in result.stderr
    assert (tmp_path / "seed_example.yaml").read_text() == "mine\n"
    assert not (tmp_path / "tables").exists()
