"""The example packs load, the seed's YAML loads as written, and the JSON Schema accepts them all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sharepack.pack import load_pack
from sharepack.pack.yaml_loader import compose
from tests.pack.helpers import REPO, SHAREPACKS

Write = Callable[..., Path]
VALID = sorted(SHAREPACKS.glob("*.yaml"))
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/sharepack.schema.json"

# The "Example SharePack YAML" of seed 000, verbatim.
SEED_EXAMPLE = """share:
  - name: sales_share
    share_assets:
      - catalog.sales_schema.daily_sales
      - catalog.sales_schema.customer_orders

    delta_share:
      ext_catalog_name: analytics_prod
      ext_schema_name: shared_sales

    pipelines:
      # Pipeline 1: Daily at 2 AM EST
      - name_prefix: sales_daily_sync
        source_asset: catalog.sales_schema.daily_sales
        schedule:
          cron: "0 0 2 * * ?"
          timezone: "America/New_York"
        notification:
          - analytics-team@jll.com

      # Pipeline 2: Every 6 hours (UTC)
      - name_prefix: sales_orders_sync
        source_asset: catalog.sales_schema.customer_orders
        schedule:
          cron: "0 0 */6 * * ?"
          timezone: "UTC"
"""

# The two schedule snippets of seed 000, verbatim.
CRON_SNIPPET = """pipelines:
  - name_prefix: sales_daily_sync
    source_asset: catalog.schema.sales_data
    schedule:
      cron: "0 0 2 * * ?"  # Daily at 2 AM
      timezone: "America/New_York"
"""
CONTINUOUS_SNIPPET = """pipelines:
  - name_prefix: realtime_stream
    source_asset: catalog.schema.streaming_data
    schedule: "continuous"
"""


def schema_validator() -> Any:
    schema = json.loads((REPO / "schemas" / "sharepack.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def test_seed_example_file_is_the_seed_verbatim_after_the_schema_line() -> None:
    text = (SHAREPACKS / "seed_example.yaml").read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    assert first == SCHEMA_LINE
    assert rest == SEED_EXAMPLE


def test_seed_example_loads_as_the_seed_describes() -> None:
    pack = load_pack(SHAREPACKS / "seed_example.yaml")
    assert [p.name for p in pack.pipelines] == ["sales_daily_sync", "sales_orders_sync"]
    daily, orders = pack.pipelines
    assert daily.schedule is not None and orders.schedule is not None
    assert (daily.schedule.cron, daily.schedule.timezone) == ("0 0 2 * * ?", "America/New_York")  # type: ignore[union-attr]
    assert (orders.schedule.cron, orders.schedule.timezone) == ("0 0 */6 * * ?", "UTC")  # type: ignore[union-attr]
    assert daily.notifications is not None and daily.notifications.on_failure == ["analytics-team@jll.com"]
    assert orders.notifications is None
    assert (daily.catalog, daily.schema_name) == ("analytics_prod", "shared_sales")


@pytest.mark.parametrize("text", [CRON_SNIPPET, CONTINUOUS_SNIPPET], ids=["cron", "continuous"])
def test_the_seed_schedule_snippets_load_verbatim(pack_file: Write, text: str) -> None:
    (pipeline,) = load_pack(pack_file(text)).pipelines
    assert pipeline.schedule is not None
    assert pipeline.share is None


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
@pytest.mark.parametrize("target", [None, "local"])
def test_every_example_pack_is_valid(path: Path, target: str | None) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    pack = load_pack(path, target=target)
    assert pack.pipelines


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_multi_share_example_in_each_target(target: str) -> None:
    pack = load_pack(SHAREPACKS / "multi_share.yaml", target=target, user="ana")
    assert pack.target is not None and pack.target.name == target
    assert len({p.share for p in pack.pipelines}) == 2
    assert [j.declared_name for j in pack.jobs] == ["nightly_retail", "refresh_sales"]
    if target == "dev":
        assert all(p.name.startswith("dev_ana_") and p.development for p in pack.pipelines)
    else:
        assert all(p.catalog.endswith("_prod") for p in pack.pipelines)
        assert pack.pipelines[0].tags["environment"] == "prod"


@pytest.mark.parametrize(
    "text",
    [
        (SHAREPACKS / p).read_text(encoding="utf-8")
        for p in ("seed_example.yaml", "minimal.yaml", "multi_share.yaml", "sharing.yaml")
    ]
    + [CRON_SNIPPET, CONTINUOUS_SNIPPET],
    ids=["seed_example", "minimal", "multi_share", "sharing", "cron_snippet", "continuous_snippet"],
)
def test_the_json_schema_accepts_every_valid_example(text: str) -> None:
    # Read as editors do (YAML 1.2: `on:` is a key, not `true`), which PyYAML's safe_load is not.
    errors = list(schema_validator().iter_errors(compose(text, "example.yaml").data))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_the_json_schema_catches_a_typo_like_the_loader() -> None:
    data = compose(SEED_EXAMPLE.replace("schedule:", "schedul:", 1), "typo.yaml").data
    assert any("schedul" in e.message for e in schema_validator().iter_errors(data))
