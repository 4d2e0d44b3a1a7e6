"""Defaults, targets, variables and development mode, as the rest of sharepack sees them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sharepack.errors import SpecError
from sharepack.pack import load_pack
from sharepack.schedule.forms import ContinuousSchedule, CronSchedule, EventSchedule
from tests.pack.helpers import problems_of

Write = Callable[..., Path]

SHARE = """
share:
  - name: sales_share
    share_assets: [cat.sales.daily, cat.sales.orders]
    delta_share: {ext_catalog_name: shared, ext_schema_name: sales}
    pipelines:
      - name_prefix: daily
        source_asset: cat.sales.daily
        schedule: {cron: "0 0 2 * * ?", timezone: Europe/Paris}
      - name_prefix: orders
        source_asset: cat.sales.orders
        schedule: {on: {pipeline_updated: daily}}
"""


def test_the_seed_pipeline_gets_the_share_mount_and_dlt_defaults(pack_file: Write) -> None:
    pack = load_pack(pack_file(SHARE, "sales.yaml"))
    daily, orders = pack.pipelines
    assert pack.name == "sales"  # the file name when metadata.name is absent
    assert pack.target is None
    assert (daily.name, daily.declared_name, daily.share) == ("daily", "daily", "sales_share")
    assert (daily.catalog, daily.schema_name) == ("shared", "sales")
    assert daily.serverless is True and daily.development is False and daily.continuous is False
    assert daily.libraries == () and daily.configuration == {} and daily.tags == {}
    assert isinstance(daily.schedule, CronSchedule) and daily.schedule.paused is False
    assert daily.location == (7, 9)
    assert isinstance(orders.schedule, EventSchedule)


def test_pipeline_defaults_apply_unless_the_pipeline_sets_the_value(pack_file: Write) -> None:
    text = """
pipeline_defaults:
  serverless: false
  photon: true
  channel: preview
  tags: {team: data, tier: gold}
  configuration: {a: "1", b: "2"}
  notebook: /Workspace/etl/default
