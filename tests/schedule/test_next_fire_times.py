"""Next fire times of Quartz expressions, checked against values worked out by hand.

Every expected value below comes from a calendar and the Quartz documentation
(CronTrigger tutorial examples such as `0 15 10 ? * 6L`, `0 15 10 L-2 * ?`, `0 0/5 14 * * ?`),
never from the evaluator. Calendar facts used: 2026-01-01 is a Thursday; 2026-02-01 and
2026-03-01 are Sundays; 2026-08-01 is a Saturday; US clocks go forward on 2026-03-08 and back
on 2026-11-01; the EU on 2026-03-29 and 2026-10-25; Sydney forward on 2026-10-04.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice

import pytest

from sharepack.schedule.cron import parse
from sharepack.schedule.quartz_eval import fire_times
from sharepack.schedule.zones import zone

# (expression, timezone, after, the next fire times as ISO-8601 with offset)
CASES: list[tuple[str, str, str, list[str]]] = [
    # Plain values, and "after" is exclusive.
    (
        "0 0 12 * * ?",
        "UTC",
        "2026-01-15T12:00:00+00:00",
        ["2026-01-16T12:00:00+00:00", "2026-01-17T12:00:00+00:00"],
    ),
    # Quartz docs: 10:15 every Monday to Friday. 2026-01-16 is a Friday.
    (
        "0 15 10 ? * MON-FRI",
        "UTC",
        "2026-01-16T11:00:00+00:00",
        ["2026-01-19T10:15:00+00:00", "2026-01-20T10:15:00+00:00"],
    ),
    # Same days by number: Quartz 2 = Monday, 6 = Friday.
    (
        "0 15 10 ? * 2-6",
        "UTC",
        "2026-01-16T11:00:00+00:00",
        ["2026-01-19T10:15:00+00:00", "2026-01-20T10:15:00+00:00"],
    ),
    # Quartz docs: every 5 minutes from 14:00 to 14:55.
    (
        "0 0/5 14 * * ?",
        "UTC",
        "2026-01-15T14:50:00+00:00",
        ["2026-01-15T14:55:00+00:00", "2026-01-16T14:00:00+00:00", "2026-01-16T14:05:00+00:00"],
    ),
    # Last day of the month.
    (
        "0 15 10 L * ?",
        "UTC",
        "2026-01-15T00:00:00+00:00",
        ["2026-01-31T10:15:00+00:00", "2026-02-28T10:15:00+00:00", "2026-03-31T10:15:00+00:00"],
    ),
    # Quartz docs: L-2, the second-to-last day of every month (two days before the last).
    (
        "0 15 10 L-2 * ?",
        "UTC",
        "2026-01-15T00:00:00+00:00",
        ["2026-01-29T10:15:00+00:00", "2026-02-26T10:15:00+00:00", "2026-03-29T10:15:00+00:00"],
    ),
    # L-3 in a leap year: 2028-02-29 is the last day.
    ("0 0 0 L-3 2 ?", "UTC", "2027-03-01T00:00:00+00:00", ["2028-02-26T00:00:00+00:00"]),
    # Quartz docs: 6L, the last Friday of every month.
    (
        "0 15 10 ? * 6L",
        "UTC",
        "2026-01-15T00:00:00+00:00",
        ["2026-01-30T10:15:00+00:00", "2026-02-27T10:15:00+00:00", "2026-03-27T10:15:00+00:00"],
    ),
    # Quartz docs: 6#3, the third Friday of every month.
    (
        "0 15 10 ? * 6#3",
        "UTC",
        "2026-01-01T00:00:00+00:00",
        ["2026-01-16T10:15:00+00:00", "2026-02-20T10:15:00+00:00", "2026-03-20T10:15:00+00:00"],
    ),
    # The first Sunday (1#1): 2026-02-01 and 2026-03-01 are Sundays, April's first is the 5th.
    (
        "0 0 9 ? * 1#1",
        "UTC",
        "2026-01-05T00:00:00+00:00",
        ["2026-02-01T09:00:00+00:00", "2026-03-01T09:00:00+00:00", "2026-04-05T09:00:00+00:00"],
    ),
    # A fifth Saturday exists only in some months: 2027-01-30, then 2027-05-29.
    (
        "0 0 0 ? * 7#5 2027",
        "UTC",
        "2026-06-01T00:00:00+00:00",
        ["2027-01-30T00:00:00+00:00", "2027-05-29T00:00:00+00:00"],
    ),
    # Quartz docs: every 5 days starting on the 1st (1, 6, 11, 16, 21, 26, 31).
    (
        "0 0 12 1/5 * ?",
        "UTC",
        "2026-01-15T12:00:00+00:00",
        ["2026-01-16T12:00:00+00:00", "2026-01-21T12:00:00+00:00", "2026-01-26T12:00:00+00:00"],
    ),
    # Quartz docs: 11:11 on November 11th.
    (
        "0 11 11 11 11 ?",
        "UTC",
        "2026-01-01T00:00:00+00:00",
        ["2026-11-11T11:11:00+00:00", "2027-11-11T11:11:00+00:00"],
    ),
    # W: the weekday nearest the 15th. Feb 15 and Mar 15 2026 are Sundays (-> Monday).
    (
        "0 0 0 15W * ?",
        "UTC",
        "2026-01-16T00:00:00+00:00",
        ["2026-02-16T00:00:00+00:00", "2026-03-16T00:00:00+00:00", "2026-04-15T00:00:00+00:00"],
    ),
    # 1W never jumps back into the previous month: Saturday 2026-08-01 -> Monday the 3rd.
    (
        "0 0 0 1W * ?",
        "UTC",
        "2026-07-15T00:00:00+00:00",
        ["2026-08-03T00:00:00+00:00", "2026-09-01T00:00:00+00:00"],
    ),
    # LW: the last weekday. Jan 31 and Feb 28 2026 are Saturdays.
    (
        "0 0 0 LW * ?",
        "UTC",
        "2026-01-15T00:00:00+00:00",
        ["2026-01-30T00:00:00+00:00", "2026-02-27T00:00:00+00:00", "2026-03-31T00:00:00+00:00"],
    ),
    # Steps within a range, on Sundays only (2026-01-18 is a Sunday).
    (
        "0 0/20 9-10 ? * SUN",
        "UTC",
        "2026-01-15T00:00:00+00:00",
        [
            "2026-01-18T09:00:00+00:00",
            "2026-01-18T09:20:00+00:00",
            "2026-01-18T09:40:00+00:00",
            "2026-01-18T10:00:00+00:00",
            "2026-01-18T10:20:00+00:00",
        ],
    ),
    # Month names in a list: Mondays of January and July (July 2026's first Monday is the 6th).
    (
        "0 0 8 ? JAN,JUL MON",
        "UTC",
        "2026-01-25T00:00:00+00:00",
        ["2026-01-26T08:00:00+00:00", "2026-07-06T08:00:00+00:00", "2026-07-13T08:00:00+00:00"],
    ),
    # A list of seconds.
    (
        "15,45 30 6 ? * 2-6",
        "UTC",
        "2026-01-16T00:00:00+00:00",
        ["2026-01-16T06:30:15+00:00", "2026-01-16T06:30:45+00:00", "2026-01-19T06:30:15+00:00"],
    ),
    # The year field with a step: 2027, then 2029, then never again.
    (
        "0 0 0 1 1 ? 2027-2029/2",
        "UTC",
        "2026-01-15T00:00:00+00:00",
        ["2027-01-01T00:00:00+00:00", "2029-01-01T00:00:00+00:00"],
    ),
    # February 29th only in leap years.
    (
        "0 0 0 29 2 ?",
        "UTC",
        "2026-01-15T00:00:00+00:00",
        ["2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00"],
    ),
    # Timezones: the expression is read in the schedule's zone.
    (
        "0 0 9 * * ?",
        "Asia/Kolkata",
        "2026-01-15T00:00:00+00:00",
        ["2026-01-15T09:00:00+05:30", "2026-01-16T09:00:00+05:30"],
    ),
    ("0 0 9 * * ?", "America/New_York", "2026-01-15T14:00:00+00:00", ["2026-01-16T09:00:00-05:00"]),
    # Spring forward in New York (2026-03-08, 02:00 -> 03:00): 02:00 does not exist that day and is skipped.
    (
        "0 0 2 * * ?",
        "America/New_York",
        "2026-03-07T03:00:00-05:00",
        ["2026-03-09T02:00:00-04:00", "2026-03-10T02:00:00-04:00"],
    ),
    # Spring forward in Berlin (2026-03-29, 02:00 -> 03:00): 02:30 is skipped, and the offset changes.
    (
        "0 30 2 * * ?",
        "Europe/Berlin",
        "2026-03-28T00:00:00+01:00",
        ["2026-03-28T02:30:00+01:00", "2026-03-30T02:30:00+02:00"],
    ),
    # A time outside the missing hour is untouched on the spring-forward day.
    (
        "0 0 3 * * ?",
        "Europe/Berlin",
        "2026-03-28T12:00:00+01:00",
        ["2026-03-29T03:00:00+02:00", "2026-03-30T03:00:00+02:00"],
    ),
    # Sydney goes forward on 2026-10-04 (02:00 -> 03:00, +10:00 -> +11:00).
    (
        "0 30 2 * * ?",
        "Australia/Sydney",
        "2026-10-03T12:00:00+10:00",
        ["2026-10-05T02:30:00+11:00", "2026-10-06T02:30:00+11:00"],
    ),
    # Every 30 minutes across the New York spring-forward gap: 01:30 EST is followed by 03:00 EDT.
    (
        "0 0/30 * * * ?",
        "America/New_York",
        "2026-03-08T01:00:00-05:00",
        ["2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00"],
    ),
]


@pytest.mark.parametrize(
    ("expression", "tz", "after", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES]
)
def test_next_fire_times_match_quartz(expression: str, tz: str, after: str, expected: list[str]) -> None:
    runs = islice(fire_times(parse(expression), zone(tz), datetime.fromisoformat(after)), len(expected) + 1)
    assert [run.isoformat() for run in runs][: len(expected)] == expected


def test_a_year_range_runs_out() -> None:
    after = datetime.fromisoformat("2026-01-15T00:00:00+00:00")
    runs = list(islice(fire_times(parse("0 0 0 1 1 ? 2027-2029/2"), zone("UTC"), after), 5))
    assert [r.isoformat() for r in runs] == ["2027-01-01T00:00:00+00:00", "2029-01-01T00:00:00+00:00"]


def _local_times_on(expression: str, tz: str, day: str) -> list[str]:
    # One second before local midnight, so that a 00:00 run counts.
    start = datetime.fromisoformat(f"{day}T00:00:00").replace(tzinfo=zone(tz)) - timedelta(seconds=1)
    runs = islice(fire_times(parse(expression), zone(tz), start), 60)
    return [r.isoformat() for r in runs if r.date().isoformat() == day]


@pytest.mark.parametrize(
    ("expression", "tz", "day", "local_time"),
    [
        ("0 30 1 * * ?", "America/New_York", "2026-11-01", "01:30"),
        ("0 30 2 * * ?", "Europe/Berlin", "2026-10-25", "02:30"),
    ],
)
def test_a_repeated_local_time_fires_once_on_the_fall_back_day(
    expression: str, tz: str, day: str, local_time: str
) -> None:
    fires = _local_times_on(expression, tz, day)
    assert len(fires) == 1
    assert fires[0][11:16] == local_time


def test_hourly_runs_once_per_wall_clock_hour_when_clocks_go_back() -> None:
    fires = _local_times_on("0 0 * * * ?", "America/New_York", "2026-11-01")
    assert [f[11:16] for f in fires] == [f"{h:02d}:00" for h in range(24)]


def test_hourly_skips_the_missing_hour_when_clocks_go_forward() -> None:
    fires = _local_times_on("0 0 * * * ?", "America/New_York", "2026-03-08")
    assert [f[11:16] for f in fires] == [f"{h:02d}:00" for h in range(24) if h != 2]
