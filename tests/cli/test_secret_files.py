"""An activation link written to a file (not a terminal) is readable by its user only, lands in
a file of its own, and never goes through a link or into a file someone else prepared."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sharepack.terminal.secret_notice import say_once, secret_path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_the_link_goes_to_a_new_0600_file_in_a_0700_folder(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    say_once("https://link/1", "partner", directory=folder)
    assert _mode(folder) == 0o700
    written = secret_path(folder, "partner")
    assert written.read_text() == "https://link/1\n" and _mode(written) == 0o600


def test_an_existing_readable_file_is_replaced_not_written_into(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    folder.mkdir()
    old = secret_path(folder, "partner")
    old.write_text("old\n")
    os.chmod(old, 0o644)
    inode = old.stat().st_ino
    say_once("https://link/2", "partner", directory=folder)
    assert old.read_text() == "https://link/2\n"
    assert _mode(old) == 0o600 and old.stat().st_ino != inode


def test_a_symlink_in_the_files_place_is_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    folder.mkdir()
    elsewhere = tmp_path / "shared_with_everyone.txt"
    elsewhere.write_text("untouched\n")
    secret_path(folder, "partner").symlink_to(elsewhere)
    say_once("https://link/3", "partner", directory=folder)
    assert elsewhere.read_text() == "untouched\n"
    written = secret_path(folder, "partner")
    assert not written.is_symlink() and written.read_text() == "https://link/3\n"


def test_a_folder_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    import pytest

    from sharepack.errors import SharepackError

    (tmp_path / "real").mkdir()
    (tmp_path / "secrets").symlink_to(tmp_path / "real")
    with pytest.raises(SharepackError):
        say_once("https://link/4", "partner", directory=tmp_path / "secrets")
    assert list((tmp_path / "real").iterdir()) == []


def test_two_recipients_whose_names_look_alike_as_files_get_a_file_each(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    say_once("https://link/plus", "acme+x", directory=folder)
    say_once("https://link/underscore", "acme_x", directory=folder)
    assert secret_path(folder, "acme+x") != secret_path(folder, "acme_x")
    assert secret_path(folder, "acme+x").read_text() == "https://link/plus\n"
    assert secret_path(folder, "acme_x").read_text() == "https://link/underscore\n"


def test_the_emulators_state_file_is_readable_by_its_user_only(tmp_path: Path) -> None:
    from sharepack.emulator import Emulator, EmulatorConfig

    state = tmp_path / "local.db"
    with Emulator(EmulatorConfig(state_path=str(state))):
        pass
    assert _mode(state) == 0o600
