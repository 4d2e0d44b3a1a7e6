"""Every table the CLI prints, at 60, 80 and 160 columns and piped: no word split across lines,
no line wider than the terminal, every resource name whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from sharepack.terminal import console
from sharepack.terminal.console import PIPED_WIDTH
from tests.helpers import write_pack

# Long names and a long timezone: the words a narrow table used to cut (`exis/ts`, `Stat/e`).
PACK = """
metadata:
  name: readable_tables
pipelines:
  - name_prefix: customer_orders_daily_sync
    source_asset: main.sales.customer_orders
    schedule: {cron: "0 0 2 * * ?", timezone: America/Argentina/Buenos_Aires}
  - name_prefix: inventory_levels_sync
    source_asset: main.sales.inventory_levels
    schedule: {every: 6h}
  - name_prefix: adhoc_refresh
    source_asset: main.sales.adhoc
"""
NAMES = ["customer_orders_daily_sync", "inventory_levels_sync", "adhoc_refresh"]
WIDTHS = ["60", "80", "160", "piped"]


@pytest.fixture(params=WIDTHS)
def width(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The terminal width the CLI sees; `piped` is no COLUMNS and a stdout that is not a TTY."""
    if request.param == "piped":
        monkeypatch.delenv("COLUMNS", raising=False)
        expected = PIPED_WIDTH
    else:
        monkeypatch.setenv("COLUMNS", request.param)
        expected = int(request.param)
    # The consoles are built once per process, with the width of that moment.
    console.out.cache_clear()
    console.err.cache_clear()
    yield expected
    console.out.cache_clear()
    console.err.cache_clear()


def assert_readable(text: str, width: int, words: list[str]) -> None:
    # A command to paste stays on a line of its own, however long: folded, it would not paste.
    too_wide = [
        line for line in text.splitlines() if cell_len(line) > width and not line.startswith("  sharepack ")
    ]
    assert not too_wide, f"lines wider than {width}:\n" + "\n".join(too_wide)
    split = [word for word in words if word not in text]
    assert not split, f"not whole at {width} columns: {split}\n{text}"


@pytest.fixture
def applied(cli: Any, tmp_path: Path) -> Path:
    pack = write_pack(tmp_path, PACK)
    result = cli("apply", str(pack), "--target", "local", "--auto-approve")
    assert result.code == 0, result.output
    return pack


def test_status_keeps_words_and_names_whole(cli: Any, applied: Path, width: int) -> None:
    result = cli("status", str(applied), "--target", "local")
    assert result.code == 0, result.output
    words = ["State", "exists", "Drift", "Schedule", "Paused", "active", "America/Argentina/Buenos_Aires"]
    assert_readable(result.stdout, width, [*words, "Next", "fire", "Last", "run", *NAMES])


def test_status_of_a_pack_not_applied_keeps_missing_whole(cli: Any, tmp_path: Path, width: int) -> None:
    pack = write_pack(tmp_path, PACK)
    result = cli("status", str(pack), "--target", "local")
    assert result.code == 0, result.output
    assert_readable(result.stdout, width, ["missing", "not", "scheduled", *NAMES])


def test_history_keeps_words_whole(cli: Any, applied: Path, width: int) -> None:
    assert cli("run", str(applied), NAMES[0], "--target", "local", "--wait").code == 0
    result = cli("history", str(applied), NAMES[0], "--target", "local")
    assert result.code == 0, result.output
    words = ["Trigger", "State", "Started", "Duration", "manual", "SUCCESS", f"{NAMES[0]}_schedule"]
    assert_readable(result.stdout, width, words)


def test_apply_summary_keeps_words_whole(cli: Any, tmp_path: Path, width: int) -> None:
    pack = write_pack(tmp_path, PACK)
    result = cli("apply", str(pack), "--target", "local", "--auto-approve")
    assert result.code == 0, result.output
    # Only the summary table: the plan above it is lines, not a table.
    table = result.stdout[result.stdout.index("Applied") :]
    # In blocks (at 60 columns) the first column's header gives way to each row's heading.
    words = ["created", "updated", "adopted", "deleted", "failed", "pipelines", "schedule"]
    assert_readable(table, width, words)


def test_doctor_keeps_words_whole(cli: Any, width: int) -> None:
    result = cli("doctor", "--target", "local")
    assert result.code == 0, result.output
    words = ["check", "status", "detail", "versions", "emulator", "authenticated", "pipelines"]
    assert_readable(result.stdout, width, words)


def test_calendar_keeps_job_names_whole_and_lines_within_the_width(
    cli: Any, tmp_path: Path, width: int
) -> None:
    pack = write_pack(tmp_path, PACK)
    result = cli("calendar", str(pack), "--start", "2026-01-12T00:00:00+00:00", "--days", "2")
    assert result.code == 0, result.output
    assert_readable(result.stdout, width, [f"{NAMES[0]}_schedule", "busiest", "Busiest"])
