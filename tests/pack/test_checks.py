"""Checks beyond types: each reports at the node that caused it, with a message a person can act on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sharepack.pack import load_pack
from sharepack.pack.checks import find_cycle
from sharepack.pack.names import three_part_name_problem
from tests.pack.helpers import problems_of

Write = Callable[..., Path]


def pipelines(*bodies: str) -> str:
    text = "pipelines:\n"
    for body in bodies:
        lines = body.strip().splitlines()
        text += "  - " + lines[0] + "\n" + "".join(f"    {line}\n" for line in lines[1:])
    return text


def test_pipeline_names_must_be_unique_after_prefixing(pack_file: Write) -> None:
    text = pipelines("name_prefix: a\nsource_asset: c.s.t", "name_prefix: a\nsource_asset: c.s.u")
    assert problems_of(pack_file(text)) == [
        "4:18: pipelines[1].name_prefix: pipeline name 'a' is already used at line 2"
    ]


def test_reused_and_empty_names_are_reported_alongside_structural_errors(pack_file: Write) -> None:
    # A typo elsewhere must not hide them until the next run.
    text = pipelines(
        "name_prefix: a\nsource_asset: c.s.t\nschedul: daily",
        "name_prefix: a\nsource_asset: c.s.u",
        "name_prefix: '  '\nsource_asset: c.s.v",
    )
    found = problems_of(pack_file(text))
    assert any("unknown key 'schedul'" in p for p in found)
    assert "5:18: pipelines[1].name_prefix: pipeline name 'a' is already used at line 2" in found
    assert "7:18: pipelines[2].name_prefix: pipeline name is empty" in found


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("'50% done'", "contains '%'"),
        ('"say \\"hi\\""', "contains '\"'"),
        ('"tab\\there"', "the control character U+0009"),
        ("' padded'", "starts or ends with a space"),
        ("x" * 101, "101 characters long; the limit is 100"),
    ],
)
def test_pipeline_names_that_break_name_filters_are_refused(
    pack_file: Write, name: str, fragment: str
) -> None:
    (problem,) = problems_of(pack_file(pipelines(f"name_prefix: {name}\nsource_asset: c.s.t")))
    assert fragment in problem


def test_a_development_prefix_counts_toward_the_name_limit(pack_file: Write) -> None:
    text = (
        pipelines(f"name_prefix: {'x' * 95}\nsource_asset: c.s.t") + "targets:\n  dev: {mode: development}\n"
    )
    path = pack_file(text)
    assert load_pack(path)  # 95 characters are fine
    (problem,) = problems_of(path, target="dev", user="ana")
    assert "103 characters long" in problem


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("main.sales.orders", True),
        ("`my-cat`.`raw data`.events", False),  # a space, even quoted
        ("`my-cat`.raw.`2024-events`", True),
        ("main.sales", False),
        ("main.sales.orders.extra", False),
        ("main..orders", False),
        ("my-cat.raw.events", False),
        ("`a``b`.raw.events", False),  # a backtick inside the name
    ],
)
def test_three_part_names(name: str, ok: bool) -> None:
    assert (three_part_name_problem(name) is None) is ok


def test_tags_are_checked_where_they_are_written(pack_file: Write) -> None:
    text = """
pipeline_defaults:
  tags: {managed_by: me}
pipelines:
  - name_prefix: p
    source_asset: c.s.t
    tags:
      "aws:cost": x
      ok: "fine value"
      long: %s
""" % ("v" * 256)
    assert problems_of(pack_file(text)) == [
        "3:10: pipeline_defaults.tags.managed_by: tag key 'managed_by' is reserved "
        "(by Databricks, the cloud or sharepack)",
        "8:7: pipelines[0].tags.aws:cost: tag key 'aws:cost' is reserved "
        "(by Databricks, the cloud or sharepack)",
        "10:7: pipelines[0].tags.long: the value of tag 'long' is longer than 255 characters",
    ]


def test_too_many_tags(pack_file: Write) -> None:
    tags = ", ".join(f"t{i}: v" for i in range(23))
    (problem,) = problems_of(pack_file(pipelines(f"name_prefix: p\nsource_asset: c.s.t\ntags: {{{tags}}}")))
    assert "23 tags; Databricks allows 25 per pipeline or job and sharepack uses 3" in problem


def test_emails_are_checked_in_every_notification(pack_file: Write) -> None:
    text = pipelines(
        "name_prefix: p\nsource_asset: c.s.t\nnotification: {on_start: [ok@example.com, nope]}\n"
        "schedule: {cron: '0 0 1 * * ?', notifications: [also nope]}"
    )
    assert problems_of(pack_file(text)) == [
        "4:47: pipelines[0].notification.on_start[1]: 'nope' is not an email address",
        "5:53: pipelines[0].schedule.notifications[0]: 'also nope' is not an email address",
    ]


def test_production_refuses_development_pipelines_at_the_line_that_sets_it(pack_file: Write) -> None:
    text = (
        pipelines("name_prefix: p\nsource_asset: c.s.t")
        + """targets:
  prod:
    mode: production
    pipeline_defaults: {development: true}
