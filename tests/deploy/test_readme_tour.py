"""The README's "A 60-second tour", command by command, as a newcomer runs it: twice in a row
against a fresh local workspace, each command exiting as documented (0 unless its comment says
`exits N`)."""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HEADING = "## A 60-second tour"
# Long-running: it serves a workspace until Ctrl-C, so it is not run here (`--seed-only` is).
LONG_RUNNING = {"emulator"}


def long_running(argv: list[str]) -> bool:
    return argv[0] in LONG_RUNNING and "--seed-only" not in argv


def tour_commands(readme: str) -> list[tuple[list[str], int]]:
    """(argv after `sharepack`, expected exit code) for each command of the tour's first sh block."""
    section = readme[readme.index(HEADING) :]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, f"no ```sh block under {HEADING!r}"
    commands = []
    for line in block[1].replace("\\\n", " ").splitlines():
        if not line.strip():
            continue
        comment = line.partition(" #")[2]
        expected = re.search(r"\bexits (\d+)", comment)
        argv = _shell_words(line)
        assert argv[0] == ".venv/bin/sharepack", line
        commands.append((argv[1:], int(expected[1]) if expected else 0))
    return commands


def _shell_words(line: str) -> list[str]:
    """Words as sh splits them: comments dropped, quotes removed, unquoted globs expanded."""
    lexer = shlex.shlex(line, posix=False, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words: list[str] = []
    for raw in lexer:
        quoted = raw[:1] in "'\""
        matches = [] if quoted else sorted(glob.glob(raw))
        words += matches or shlex.split(raw)
    return words


def test_the_tour_block_is_found_and_parsed() -> None:
    commands = tour_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert [argv[0] for argv, _ in commands][:4] == ["validate", "emulator", "plan", "apply"]
    assert ["cron", "30 9 * * 1-5", "--tz", "Europe/Berlin"] in [argv for argv, _ in commands]
    backfill = next(argv for argv, _ in commands if argv[0] == "backfill")
    assert backfill[-5:] == ["--from", "2026-11-01", "--to", "2026-11-07", "--dry-run"]


def test_the_tour_runs_twice_in_a_row(cli: Any, tmp_path: Path) -> None:
    # The tests' cwd is tmp_path: the examples are copied in, the local workspace is fresh.
    shutil.copytree(ROOT / "sharepacks", tmp_path / "sharepacks")
    commands = tour_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any(long_running(argv) for argv, _ in commands)
    for attempt in (1, 2):
        for argv, expected in commands:
            if long_running(argv):
                continue
            result = cli(*argv)
            assert result.code == expected, f"run {attempt}: sharepack {shlex.join(argv)}\n{result.output}"
    leftovers = {p.name for p in tmp_path.iterdir()} - {"sharepacks", ".sharepack", "no-databrickscfg"}
    assert not leftovers, f"the tour leaves files next to the repo's own: {leftovers}"


def test_the_tour_after_make_demo_checks_every_source_it_applies(cli: Any, tmp_path: Path) -> None:
    """As printed, after `make demo` seeded its example: no plan of the tour leaves its sources
    "not checked", and the sharing pack applies onto the tables the tour seeded for it."""
    shutil.copytree(ROOT / "sharepacks", tmp_path / "sharepacks")
    demo = cli("emulator", "--seed-tables", "sharepacks/tables/seed_example.yaml", "--seed-only")
    assert demo.code == 0, demo.output
    for argv, expected in tour_commands((ROOT / "README.md").read_text(encoding="utf-8")):
        if long_running(argv):
            continue
        result = cli(*argv)
        assert result.code == expected, f"sharepack {shlex.join(argv)}\n{result.output}"
        if argv[0] in ("plan", "apply"):
            assert "not checked" not in result.output, shlex.join(argv)
