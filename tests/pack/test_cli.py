"""`sharepack validate` and `sharepack schema` as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.pack.helpers import REPO, SHAREPACKS

Write = Callable[..., Path]


def test_validate_prints_one_ok_line_per_valid_file(cli: Any) -> None:
    result = cli("validate", str(SHAREPACKS / "seed_example.yaml"), str(SHAREPACKS / "minimal.yaml"))
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        f"OK {SHAREPACKS / 'seed_example.yaml'}: pack seed_example, 2 pipelines, 2 jobs",
        f"OK {SHAREPACKS / 'minimal.yaml'}: pack minimal, 1 pipeline, 1 job",
    ]


def test_validate_reports_every_problem_of_every_file_and_exits_1(cli: Any, pack_file: Write) -> None:
    bad_one = pack_file("share:\n  - name: s\n    share_asset: [a.b.c]\n")
    bad_two = pack_file("pipelines:\n  - name_prefix: p\n")
    result = cli("validate", str(bad_one), str(SHAREPACKS / "minimal.yaml"), str(bad_two))
    assert result.code == 1
    assert "OK " in result.stdout and "minimal.yaml" in result.stdout
    assert f"{bad_one}:2:5: share[0]: missing required key 'share_assets'" in result.stderr
    assert f"{bad_one}:3:5: share[0]: unknown key 'share_asset'" in result.stderr
    assert "hint: did you mean 'share_assets'?" in result.stderr
    assert f"{bad_two}:2:5: pipelines[0]: missing required key 'source_asset'" in result.stderr
    assert "error: 3 problems found" in result.stderr
    assert "Traceback" not in result.output


def test_validate_with_target_and_variables(cli: Any) -> None:
    path = str(SHAREPACKS / "multi_share.yaml")
    result = cli("validate", path, "--target", "prod", "--var", "env=staging")
    assert result.code == 0, result.output
    assert result.stdout.strip().endswith("pack retail, 4 pipelines, 5 jobs (target prod)")
    unknown = cli("validate", path, "--var", "nope=1")
    assert unknown.code == 1 and "--var nope: the pack has no such variable" in unknown.stderr


def test_validate_usage_errors_exit_2(cli: Any, tmp_path: Path) -> None:
    assert cli("validate", str(SHAREPACKS / "minimal.yaml"), "--var", "novalue").code == 2
    missing = cli("validate", str(tmp_path / "absent.yaml"))
    assert missing.code == 2 and "no such file" in missing.stderr


def test_validate_hostile_input_gives_a_message_not_a_traceback(cli: Any, pack_file: Write) -> None:
    path = pack_file("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "b: [" + ", ".join(["*a"] * 20000) + "]\n")
    result = cli("validate", str(path))
    assert result.code == 1
    assert "aliases expand to more than" in result.stderr
    assert "Traceback" not in result.output


def test_schema_prints_the_committed_json_schema(cli: Any) -> None:
    result = cli("schema")
    assert result.code == 0
    assert result.stdout == (REPO / "schemas" / "sharepack.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout)["title"] == "SharePack"