pipelines:
  - name_prefix: one
    source_asset: c.s.t
  - name_prefix: two
    source_asset: c.s.u
    serverless: true
    tags: {tier: silver}
    configuration: {b: 3}
    libraries: [{file: /Workspace/etl/two.py}, {glob: /Workspace/etl/lib/**}]
"""
    one, two = load_pack(pack_file(text)).pipelines
    assert (one.serverless, one.photon, one.channel) == (False, True, "PREVIEW")
    assert one.tags == {"team": "data", "tier": "gold"}
    assert one.libraries == ({"notebook": {"path": "/Workspace/etl/default"}},)
    assert two.serverless is True
    assert two.tags == {"team": "data", "tier": "silver"}  # tags merge key by key
    assert two.configuration == {"a": "1", "b": "3"}  # so does configuration; numbers become text
    assert two.libraries == (
        {"file": {"path": "/Workspace/etl/two.py"}},
        {"glob": {"include": "/Workspace/etl/lib/**"}},
    )


def test_outside_a_share_the_target_schema_defaults_to_the_source_schema(pack_file: Write) -> None:
    text = "pipelines:\n  - name_prefix: p\n    source_asset: '`my-cat`.raw.events'\n"
    (pipeline,) = load_pack(pack_file(text)).pipelines
    assert (pipeline.share, pipeline.catalog, pipeline.schema_name) == (None, "my-cat", "raw")


def test_explicit_catalog_and_schema_win_over_the_share_mount(pack_file: Write) -> None:
    text = SHARE.replace(
        "source_asset: cat.sales.daily\n", "source_asset: cat.sales.daily\n        schema: own\n"
    )
    daily = load_pack(pack_file(text)).pipelines[0]
    assert (daily.catalog, daily.schema_name) == ("shared", "own")


TARGETS = (
    SHARE
    + """
jobs:
  nightly:
    pipelines: [daily, orders]
targets:
  dev:
    mode: development
  prod:
    mode: production
    workspace: {host: "https://adb-1.azuredatabricks.net", profile: prod}
    name_prefix: "p_"
"""
)


def test_development_target_prefixes_names_pauses_schedules_and_sets_development(pack_file: Write) -> None:
    pack = load_pack(pack_file(TARGETS), target="dev", user="ana")
    assert pack.target is not None
    assert (pack.target.name, pack.target.mode, pack.target.name_prefix) == ("dev", "development", "dev_ana_")
    daily, orders = pack.pipelines
    assert (daily.name, daily.declared_name) == ("dev_ana_daily", "daily")
    assert all(p.development for p in pack.pipelines)
    assert daily.schedule is not None and daily.schedule.paused is True
    assert isinstance(orders.schedule, EventSchedule)
    assert orders.schedule.paused is True
    assert orders.schedule.on.pipeline_updated == "dev_ana_daily"  # final names throughout
    (job,) = pack.jobs
    assert job.name == "dev_ana_nightly"
    assert [(t.pipeline, t.depends_on) for t in job.tasks] == [
        ("dev_ana_daily", ()),
        ("dev_ana_orders", ("dev_ana_daily",)),
    ]


def test_production_target_keeps_schedules_and_uses_its_workspace(pack_file: Write) -> None:
    pack = load_pack(pack_file(TARGETS), target="prod")
    assert pack.target is not None
    assert (pack.target.host, pack.target.profile, pack.target.mode) == (
        "https://adb-1.azuredatabricks.net",
        "prod",
        "production",
    )
    assert [p.name for p in pack.pipelines] == ["p_daily", "p_orders"]
    assert pack.pipelines[0].schedule is not None and pack.pipelines[0].schedule.paused is False


def test_local_is_a_target_of_every_pack(pack_file: Write) -> None:
    pack = load_pack(pack_file(SHARE), target="local")
    assert pack.target is not None
    assert (pack.target.name, pack.target.host, pack.target.name_prefix) == ("local", "local", "")
    assert [p.name for p in pack.pipelines] == ["daily", "orders"]


def test_a_declared_local_target_applies_its_settings(pack_file: Write) -> None:
    text = SHARE + "targets:\n  local:\n    mode: development\n"
    pack = load_pack(pack_file(text), target="local", user="bo")
    assert pack.target is not None and pack.target.host == "local"
    assert pack.pipelines[0].name == "dev_bo_daily"


def test_the_default_target_is_used_without_target(pack_file: Write) -> None:
    text = SHARE + "targets:\n  dev:\n    default: true\n    name_prefix: x_\n  prod: {}\n"
    pack = load_pack(pack_file(text))
    assert pack.target is not None and pack.target.name == "dev"
    assert pack.pipelines[0].name == "x_daily"


def test_an_unknown_target_is_an_error_with_a_suggestion(pack_file: Write) -> None:
    path = pack_file(TARGETS)
    assert problems_of(path, target="prd")[0].endswith("--target prd: the pack has no such target")


def test_variables_from_default_target_and_command_line(pack_file: Write) -> None:
    text = """
variables:
  env: dev
  team: {default: data, description: owning team}
  suffix:
pipelines:
  - name_prefix: sync_${var.env}${var.suffix}
    source_asset: c.s.t
    catalog: cat_${var.env}
    serverless: ${var.serverless_flag}
    tags: {team: "${var.team}"}
    configuration: {literal: "$${var.team}"}
targets:
  prod:
    variables: {env: prod}
"""
    text = text.replace("  suffix:\n", "  suffix:\n  serverless_flag: 'false'\n")
    path = pack_file(text)
    pipeline = load_pack(path, variables={"suffix": "_x"}).pipelines[0]
    assert (pipeline.name, pipeline.catalog, pipeline.serverless) == ("sync_dev_x", "cat_dev", False)
    assert pipeline.tags == {"team": "data"}
    assert pipeline.configuration == {"literal": "${var.team}"}
    prod = load_pack(path, target="prod", variables={"suffix": "", "env": "qa"}).pipelines[0]
    assert prod.name == "sync_qa"  # --var wins over the target


def test_a_variable_without_value_is_an_error_only_where_used(pack_file: Write) -> None:
    text = "variables:\n  owner:\npipelines:\n  - name_prefix: p_${var.owner}\n    source_asset: c.s.t\n"
    path = pack_file(text)
    assert problems_of(path) == ["4:18: pipelines[0].name_prefix: variable 'owner' has no value"]
    assert load_pack(path, variables={"owner": "ana"}).pipelines[0].name == "p_ana"


def test_an_undeclared_command_line_variable_is_an_error(pack_file: Write) -> None:
    path = pack_file("variables: {env: dev}\npipelines: []\n")
    assert problems_of(path, variables={"evn": "x"}) == ["1:1: --var evn: the pack has no such variable"]


def test_the_user_reference_is_the_loader_user(pack_file: Write) -> None:
    text = "pipelines:\n  - name_prefix: p_${workspace.current_user.short_name}\n    source_asset: c.s.t\n"
    assert load_pack(pack_file(text), user="zoe").pipelines[0].name == "p_zoe"


def test_continuous_schedule_string_and_metadata(pack_file: Write) -> None:
    text = """
metadata:
  name: realtime
  workspace_url: local
  owner: team@example.com
  description: streams
pipelines:
  - name_prefix: realtime_stream
    source_asset: catalog.schema.streaming_data
    schedule: "continuous"
"""
    pack = load_pack(pack_file(text))
    assert pack.name == "realtime"
    assert (pack.metadata.workspace_url, pack.metadata.owner) == ("local", "team@example.com")
    assert isinstance(pack.pipelines[0].schedule, ContinuousSchedule)


def test_continuous_schedule_breaks_a_minimum_interval_policy(pack_file: Write) -> None:
    text = """
pipelines:
  - name_prefix: realtime_stream
    source_asset: catalog.schema.streaming_data
    schedule: "continuous"
policy:
  min_interval: 2h
"""
    with pytest.raises(SpecError, match=r"continuous schedule .* more often than every 2 hours"):
        load_pack(pack_file(text))


@pytest.mark.parametrize("form", ["- ops@example.com", "on_failure: [ops@example.com]"])
def test_notification_list_means_on_failure(pack_file: Write, form: str) -> None:
    text = f"pipelines:\n  - name_prefix: p\n    source_asset: c.s.t\n    notification:\n      {form}\n"
    notifications = load_pack(pack_file(text)).pipelines[0].notifications
    assert notifications is not None and notifications.on_failure == ["ops@example.com"]


def test_orchestration_dag_keeps_its_edges(pack_file: Write) -> None:
    text = (
        SHARE
        + """
jobs:
  fan_in:
    schedule: "0 0 5 * * ?"
    tasks:
      - pipeline: daily
      - pipeline: orders
        depends_on: [daily]
    tags: {purpose: nightly}
    notification: [ops@example.com]
"""
    )
    (job,) = load_pack(pack_file(text)).jobs
    assert job.name == "fan_in" and job.tags == {"purpose": "nightly"}
    assert [(t.pipeline, t.depends_on) for t in job.tasks] == [("daily", ()), ("orders", ("daily",))]
    assert isinstance(job.schedule, CronSchedule)
    assert job.notifications is not None and job.notifications.on_failure == ["ops@example.com"]
