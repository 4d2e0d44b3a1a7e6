"""Small files that would expand to gigabytes are refused at their position, not loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import write_pack

MB = 1_000_000


def test_a_big_variable_used_thousands_of_times_is_refused(cli: Any, tmp_path: Path) -> None:
    uses = "${var.big}" * 3_000  # 3 GB once substituted
    text = f"variables:\n  big: {'x' * MB}\npipelines:\n  - name_prefix: p\n    source_asset: '{uses}'\n"
    result = cli("validate", str(write_pack(tmp_path, text)))
    assert result.code == 1
    assert ":5:19: pipelines[0].source_asset: variables would make the pack larger than" in result.stderr
    assert "Traceback" not in result.output and "MemoryError" not in result.output


def test_a_big_anchored_value_aliased_thousands_of_times_is_refused(cli: Any, tmp_path: Path) -> None:
    aliases = "\n".join("  - *big" for _ in range(5_000))
    text = f"x-big: &big '{'x' * MB}'\nx-uses:\n{aliases}\npipelines: []\n"
    pack = write_pack(tmp_path, text)
    for command in ("validate", "plan"):
        result = cli(command, str(pack), *(("--target", "local") if command == "plan" else ()))
        assert result.code == 1
        assert ":13:5: aliases expand to more than 10,000,000 characters" in result.stderr
        assert "Traceback" not in result.output


def test_variables_and_aliases_of_ordinary_size_still_load(cli: Any, tmp_path: Path) -> None:
    first = "  - name_prefix: p_${var.team}\n    source_asset: &src main.s.t\n"
    text = (
        "variables:\n  team: data\npipelines:\n"
        + first
        + "".join(f"  - name_prefix: p{i}_${{var.team}}\n    source_asset: *src\n" for i in range(200))
    )
    assert cli("validate", str(write_pack(tmp_path, text))).code == 0
