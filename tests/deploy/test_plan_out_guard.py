"""`plan --out` writes a new file or replaces an earlier saved plan, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import write_pack
from tests.reliability.census import pack_yaml


def test_plan_out_refuses_its_own_pack_a_symlink_and_other_files(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_yaml(1))
    original = pack.read_text()
    precious = tmp_path / "notes.txt"
    precious.write_text("keep me\n")
    link = tmp_path / "link.json"
    link.symlink_to(precious)
    for out, said in (
        (pack, "is the SharePack being planned"),
        (link, "symbolic link"),
        (precious, "not a saved plan"),
    ):
        result = cli("plan", str(pack), "--out", str(out))
        assert result.code == 2, result.output  # a usage error, as export's --out guard
        assert said in result.stderr and "Traceback" not in result.output
    assert pack.read_text() == original and precious.read_text() == "keep me\n"
    assert workspace_env.request_log() == []  # refused before connecting


def test_plan_out_replaces_an_earlier_saved_plan(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, pack_yaml(1))
    saved = tmp_path / "plan.json"
    assert cli("plan", str(pack), "--out", str(saved)).code == 0
    assert cli("plan", str(pack), "--out", str(saved)).code == 0
    assert json.loads(saved.read_text())["plans"][0]["pack"] == "reliable"
    assert cli("apply", str(saved), "--auto-approve").code == 0
