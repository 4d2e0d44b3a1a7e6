"""What a cron expression may say: Quartz parse errors, 5-field conversion, presets."""

from __future__ import annotations

from datetime import datetime
from itertools import islice

import pytest

from sharepack.schedule.cron import CronError, parse, to_quartz
from sharepack.schedule.describe import describe_quartz
from sharepack.schedule.quartz_eval import fire_times
from sharepack.schedule.zones import zone

# (expression, field named, 1-based position of the offending text, words the message must say)
PARSE_ERRORS: list[tuple[str, str | None, int, str]] = [
    ("0 0 25 * * ?", "hours", 5, "0-23"),
    ("0 60 * * * ?", "minutes", 3, "0-59"),
    ("60 * * * * ?", "seconds", 1, "0-59"),
    ("0 0 2 ? * 8", "day-of-week", 11, "1 = Sunday"),
    ("0 0 2 ? * 0", "day-of-week", 11, "1 = Sunday"),
    ("0 0 2 ? * MON#6", "day-of-week", 15, "1-5"),
    ("0 0 2 L-31 * ?", "day-of-month", 7, "30"),
    ("0 0 2 32W * ?", "day-of-month", 7, "1-31"),
    ("0 0 2 ? FOO MON", "month", 9, "JAN-DEC"),
    ("0 0 2 ? * FUNDAY", "day-of-week", 11, "SUN-SAT"),
    ("0 0 2 ? * MON 1969", "year", 15, "1970"),
    ("0 0/0 * * * ?", "minutes", 5, "step"),  # the step itself
    # Quartz refuses '?' in both day fields, and a value in both.
    ("0 0 2 ? * ?", "day-of-week", 11, "'?'"),
    ("0 0 2 * * MON", "day-of-week", 11, "'?'"),
    ("0 0 2 1,LW * ?", "day-of-month", 7, "L and W"),
]


@pytest.mark.parametrize(
    ("expression", "field", "position", "words"), PARSE_ERRORS, ids=[e[0] for e in PARSE_ERRORS]
)
def test_parse_errors_name_the_field_and_position(
    expression: str, field: str, position: int, words: str
) -> None:
    with pytest.raises(CronError) as caught:
        parse(expression)
    assert caught.value.field == field
    assert caught.value.position == position
    assert f"{field} field" in str(caught.value)
    assert f"position {position}" in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize("expression", ["* * *", "0 0 2 * * ? 2030 5", "0 0 2 *"])
def test_a_wrong_number_of_fields_is_refused(expression: str) -> None:
    with pytest.raises(CronError, match="6 or 7 fields"):
        parse(expression)


# 5-field Unix cron (minute hour day-of-month month day-of-week) -> Quartz.
UNIX: list[tuple[str, str]] = [
    ("30 9 * * 1-5", "0 30 9 ? * MON-FRI"),  # seed 001: weekdays at 09:30
    ("0 0 * * 0", "0 0 0 ? * SUN"),  # Unix 0 = Sunday
    ("0 0 * * 7", "0 0 0 ? * SUN"),  # Unix 7 = Sunday too
    ("0 0 * * 0,6", "0 0 0 ? * SUN,SAT"),
    ("0 0 * * 5-7", "0 0 0 ? * SUN,FRI,SAT"),  # a range through 7 wraps to Sunday
    ("5 4 * * sun-tue", "0 5 4 ? * SUN-TUE"),
    ("*/15 * * * *", "0 */15 * * * ?"),  # no day restricted: '?' goes in day-of-week
    ("0 2 1 * *", "0 0 2 1 * ?"),  # day-of-month restricted: '?' in day-of-week
    ("0 0 1-7 * *", "0 0 0 1-7 * ?"),
    ("0 12 * JAN-MAR MON", "0 0 12 ? JAN-MAR MON"),  # day-of-week restricted: '?' in day-of-month
    ("0 */2 * * *", "0 0 */2 * * ?"),
]


