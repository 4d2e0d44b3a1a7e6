"""`sharepack cron` and `sharepack calendar`, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import write_pack


def test_cron_json_has_the_documented_shape(cli: Any) -> None:
    result = cli("cron", "30 9 * * 1-5", "--tz", "Europe/Paris", "--count", "2",
                 "--after", "2026-01-16T10:00:00+01:00", "--output", "json")  # fmt: skip
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    assert {"input", "quartz", "valid", "description", "next"} <= set(data)
    assert data["input"] == "30 9 * * 1-5"
    assert data["quartz"] == "0 30 9 ? * MON-FRI"
    assert data["valid"] is True
    assert data["description"] == "At 09:30, Monday through Friday"
    # 2026-01-16 is a Friday, after 09:30: next Monday and Tuesday.
    assert data["next"] == ["2026-01-19T09:30:00+01:00", "2026-01-20T09:30:00+01:00"]


def test_cron_text_warns_about_a_skipped_spring_forward_run(cli: Any) -> None:
    result = cli("cron", "0 30 2 * * ?", "--tz", "America/New_York", "--after", "2026-03-07T00:00:00")
    assert result.code == 0, result.output
    assert "At 02:30, every day" in result.stdout
    assert "2026-03-09T02:30:00-04:00" in result.stdout
    assert "2026-03-08T02:30" not in result.stdout
    assert "2026-03-08" in result.stdout and "does not happen" in result.stdout


def test_invalid_cron_json_exits_1_with_the_error(cli: Any) -> None:
    result = cli("cron", "0 0 25 * * ?", "--output", "json")
    assert result.code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert "hours field" in data["error"] and "position 5" in data["error"]


def test_invalid_cron_text_points_at_the_position(cli: Any) -> None:
    # Both day fields specific: one `*` of two is read as `?` (test_origin_forms), this is refused.
    result = cli("cron", "0 0 2 1 * MON")
    assert result.code == 1
    assert "day-of-week field" in result.output
    assert "  0 0 2 1 * MON\n" in result.output and "\n            ^" in result.output
    assert "Traceback" not in result.output


PACK = """
pipelines:
  - name_prefix: orders
    source_asset: main.sales.orders
    catalog: main
    schema: s
    schedule: "0 0 2 * * ?"
  - name_prefix: returns
    source_asset: main.sales.returns
    catalog: main
    schema: s
    schedule: {cron: "0 0,30 2 * * ?", timezone: UTC}
  - name_prefix: stock
    source_asset: main.sales.stock
    catalog: main
    schema: s
    schedule: "weekdays at 09:30"
  - name_prefix: events
    source_asset: main.sales.events
    catalog: main
    schema: s
    schedule: {on: {file_arrival: {url: "s3://b/in/"}}}
"""


def test_calendar_text_shows_jobs_by_hour_and_the_busiest_hour(cli: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    # 2026-01-12 is a Monday: 7 days hold 5 weekdays.
    result = cli("calendar", str(pack), "--start", "2026-01-12T00:00:00+00:00")
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("orders_schedule") and line.endswith("7 runs") for line in lines)
    assert any(line.startswith("returns_schedule") and line.endswith("14 runs") for line in lines)
    assert any(line.startswith("stock_schedule") and line.endswith("5 runs") for line in lines)
    assert "Busiest hours: 02:00 (21 runs), 09:00 (5 runs)." in result.stdout
    assert "events_schedule: runs on events, not shown" in result.stdout


def test_calendar_json_counts_in_the_requested_timezone(cli: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    result = cli("calendar", str(pack), "--days", "1", "--tz", "Asia/Kolkata",
                 "--start", "2026-01-12T00:00:00+05:30", "--output", "json")  # fmt: skip
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    assert data["timezone"] == "Asia/Kolkata" and data["days"] == 1
    # 02:00 UTC is 07:30 in India; 09:30 UTC is 15:00.
    assert data["jobs"]["orders_schedule"]["by_hour"][7] == 1
    assert data["jobs"]["returns_schedule"]["by_hour"][7:9] == [1, 1]
    assert data["jobs"]["stock_schedule"]["by_hour"][15] == 1
    assert data["busiest_hours"][0] == 7
    assert "events_schedule" in data["not_shown"]


def test_calendar_html_is_a_self_contained_page(cli: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    page = tmp_path / "calendar.html"
    result = cli("calendar", str(pack), "--days", "2", "--output", "html", "--out", str(page),
                 "--start", "2026-01-12T00:00:00+00:00")  # fmt: skip
    assert result.code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "</html>" in text
    assert "<script" not in text and "http" not in text  # nothing fetched from elsewhere
    assert "orders_schedule" in text and "Monday 2026-01-12" in text
    assert "Busiest hours (highlighted): 02:00" in text


def test_calendar_refuses_an_unknown_timezone(cli: Any, tmp_path: Path) -> None:
    result = cli("calendar", str(write_pack(tmp_path, PACK)), "--tz", "Mars/Base")
    assert result.code != 0
    assert "unknown timezone" in result.output and "Traceback" not in result.output
