"""`sharepack validate` on each schedule form: what is refused, and the message a user reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

HEAD = """
pipelines:
  - {name_prefix: a, source_asset: main.sales.a, catalog: main, schema: s}
  - {name_prefix: b, source_asset: main.sales.b, catalog: main, schema: s}
  - {name_prefix: c, source_asset: main.sales.c, catalog: main, schema: s}
"""


def _pack_with(schedule: str, extra: str = "") -> str:
    return (
        HEAD
        + f"""
jobs:
  nightly:
    schedule: {schedule}
    pipelines: [a]
{extra}"""
    )


def validate(cli: Any, tmp_path: Path, text: str) -> Any:
    return cli("validate", str(write_pack(tmp_path, text)))


@pytest.mark.parametrize(
    "schedule",
    [
        '"0 0 2 * * ?"',
        '"30 9 * * 1-5"',
        '"weekdays at 09:30"',
        "continuous",
        "{every: 6h}",
        "{every: 30m, paused: true}",
        '{at: "2099-06-01T08:00:00", timezone: Europe/Paris}',
        '{on: {file_arrival: {url: "s3://b/in/", debounce: 1m, wait_after_last_change: 2m}}}',
        "{on: {table_update: {tables: [main.s.x, main.s.y], condition: all, debounce: 10m}}}",
        "{on: {pipeline_updated: b}}",
    ],
)
def test_every_form_validates(cli: Any, tmp_path: Path, schedule: str) -> None:
    result = validate(cli, tmp_path, _pack_with(schedule))
    assert result.code == 0, result.output


REFUSED: list[tuple[str, str, list[str]]] = [
    ("under a minute", "{every: 5s}", ["under a minute", "continuous"]),
    ("odd minutes", "{every: 45m}", ["cannot be scheduled", "30m"]),
    ("one time in the past", '{at: "2020-01-01T00:00:00"}', ["in the past", "must be in the future"]),
    (
        "one time in the spring-forward gap",
        '{at: "2099-03-29T02:30:00", timezone: Europe/Berlin}',
        ["does not exist", "clocks go forward"],
    ),
    ("debounce under 60s", '{on: {file_arrival: {url: "s3://b/", debounce: 30s}}}', ["debounce", "60s"]),
    ("wait under 60s", "{on: {table_update: {tables: [main.s.x], wait_after_last_change: 59}}}", ["60s"]),
    ("unknown pipeline trigger", "{on: {pipeline_updated: zz}}", ["'zz' is not a pipeline of this pack"]),
    ("bad cron", '"0 0 25 * * ?"', ["hours field", "position 5"]),
    ("or-case cron", '"0 9 15 * 1"', ["either", "two jobs"]),
    ("unknown timezone", '{cron: "0 0 2 * * ?", timezone: Mars/Base}', ["unknown timezone"]),
]


@pytest.mark.parametrize(("schedule", "words"), [(s, w) for _, s, w in REFUSED], ids=[r[0] for r in REFUSED])
def test_bad_schedules_are_refused_with_file_line_and_reason(
    cli: Any, tmp_path: Path, schedule: str, words: list[str]
) -> None:
    result = validate(cli, tmp_path, _pack_with(schedule))
    assert result.code == 1
    assert "pack.yaml:9:" in result.output  # the `schedule:` line of the job
    for word in words:
        assert word in result.output
    assert "Traceback" not in result.output


def test_orchestration_with_unknown_pipeline_is_refused(cli: Any, tmp_path: Path) -> None:
    text = HEAD + "jobs:\n  nightly:\n    schedule: '@daily'\n    pipelines: [a, bb]\n"
    result = validate(cli, tmp_path, text)
    assert result.code == 1
    assert "'bb' is not a pipeline of this pack" in result.output
    assert "pack.yaml:9:" in result.output


def test_orchestration_cycle_is_refused(cli: Any, tmp_path: Path) -> None:
    text = HEAD + (
        "jobs:\n  nightly:\n    schedule: '@daily'\n    tasks:\n"
        "      - {pipeline: a, depends_on: [c]}\n"
        "      - {pipeline: b, depends_on: [a]}\n"
        "      - {pipeline: c, depends_on: [b]}\n"
    )
    result = validate(cli, tmp_path, text)
    assert result.code == 1
    assert "cycle" in result.output and "a -> c -> b -> a" in result.output


def test_orchestration_needs_pipelines_or_tasks(cli: Any, tmp_path: Path) -> None:
    text = HEAD + "jobs:\n  nightly:\n    schedule: '@daily'\n"
    result = validate(cli, tmp_path, text)
    assert result.code == 1
    assert "exactly one of them" in result.output


POLICY = "policy:\n  min_interval: 1h\n"


def test_policy_names_the_two_closest_fire_times(cli: Any, tmp_path: Path) -> None:
    result = validate(cli, tmp_path, POLICY + _pack_with('"0 0,40 9 * * ?"'))
    assert result.code == 1
    # The closest pair is 09:00 and 09:40 of some day (40 minutes apart).
    assert "can run 40 minutes apart" in result.output
    assert "T09:00:00+00:00 and " in result.output and "T09:40:00+00:00)" in result.output
    assert "policy.min_interval is 1h" in result.output


def test_policy_sees_the_dst_shortened_gap(cli: Any, tmp_path: Path) -> None:
    # 01:30 and 03:30 are two hours apart on the wall clock, but on the spring-forward day
    # (2026-03-08 in New York, 02:00 -> 03:00) they are one hour apart.
    policy = "policy:\n  min_interval: 90m\n"
    schedule = '{cron: "0 30 1,3 * * ?", timezone: America/New_York}'
    result = validate(cli, tmp_path, policy + _pack_with(schedule))
    assert result.code == 1
    assert "can run 1 hour apart" in result.output
    assert "01:30:00-05:00 and " in result.output and "03:30:00-04:00" in result.output
    utc = validate(cli, tmp_path, policy + _pack_with('{cron: "0 30 1,3 * * ?", timezone: UTC}'))
    assert utc.code == 0, utc.output


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("continuous", "continuous schedule"),
        ("{every: 30m}", "runs every 30 minutes"),
        ('{on: {file_arrival: {url: "s3://b/"}}}', "without a debounce"),
    ],
)
def test_policy_refuses_forms_that_can_run_too_often(
    cli: Any, tmp_path: Path, schedule: str, words: str
) -> None:
    result = validate(cli, tmp_path, POLICY + _pack_with(schedule))
    assert result.code == 1
    assert words in result.output


@pytest.mark.parametrize(
    "schedule", ['"0 0 * * * ?"', "{every: 1h}", '{on: {file_arrival: {url: "s3://b/", debounce: 1h}}}']
)
def test_policy_accepts_forms_at_the_limit(cli: Any, tmp_path: Path, schedule: str) -> None:
    result = validate(cli, tmp_path, POLICY + _pack_with(schedule))
    assert result.code == 0, result.output


@pytest.mark.parametrize("cron", ['"0 0 0 30 2 ?"', '"0 0 0 1 1 ? 1999"', '"0 0 12 31 4,6,9,11 ?"'])
def test_a_cron_that_never_fires_is_refused(cli: Any, tmp_path: Path, cron: str) -> None:
    # Quartz itself accepts these; a job with them would never run.
    result = validate(cli, tmp_path, _pack_with(f"{{cron: {cron}}}"))
    assert result.code == 1
    # Pointing at the schedule: line 9 of the pack, after "    schedule: ".
    assert ":9:15: jobs.nightly.schedule: " in result.stderr and "never fires" in result.stderr


def test_cron_command_refuses_an_expression_that_never_fires_as_validate_does(
    cli: Any, tmp_path: Any
) -> None:
    from sharepack.schedule.cron import never_fires_message

    result = cli("cron", "0 0 2 30 2 ?", "--output", "json")
    assert result.code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["next"] == []
    assert data["error"] == never_fires_message("0 0 2 30 2 ?")
    text = cli("cron", "0 0 2 30 2 ?")
    assert text.code == 1 and never_fires_message("0 0 2 30 2 ?") in text.stderr
    pack = tmp_path / "never.yaml"
    pack.write_text(
        "share:\n  - name: s\n    share_assets: [c.s.t]\n"
        "    delta_share: {ext_catalog_name: a, ext_schema_name: b}\n"
        "    pipelines:\n      - name_prefix: p\n        source_asset: c.s.t\n"
        '        schedule: {cron: "0 0 2 30 2 ?"}\n',
        encoding="utf-8",
    )
    validate = cli("validate", str(pack))
    assert validate.code == 1 and never_fires_message("0 0 2 30 2 ?") in validate.stderr


def test_cron_command_never_prints_microseconds(cli: Any) -> None:
    import re

    result = cli("cron", "0 0 2 * * ?", "--output", "json")
    assert result.code == 0
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", result.stdout), result.stdout


def test_a_mistyped_timezone_gets_a_did_you_mean(cli: Any, tmp_path: Any) -> None:
    result = cli("cron", "0 0 2 * * ?", "--tz", "America/New_Yrok")
    assert "did you mean 'America/New_York'?" in result.stderr
    pack = tmp_path / "tz.yaml"
    pack.write_text(
        "share:\n  - name: s\n    share_assets: [c.s.t]\n"
        "    delta_share: {ext_catalog_name: a, ext_schema_name: b}\n"
        "    pipelines:\n      - name_prefix: p\n        source_asset: c.s.t\n"
        '        schedule: {cron: "0 0 2 * * ?", timezone: "America/New_Yrok"}\n',
        encoding="utf-8",
    )
    validate = cli("validate", str(pack))
    assert validate.code == 1 and "did you mean 'America/New_York'?" in validate.stderr


def test_min_interval_check_made_between_the_two_close_fires_still_finds_them() -> None:
    # A plan made at 09:10 UTC, between today's 09:00 and 09:40 fires: tomorrow's pair counts.
    from datetime import UTC, datetime

    from sharepack.schedule.policy import min_gap

    gap = min_gap("0 0,40 9 * * ?", "UTC", datetime(2026, 12, 1, 9, 10, tzinfo=UTC))
    assert gap is not None
    assert gap[0].isoformat() == "2026-12-02T09:00:00+00:00"
    assert gap[1].isoformat() == "2026-12-02T09:40:00+00:00"
