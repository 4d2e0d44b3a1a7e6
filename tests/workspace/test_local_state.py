"""A damaged or wrong local state file is a message about the file, never a sqlite3 traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

PACK = "pipelines:\n  - name_prefix: p\n    source_asset: main.s.t\n"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"this is not a database\n" * 50, "is not a SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 4000, "cannot be used as the emulator's state"),
    ],
)
def test_a_damaged_local_db_is_a_clean_error_that_doctor_diagnoses(
    content: bytes, said: str, cli: Any, tmp_path: Path
) -> None:
    state = tmp_path / ".sharepack" / "local.db"
    state.parent.mkdir()
    state.write_bytes(content)
    pack = write_pack(tmp_path, PACK)
    for args in (("plan", str(pack), "--target", "local"), ("status", str(pack), "--target", "local")):
        result = cli(*args)
        assert result.code == 1, result.output
        assert said in result.stderr and "move .sharepack/local.db aside" in result.stderr
        assert "Traceback" not in result.output
    doctor = cli("doctor", str(pack), "--target", "local")
    assert doctor.code == 1 and "Traceback" not in doctor.output
    assert "local.db" in doctor.output
    assert state.read_bytes() == content  # left for the user to look at


def test_emulator_state_pointing_at_a_folder_is_a_clean_error(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    result = cli("emulator", "--state", str(tmp_path / "folder"), "--port", "0")
    assert result.code == 1
    assert "is a folder" in result.stderr and "Traceback" not in result.output
