"""The Delta Sharing half of a pack resolves to `Pack.shares` and `Pack.recipients`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sharepack.pack import load_pack
from sharepack.pack.resolved import ResolvedAsset, ResolvedMount, ResolvedRecipient, ResolvedShare
from tests.pack.helpers import SHAREPACKS

Write = Callable[..., Path]
ORG = "aws:us-west-2:19a85dee-54bc-43a2-87ab-023d0ec16013"

SHARING_PACK = f"""variables:
  days: {{default: 30}}
recipient:
  - name: analytics
    type: D2D
    recipient: analytics-team@example.com
    comment: Our analytics workspace.
    recipient_databricks_org: {ORG}
  - name: partner
    type: d2o
    description: A partner outside Databricks.
    recipient_ips: [203.0.113.7, 198.51.100.0/24]
    token_expiry: ${{var.days}}
share:
  - name: sales_share
    description: Sales.
    share_assets:
      - main.sales.orders
      - name: main.sales.returns
        history: true
      - main.sales.daily
      - name: main.sales.refunds
        type: table
        shared_as: finance.refunds
        cdf: false
      - archive.sales.history
    recipients: [analytics, partner, existing_recipient]
    mount: {{target: analytics_ws, catalog: sales_from_provider}}
    pipelines:
      - name_prefix: orders_sync
        source_asset: main.sales.orders
  - name: hr_share
    share_assets:
      - name: main.hr
        type: SCHEMA
    recipients: [analytics]
    pipelines:
      - name_prefix: people_sync
        source_asset: main.hr.people
targets:
  local: {{workspace: {{host: local}}}}
  analytics_ws: {{workspace: {{profile: analytics}}}}
  dev: {{mode: development}}
"""


def without_locations(value: Any) -> Any:
    """The resolved value with every `location` zeroed, so that expectations read as data."""
    if isinstance(value, tuple):
        return tuple(without_locations(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: without_locations(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if "location" in changes:
            changes["location"] = (0, 0)
        return dataclasses.replace(value, **changes)
    return value


def test_the_seed_example_shares_its_two_tables_with_nobody_yet() -> None:
    pack = load_pack(SHAREPACKS / "seed_example.yaml")
    assert without_locations(pack.shares) == (
        ResolvedShare(
            name="sales_share",
            declared_name="sales_share",
            comment=None,
            assets=(
                ResolvedAsset("catalog.sales_schema.daily_sales", "TABLE"),
                ResolvedAsset("catalog.sales_schema.customer_orders", "TABLE"),
            ),
            recipients=(),
        ),
    )
    assert pack.recipients == ()


def test_a_pack_with_recipients_shares_and_a_mount_resolves_to_what_the_engine_reads(
    pack_file: Write,
) -> None:
    pack = load_pack(pack_file(SHARING_PACK))
    assert without_locations(pack.recipients) == (
        ResolvedRecipient(
            name="analytics",
            declared_name="analytics",
            type="D2D",
            email="analytics-team@example.com",
            comment="Our analytics workspace.",
            databricks_org=ORG,
        ),
        ResolvedRecipient(
            name="partner",
            declared_name="partner",
            type="D2O",
            comment="A partner outside Databricks.",
            ips=("203.0.113.7", "198.51.100.0/24"),
            token_expiry_days=30,
        ),
    )
    assert without_locations(pack.shares) == (
        ResolvedShare(
            name="sales_share",
            declared_name="sales_share",
            comment="Sales.",
            assets=(
                ResolvedAsset("main.sales.orders", "TABLE"),
                ResolvedAsset("main.sales.returns", "TABLE", history=True),
                ResolvedAsset("main.sales.daily", "TABLE"),
                ResolvedAsset("main.sales.refunds", "TABLE", shared_as="finance.refunds", cdf=False),
                ResolvedAsset("archive.sales.history", "TABLE"),
            ),
            recipients=("analytics", "partner", "existing_recipient"),
            mount=ResolvedMount(target="analytics_ws", catalog="sales_from_provider"),
        ),
        ResolvedShare(
            name="hr_share",
            declared_name="hr_share",
            comment=None,
            assets=(ResolvedAsset("main.hr", "SCHEMA"),),
            recipients=("analytics",),
        ),
    )


def test_resolved_sharing_values_point_at_where_they_were_written(pack_file: Write) -> None:
    pack = load_pack(pack_file(SHARING_PACK))
    sales, hr = pack.shares
    assert (sales.location, hr.location) == ((15, 5), (32, 5))
    assert [asset.location for asset in sales.assets][:2] == [(18, 9), (19, 9)]
    assert sales.mount is not None and sales.mount.location == (28, 12)
    assert [r.location for r in pack.recipients] == [(4, 5), (9, 5)]


def test_a_two_part_string_asset_is_a_schema(pack_file: Write) -> None:
    text = "share:\n  - name: s\n    share_assets: [main.hr, main.hr.people, '`my-cat`.`raw-data`']\n"
    (share,) = load_pack(pack_file(text)).shares
    assert [(a.name, a.type) for a in share.assets] == [
        ("main.hr", "SCHEMA"),
        ("main.hr.people", "TABLE"),
        ("`my-cat`.`raw-data`", "SCHEMA"),
    ]


def test_every_declared_asset_type_is_accepted_in_any_case(pack_file: Write) -> None:
    kinds = ["view", "MATERIALIZED_VIEW", "streaming_table", "Model", "VOLUME"]
    assets = "".join(f"      - {{name: main.s.o{i}, type: {kind}}}\n" for i, kind in enumerate(kinds))
    (share,) = load_pack(pack_file(f"share:\n  - name: s\n    share_assets:\n{assets}")).shares
    assert [a.type for a in share.assets] == [k.upper() for k in kinds]


def test_development_mode_prefixes_shares_recipients_and_the_grants_of_declared_recipients(
    pack_file: Write,
) -> None:
    pack = load_pack(pack_file(SHARING_PACK), target="dev", user="ana")
    assert [r.name for r in pack.recipients] == ["dev_ana_analytics", "dev_ana_partner"]
    assert [r.declared_name for r in pack.recipients] == ["analytics", "partner"]
    sales, hr = pack.shares
    assert (sales.name, sales.declared_name, hr.name) == (
        "dev_ana_sales_share",
        "sales_share",
        "dev_ana_hr_share",
    )
    # An undeclared recipient exists already, under its own name.
    assert sales.recipients == ("dev_ana_analytics", "dev_ana_partner", "existing_recipient")
    assert hr.recipients == ("dev_ana_analytics",)
    assert sales.mount is not None and sales.mount.catalog == "sales_from_provider"


def test_a_grant_names_a_declared_recipient_in_any_case(pack_file: Write) -> None:
    text = SHARING_PACK.replace("recipients: [analytics]", "recipients: [ANALYTICS]")
    pack = load_pack(pack_file(text), target="dev", user="ana")
    assert pack.shares[1].recipients == ("dev_ana_analytics",)


def test_variables_work_in_the_sharing_keys(pack_file: Write) -> None:
    text = f"""variables:
  env: prod
  org: {ORG}
  history: "true"
