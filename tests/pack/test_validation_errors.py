"""Schema errors point at the YAML node: unknown keys at the key, missing keys at their mapping."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sharepack.pack.models import SharePack
from sharepack.pack.validation_errors import allowed_keys, yaml_loc
from tests.pack.helpers import problems_of

Write = Callable[..., Path]

SEED = """share:
  - name: sales_share
    share_assets:
      - catalog.sales_schema.daily_sales
    pipelines:
      - name_prefix: sales_daily_sync
        source_asset: catalog.sales_schema.daily_sales
        schedule:
          cron: "0 0 2 * * ?"
          timezone: "America/New_York"
"""


def test_the_schedule_tag_in_error_locations_is_not_a_yaml_key() -> None:
    loc = ("share", 0, "pipelines", 0, "schedule", "cron", "timezone")
    assert yaml_loc(loc) == ("share", 0, "pipelines", 0, "schedule", "timezone")
    # the `cron` field of a cron schedule comes after its tag and is kept
    assert yaml_loc(("pipelines", 0, "schedule", "cron", "cron")) == ("pipelines", 0, "schedule", "cron")


def test_a_bad_timezone_points_at_the_timezone_value(pack_file: Write) -> None:
    path = pack_file(SEED.replace('"America/New_York"', "America/Nowhere"))
    (problem,) = problems_of(path)
    assert problem.startswith("10:21: share[0].pipelines[0].schedule.timezone: unknown timezone")


def test_an_unknown_key_points_at_the_key_with_a_suggestion(pack_file: Write) -> None:
    from sharepack.errors import SpecError
    from sharepack.pack import load_pack

    path = pack_file(SEED.replace("        schedule:", "        schedul:"))
    try:
        load_pack(path)
    except SpecError as exc:
        (problem,) = exc.problems
    assert (problem.line, problem.col) == (8, 9)
    assert problem.message == "share[0].pipelines[0]: unknown key 'schedul'"
    assert problem.hint == "did you mean 'schedule'?"


def test_an_unknown_key_without_a_close_match_lists_the_allowed_keys(pack_file: Write) -> None:
    from sharepack.errors import SpecError
    from sharepack.pack import load_pack

    try:
        load_pack(pack_file("share: []\npolicy: {zzz: 1}\n"))
    except SpecError as exc:
        (problem,) = exc.problems
    assert problem.hint == "allowed here: min_interval"


def test_a_missing_key_points_at_the_mapping_that_lacks_it(pack_file: Write) -> None:
    path = pack_file(SEED.replace("        source_asset: catalog.sales_schema.daily_sales\n", ""))
    assert problems_of(path) == ["6:9: share[0].pipelines[0]: missing required key 'source_asset'"]


def test_all_schema_problems_are_reported_together_in_file_order(pack_file: Write) -> None:
    text = SEED + "      - name_prefix: 7\n        source_asset: [x]\n        development: sometimes\n"
    text += "targets:\n  dev: {mode: dev}\n"
    assert problems_of(pack_file(text)) == [
        "11:22: share[0].pipelines[1].name_prefix: expected text, got 7",
        "12:23: share[0].pipelines[1].source_asset: expected text, got a list",
        "13:22: share[0].pipelines[1].development: expected true or false, got 'sometimes'",
        "15:15: targets.dev.mode: expected 'development' or 'production', got 'dev'",
    ]


def test_a_typo_in_the_schedule_form_suggests_the_form(pack_file: Write) -> None:
    from sharepack.errors import SpecError
    from sharepack.pack import load_pack

    try:
        load_pack(pack_file(SEED.replace("          cron:", "          crn:")))
    except SpecError as exc:
        (problem,) = exc.problems
    assert (problem.line, problem.col) == (9, 11)
    assert problem.hint == "did you mean 'cron'?"


def test_allowed_keys_follow_tagged_unions() -> None:
    keys = allowed_keys(SharePack, ("share", 0, "pipelines", 0, "schedule", "cron"))
    assert keys is not None and "timezone" in keys and "every" not in keys
    interval = allowed_keys(SharePack, ("pipelines", 0, "schedule", "interval"))
    assert interval is not None and "every" in interval
    assert allowed_keys(SharePack, ("targets", "dev", "workspace")) == ["host", "profile", "root_path"]
