"""Checks of recipients, share assets, grants and mounts: each at the node that caused it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sharepack.errors import SpecError
from sharepack.pack import load_pack
from tests.pack.helpers import problems_of

Write = Callable[..., Path]
ORG = "aws:us-west-2:19a85dee-54bc-43a2-87ab-023d0ec16013"


def share(*assets: str, extra: str = "") -> str:
    """One share `s` with these assets (each a YAML list item body) and extra share keys."""
    items = "".join(f"      - {asset}\n" for asset in assets)
    return f"share:\n  - name: s\n    share_assets:\n{items}{extra}"


# Recipients


def test_recipient_names_are_unique_as_unity_catalog_compares_them(pack_file: Write) -> None:
    text = (
        f"recipient:\n  - {{name: a, type: D2D, recipient_databricks_org: {ORG}}}\n"
        "  - {name: A, type: D2O}\n"
    )
    assert problems_of(pack_file(text)) == [
        "3:12: recipient[1].name: recipient name 'A' is already used at line 2"
    ]


def test_recipient_and_share_names_follow_unity_catalog_rules(pack_file: Write) -> None:
    text = "recipient:\n  - {name: our partner, type: D2O}\n" + share("c.s.t").replace("name: s", "name: a/b")
    assert problems_of(pack_file(text)) == [
        "2:12: recipient[0].name: recipient name 'our partner' contains a space, "
        "which Unity Catalog names cannot contain",
        "4:11: share[0].name: share name 'a/b' contains a slash, which Unity Catalog names cannot contain",
    ]


def test_a_target_prefix_that_breaks_a_share_name_is_named_in_the_hint(pack_file: Write) -> None:
    path = pack_file(share("c.s.t") + "targets:\n  dev: {name_prefix: dev.}\n")
    with pytest.raises(SpecError) as caught:
        load_pack(path, target="dev")
    (problem,) = caught.value.problems
    assert (problem.line, problem.col) == (2, 11)
    assert "share name 'dev.s' contains a period" in problem.message
    assert problem.hint == "the target's name_prefix 'dev.' is part of the name"


def test_a_d2d_recipient_needs_its_metastore_id(pack_file: Write) -> None:
    assert problems_of(pack_file("recipient:\n  - name: a\n    type: D2D\n")) == [
        "2:5: recipient[0]: D2D recipient 'a' needs `recipient_databricks_org`, "
        "the global ID of its metastore"
    ]


def test_a_metastore_id_is_cloud_region_and_uuid(pack_file: Write) -> None:
    text = "recipient:\n  - {name: a, type: D2D, recipient_databricks_org: us-west-2:19a85dee}\n"
    (problem,) = problems_of(pack_file(text))
    assert problem.startswith(
        "2:52: recipient[0].recipient_databricks_org: 'us-west-2:19a85dee' is not a metastore global ID "
        "<cloud>:<region>:<metastore uuid>"
    )


def test_a_d2d_recipient_takes_no_ip_list_nor_token_expiry(pack_file: Write) -> None:
    text = f"""recipient:
  - name: a
    type: D2D
    recipient_databricks_org: {ORG}
    recipient_ips: [203.0.113.7]
    token_expiry: 30