@pytest.mark.parametrize(("unix", "quartz"), UNIX, ids=[u for u, _ in UNIX])
def test_five_field_cron_becomes_the_equivalent_quartz(unix: str, quartz: str) -> None:
    assert to_quartz(unix) == quartz


def test_five_field_sunday_fires_on_sunday() -> None:
    # 2026-01-18 is a Sunday.
    runs = fire_times(parse("0 9 * * 0"), zone("UTC"), datetime.fromisoformat("2026-01-15T00:00:00+00:00"))
    assert next(runs).isoformat() == "2026-01-18T09:00:00+00:00"


@pytest.mark.parametrize("unix", ["0 9 15 * 1", "0 9 1,15 * MON-FRI"])
def test_day_of_month_and_day_of_week_both_restricted_is_refused_not_guessed(unix: str) -> None:
    with pytest.raises(CronError) as caught:
        to_quartz(unix)
    message = str(caught.value)
    assert "either" in message and "Quartz cannot express" in message
    assert caught.value.field == "day-of-week"


def test_quartz_only_characters_in_five_field_cron_point_to_the_quartz_form() -> None:
    with pytest.raises(CronError, match="6-field Quartz"):
        to_quartz("0 0 L * *")


PRESETS: list[tuple[str, str]] = [
    ("@hourly", "0 0 * * * ?"),
    ("@daily", "0 0 0 * * ?"),
    ("@midnight", "0 0 0 * * ?"),
    ("@weekly", "0 0 0 ? * SUN"),
    ("@monthly", "0 0 0 1 * ?"),
    ("@yearly", "0 0 0 1 1 ?"),
    ("@annually", "0 0 0 1 1 ?"),
    ("daily at 02:00", "0 0 2 * * ?"),
    ("Daily at 2am", "0 0 2 * * ?"),
    ("weekdays at 09:30", "0 30 9 ? * MON-FRI"),
    ("every monday at 01:00", "0 0 1 ? * MON"),
    ("hourly at :15", "0 15 * * * ?"),
    ("every 15 minutes", "0 0/15 * * * ?"),
    ("monthly on day 15 at 06:00", "0 0 6 15 * ?"),
    ("monthly on the last day at 23:00", "0 0 23 L * ?"),
]


@pytest.mark.parametrize(("preset", "quartz"), PRESETS, ids=[p for p, _ in PRESETS])
def test_presets_stand_for_quartz(preset: str, quartz: str) -> None:
    assert to_quartz(preset) == quartz


def test_weekly_preset_fires_on_sunday_midnight() -> None:
    runs = fire_times(parse("@weekly"), zone("UTC"), datetime.fromisoformat("2026-01-15T00:00:00+00:00"))
    assert [r.isoformat() for r in islice(runs, 2)] == [
        "2026-01-18T00:00:00+00:00",
        "2026-01-25T00:00:00+00:00",
    ]


@pytest.mark.parametrize("text", ["daily at 25:00", "every funday at 01:00", "@fortnightly"])
def test_unreadable_presets_are_refused(text: str) -> None:
    with pytest.raises(CronError):
        to_quartz(text)


@pytest.mark.parametrize(
    ("quartz", "description"),
    [
        ("0 0 2 * * ?", "At 02:00, every day"),
        ("0 30 9 ? * MON-FRI", "At 09:30, Monday through Friday"),
        ("0 15 10 ? * 6L", "Friday"),
        ("0 0 12 ? * 2", "Monday"),  # Quartz numbering: 2 is Monday, not Tuesday
    ],
)
def test_descriptions_read_quartz_numbering(quartz: str, description: str) -> None:
    assert description in describe_quartz(quartz)


def test_a_minute_step_over_an_hour_list_is_described_as_running_during_those_hours() -> None:
    from sharepack.schedule.describe import describe_quartz

    text = describe_quartz("0 0/5 14,18 * * ?")
    assert text.startswith("Every 5 minutes, during the hours starting at 14:00 and 18:00")