recipient:
  - name: partner_${{var.env}}
    type: D2D
    recipient_databricks_org: ${{var.org}}
share:
  - name: sales_${{var.env}}
    comment: Sales (${{var.env}}).
    share_assets:
      - main.sales_${{var.env}}.orders
      - name: main.sales_${{var.env}}.returns
        history: ${{var.history}}
    recipients:
      - partner_${{var.env}}
"""
    pack = load_pack(pack_file(text))
    (share,) = pack.shares
    assert (share.name, share.comment, share.recipients) == ("sales_prod", "Sales (prod).", ("partner_prod",))
    assert [a.name for a in share.assets] == ["main.sales_prod.orders", "main.sales_prod.returns"]
    assert share.assets[1].history is True
    assert pack.recipients[0].databricks_org == ORG


def test_a_pack_may_declare_only_recipients(pack_file: Write) -> None:
    pack = load_pack(pack_file(f"recipient:\n  - {{name: a, type: D2D, recipient_databricks_org: {ORG}}}\n"))
    assert [r.name for r in pack.recipients] == ["a"] and pack.shares == ()


def test_the_sharing_example_pack_declares_two_recipients_and_two_shares() -> None:
    pack = load_pack(SHAREPACKS / "sharing.yaml")
    assert pack.name == "sharing"
    assert [(r.name, r.type) for r in pack.recipients] == [
        ("analytics_workspace", "D2D"),
        ("acme_partner", "D2O"),
    ]
    retail, inventory = pack.shares
    assert len(retail.assets) == 5 and {a.type for a in retail.assets} == {"TABLE"}
    assert [a.type for a in inventory.assets] == ["SCHEMA"]
    assert retail.recipients == ("analytics_workspace", "acme_partner")
    assert {p.share for p in pack.pipelines} == {retail.name, inventory.name}