"""
    assert problems_of(pack_file(text)) == [
        "5:5: recipient[0].recipient_ips: `recipient_ips` is for D2O (token) recipients; "
        "a D2D recipient is reached through its metastore",
        "6:5: recipient[0].token_expiry: `token_expiry` is for D2O (token) recipients; "
        "a D2D recipient is reached through its metastore",
    ]


def test_a_d2o_recipient_takes_no_metastore_id(pack_file: Write) -> None:
    text = f"recipient:\n  - name: a\n    type: D2O\n    recipient_databricks_org: {ORG}\n"
    assert problems_of(pack_file(text)) == [
        "4:5: recipient[0].recipient_databricks_org: `recipient_databricks_org` is for D2D recipients; "
        "a D2O recipient is reached by a token"
    ]


def test_an_ip_allow_list_holds_distinct_ipv4_addresses_and_blocks(pack_file: Write) -> None:
    text = "recipient:\n  - name: a\n    type: D2O\n    recipient_ips:\n" + "".join(
        f"      - '{ip}'\n"
        for ip in ("10.0.0.1", "10.0.0.0/8", "10.0.0.1/32", "10.1.2.3/16", "::1", "10.0.0")
    )
    assert problems_of(pack_file(text)) == [
        "7:9: recipient[0].recipient_ips[2]: IP address '10.0.0.1/32' is already used at line 5",
        "8:9: recipient[0].recipient_ips[3]: '10.1.2.3/16' has bits set after the prefix length: "
        "the block is 10.1.0.0/16",
        "9:9: recipient[0].recipient_ips[4]: '::1' is IPv6; Delta Sharing IP access lists take IPv4 "
        "addresses and CIDR blocks",
        "10:9: recipient[0].recipient_ips[5]: '10.0.0' is not an IPv4 address or CIDR block "
        "(such as 203.0.113.7 or 203.0.113.0/24)",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "must be 0 or more, got -1"), ("true", "expected a whole number of days, got true")],
)
def test_token_expiry_is_a_number_of_days(pack_file: Write, value: str, message: str) -> None:
    text = f"recipient:\n  - {{name: a, type: D2O, token_expiry: {value}}}\n"
    assert problems_of(pack_file(text)) == [f"2:40: recipient[0].token_expiry: {message}"]


def test_the_contact_is_an_email_address(pack_file: Write) -> None:
    text = "recipient:\n  - {name: a, type: D2O, recipient: data team}\n"
    assert problems_of(pack_file(text)) == [
        "2:37: recipient[0].recipient: 'data team' is not an email address"
    ]


def test_comment_and_its_alias_description_are_not_both_given(pack_file: Write) -> None:
    text = "recipient:\n  - {name: a, type: D2O, comment: x, description: y}\n"
    assert problems_of(pack_file(text)) == [
        "2:38: recipient[0].description: `description` is another name for `comment`: give one of them"
    ]


def test_token_rotation_true_is_refused_with_the_command_that_rotates(pack_file: Write) -> None:
    path = pack_file("recipient:\n  - {name: a, type: D2O, token_rotation: true}\n")
    with pytest.raises(SpecError) as caught:
        load_pack(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.col) == (2, 42)
    assert problem.message.startswith("recipient[0].token_rotation: `token_rotation: true` would rotate")
    assert problem.hint is not None
    assert "sharepack rotate-token PACK RECIPIENT" in problem.hint
    assert f"sharepack rotate-token {path} a" in problem.hint


def test_token_rotation_false_is_accepted(pack_file: Write) -> None:
    assert load_pack(pack_file("recipient:\n  - {name: a, type: D2O, token_rotation: false}\n"))


# Share assets


def test_share_names_are_unique_in_the_pack(pack_file: Write) -> None:
    text = share("c.s.t") + "  - name: S\n    share_assets: [c.s.u]\n"
    assert problems_of(pack_file(text)) == ["5:11: share[1].name: share name 'S' is already used at line 2"]


def test_asset_names_are_unique_in_a_share_in_either_form(pack_file: Write) -> None:
    text = share("c.s.t", "{name: C.S.T, history: true}")
    assert problems_of(pack_file(text)) == [
        "5:16: share[0].share_assets[1].name: share asset 'C.S.T' is already used at line 4"
    ]


def test_two_tables_of_one_schema_name_in_two_catalogs_collide_unless_one_is_shared_as_another(
    pack_file: Write,
) -> None:
    assert problems_of(pack_file(share("a.s.t", "b.s.t"))) == [
        "5:9: share[0].share_assets[1]: 'b.s.t' is shared as 's.t' (its name without the catalog), "
        "which is already the shared name of 'a.s.t' at line 4"
    ]
    assert load_pack(pack_file(share("a.s.t", "{name: b.s.t, shared_as: s.t_archive}"))).shares


def test_an_explicit_shared_as_is_unique_too(pack_file: Write) -> None:
    text = share("a.s.t", "{name: a.s.u, shared_as: S.T}")
    assert problems_of(pack_file(text)) == [
        "5:34: share[0].share_assets[1].shared_as: shared_as 'S.T' is already the shared name "
        "of 'a.s.t' at line 4"
    ]


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        (
            "c",
            "4:9: share[0].share_assets[0]: 'c' is neither catalog.schema.table (a table) "
            "nor catalog.schema (a schema)",
        ),
        (
            "c.s.t.x",
            "4:9: share[0].share_assets[0]: 'c.s.t.x' is neither catalog.schema.table (a table) "
            "nor catalog.schema (a schema)",
        ),
        (
            "{name: c.s, type: VIEW}",
            "4:16: share[0].share_assets[0].name: a VIEW is named catalog.schema.view, not 'c.s'",
        ),
        (
            "{name: c.s.t, type: SCHEMA}",
            "4:16: share[0].share_assets[0].name: a SCHEMA is named catalog.schema, not 'c.s.t'",
        ),
        (
            "{name: c.s, shared_as: a.b}",
            "4:32: share[0].share_assets[0].shared_as: a SCHEMA is shared as schema, not 'a.b'",
        ),
        (
            "{name: c.s.t, shared_as: t}",
            "4:34: share[0].share_assets[0].shared_as: a TABLE is shared as schema.table, not 't'",
        ),
        (
            "my-cat.s.t",
            "4:9: share[0].share_assets[0]: in 'my-cat.s.t': catalog name 'my-cat' needs backticks: "
            "unquoted, a name has only letters, digits and underscores",
        ),
    ],
)
def test_asset_names_have_the_parts_their_type_takes(pack_file: Write, asset: str, message: str) -> None:
    assert problems_of(pack_file(share(asset))) == [message]


def test_an_asset_is_a_name_or_a_mapping(pack_file: Write) -> None:
    assert problems_of(pack_file(share("42"))) == [
        "4:9: share[0].share_assets[0]: expected catalog.schema.table (or catalog.schema for a schema), "
        "or a mapping {name, type, shared_as, history, cdf}"
    ]


def test_an_unknown_asset_key_gets_a_suggestion(pack_file: Write) -> None:
    with pytest.raises(SpecError) as caught:
        load_pack(pack_file(share("{name: c.s.t, shared_ass: x}")))
    (problem,) = caught.value.problems
    assert (problem.line, problem.col, problem.hint) == (4, 23, "did you mean 'shared_as'?")


# Pipelines and the assets they sync


def test_a_pipeline_syncs_a_mapping_asset_by_its_name_and_any_table_of_a_shared_schema(
    pack_file: Write,
) -> None:
    text = share(
        "{name: c.s.t, shared_as: x.y}",
        "c.other",
        extra="    pipelines:\n"
        "      - {name_prefix: a, source_asset: c.s.t}\n"
        "      - {name_prefix: b, source_asset: c.other.any_table}\n"
        "      - {name_prefix: d, source_asset: c.s.u}\n",
    )
    assert problems_of(pack_file(text)) == [
        "9:40: share[0].pipelines[2].source_asset: 'c.s.u' is not one of the share's share_assets"
    ]


# Grants


def test_a_share_may_name_recipients_that_exist_already_but_each_once(pack_file: Write) -> None:
    text = share("c.s.t", extra="    recipients: [existing, other, Existing]\n")
    assert problems_of(pack_file(text)) == [
        "5:35: share[0].recipients[2]: recipient 'Existing' is already used at line 5"
    ]


# Mounts

MOUNTED = f"""recipient:
  - {{name: analytics, type: D2D, recipient_databricks_org: {ORG}}}
  - {{name: partner, type: D2O}}