"""
    )
    path = pack_file(text)
    assert load_pack(path).pipelines[0].development is False
    (problem,) = problems_of(path, target="prod")
    assert problem.startswith(
        "7:38: targets.prod.pipeline_defaults.development: pipeline 'p' is in development"
    )


def test_jobs_refer_to_pipelines_that_exist_and_are_not_continuous(pack_file: Write) -> None:
    text = (
        pipelines(
            "name_prefix: a\nsource_asset: c.s.t", "name_prefix: s\nsource_asset: c.s.u\ncontinuous: true"
        )
        + """jobs:
  j:
    tasks:
      - pipeline: a
        depends_on: [a, b]
      - pipeline: s
      - pipeline: a
  k:
    pipelines: []
"""
    )
    assert problems_of(pack_file(text)) == [
        "11:22: jobs.j.tasks[0].depends_on[0]: 'a' cannot depend on itself",
        "11:25: jobs.j.tasks[0].depends_on[1]: 'b' is not a task of this job",
        "12:19: jobs.j.tasks[1].pipeline: pipeline 's' is continuous and cannot run as a job task",
        "13:19: jobs.j.tasks[2].pipeline: pipeline 'a' is already used at line 10",
        "15:5: jobs.k: the job runs no pipeline",
    ]


def test_pipeline_updated_may_name_a_pipeline_by_its_final_name(pack_file: Write) -> None:
    text = (
        pipelines(
            "name_prefix: a\nsource_asset: c.s.t",
            "name_prefix: b\nsource_asset: c.s.u\nschedule: {on: {pipeline_updated: x_a}}",
        )
        + "targets:\n  t: {name_prefix: x_}\n"
    )
    pack = load_pack(pack_file(text), target="t")
    assert pack.pipelines[1].schedule is not None


def test_an_event_trigger_names_exactly_one_event(pack_file: Write) -> None:
    text = pipelines("name_prefix: a\nsource_asset: c.s.t\nschedule: {on: {}}")
    assert problems_of(pack_file(text)) == [
        "4:20: pipelines[0].schedule.on: an event trigger names exactly one of: "
        "file_arrival, table_update, pipeline_updated"
    ]


def test_workspace_urls_are_checked(pack_file: Write) -> None:
    text = "metadata: {workspace_url: adb-1.azuredatabricks.net}\npipelines: []\n"
    assert problems_of(pack_file(text)) == [
        "1:27: metadata.workspace_url: 'adb-1.azuredatabricks.net' is not a workspace URL "
        "(https://...), `local` or `local:NAME`"
    ]


def test_a_named_local_workspace_is_a_valid_host_and_a_bad_name_is_not(pack_file: Write) -> None:
    text = (
        "pipelines: []\ntargets:\n  partner:\n    workspace: {host: 'local:partner'}\n"
        "  other:\n    workspace: {host: 'local:Bad Name'}\n"
    )
    (problem,) = problems_of(pack_file(text))
    assert problem.startswith("6:23: targets.other.workspace.host: 'local:Bad Name' is not a workspace URL")


def test_a_pack_name_taken_from_the_file_name_is_checked_too(pack_file: Write) -> None:
    (problem,) = problems_of(pack_file("pipelines: []\n", "50%.yaml"))
    assert problem.startswith("1:1: pack name '50%' may only have letters, digits")


def test_duplicate_pack_names_across_files_are_refused(pack_file: Write) -> None:
    from sharepack.errors import SpecError
    from sharepack.pack import load_packs

    first = pack_file("metadata: {name: same}\npipelines: []\n")
    second = pack_file("metadata: {name: same}\npipelines: []\n")
    with pytest.raises(SpecError) as caught:
        load_packs([first, second])
    (problem,) = caught.value.problems
    assert problem.file == str(second) and "pack name 'same' is also the name of" in problem.message


def test_find_cycle_reports_a_closed_path() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": [], "b": ["a"], "c": ["a", "b"]}) is None
    long_chain = {str(i): [str(i + 1)] for i in range(5000)}
    assert find_cycle(long_chain) is None  # iterative: no recursion limit


def test_policy_min_interval_is_checked_by_the_schedule_language(
    pack_file: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types
    from datetime import UTC, datetime

    calls: list[tuple[object, int, datetime]] = []

    def check_min_interval(schedule: object, min_interval_seconds: int, now: datetime) -> str | None:
        calls.append((schedule, min_interval_seconds, now))
        return "runs every 30 minutes, more often than policy.min_interval (1h)"

    policy = types.ModuleType("sharepack.schedule.policy")
    policy.check_min_interval = check_min_interval  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sharepack.schedule.policy", policy)
    text = "policy: {min_interval: 1h}\n" + pipelines(
        "name_prefix: a\nsource_asset: c.s.t\nschedule: {every: 30m}"
    )
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert problems_of(pack_file(text), now=now) == [
        "5:15: pipelines[0].schedule: runs every 30 minutes, more often than policy.min_interval (1h)"
    ]
    ((_, seconds, when),) = calls
    assert (seconds, when) == (3600, now)