share:
  - name: s
    share_assets: [c.s.t]
    recipients: [analytics]
    mount: {{target: analytics_ws, catalog: from_provider}}
    pipelines:
      - {{name_prefix: p, source_asset: c.s.t, catalog: published}}
targets:
  analytics_ws: {{workspace: {{profile: analytics}}}}
"""


def test_a_share_granted_to_a_d2d_recipient_of_the_pack_mounts_in_a_target_of_the_pack(
    pack_file: Write,
) -> None:
    (mounted,) = load_pack(pack_file(MOUNTED)).shares
    assert mounted.mount is not None and (mounted.mount.target, mounted.mount.catalog) == (
        "analytics_ws",
        "from_provider",
    )


def test_a_mount_target_is_a_target_of_the_pack(pack_file: Write) -> None:
    text = MOUNTED.replace("target: analytics_ws", "target: analytics")
    assert problems_of(pack_file(text)) == [
        "8:21: share[0].mount.target: 'analytics' is not a target of this pack"
    ]


def test_a_mount_is_not_a_catalog_a_pipeline_publishes_to(pack_file: Write) -> None:
    text = MOUNTED.replace("catalog: from_provider", "catalog: Published")
    assert problems_of(pack_file(text)) == [
        "8:44: share[0].mount.catalog: pipeline 'p' publishes to catalog 'Published'; "
        "a mounted share is a read-only catalog"
    ]


@pytest.mark.parametrize("recipients", ["[partner]", "[existing_recipient]", "[]"])
def test_only_a_d2d_recipient_of_the_pack_mounts_a_share(pack_file: Write, recipients: str) -> None:
    text = MOUNTED.replace("recipients: [analytics]", f"recipients: {recipients}")
    assert problems_of(pack_file(text)) == [
        "8:5: share[0].mount: share 's' is mounted, which only a D2D recipient can do, "
        "and no D2D recipient of this pack is in its `recipients`"
    ]
