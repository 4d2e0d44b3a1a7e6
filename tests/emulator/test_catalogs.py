"""Catalogs, the metastore, and Databricks-to-Databricks sharing between two emulated metastores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import BadRequest, InvalidParameterValue, NotFound, ResourceConflict
from databricks.sdk.service.catalog import CatalogType, PermissionsChange, Privilege
from databricks.sdk.service.sharing import AuthenticationType

from sharepack.emulator import Emulator, EmulatorConfig
from tests.conftest import TOKEN
from tests.emulator.helpers import http
from tests.helpers import list_shares

RECIPIENT_METASTORE = "0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"


# -- one metastore --------------------------------------------------------------------------
def test_the_metastore_summary_names_the_metastore_and_its_global_id(client: Any, emulator: Any) -> None:
    got = client.metastores.summary()
    assert (got.name, got.cloud, got.region) == ("local-metastore", "aws", "us-west-2")
    assert got.global_metastore_id == f"aws:us-west-2:{got.metastore_id}" == emulator.global_metastore_id
    assert client.metastores.current().metastore_id == got.metastore_id


def test_the_current_user_is_served(client: Any) -> None:
    assert client.current_user.me().user_name == "local@sharepack.dev"


def test_a_plain_catalog_is_a_managed_catalog_with_what_was_sent(client: Any) -> None:
    created = client.catalogs.create("sales", comment="c", properties={"managed_by": "sharepack"})
    got = client.catalogs.get("sales")
    assert got.catalog_type == CatalogType.MANAGED_CATALOG
    assert (got.comment, got.properties, got.full_name) == ("c", {"managed_by": "sharepack"}, "sales")
    assert (
        got.created_at == created.created_at and got.metastore_id == client.metastores.summary().metastore_id
    )


def test_creating_a_catalog_twice_is_refused_with_catalog_already_exists(client: Any) -> None:
    # 400, not 409: the SDK raises BadRequest as in production (ucx #2077 catches exactly that).
    client.catalogs.create("sales")
    with pytest.raises(BadRequest, match="Catalog 'sales' already exists") as caught:
        client.catalogs.create("sales")
    assert caught.value.error_code == "CATALOG_ALREADY_EXISTS"
    assert not isinstance(caught.value, ResourceConflict)


def test_an_unknown_catalog_is_catalog_does_not_exist_for_every_call(client: Any) -> None:
    calls = [
        lambda: client.catalogs.get("nope"),
        lambda: client.catalogs.update("nope", comment="x"),
        lambda: client.catalogs.delete("nope", force=True),
    ]
    for call in calls:
        with pytest.raises(NotFound, match="Catalog 'nope' does not exist") as caught:
            call()
        assert caught.value.error_code == "CATALOG_DOES_NOT_EXIST"


def test_a_catalog_name_with_a_space_is_invalid(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="not a valid name"):
        client.catalogs.create("my sales")


def test_patch_replaces_properties_and_sets_comment_and_owner(client: Any) -> None:
    client.catalogs.create("sales", comment="old", properties={"a": "1", "b": "2"})
    client.catalogs.update("sales", properties={"c": "3"}, owner="data-team")
    got = client.catalogs.get("sales")
    assert (got.properties, got.comment, got.owner) == ({"c": "3"}, "old", "data-team")


def test_catalogs_list_in_pages(client: Any, emulator: Any) -> None:
    for i in range(5):
        client.catalogs.create(f"c{i}")
    _, _, first = http(f"{emulator.url}/api/2.1/unity-catalog/catalogs?max_results=3", token=emulator.token)
    assert [c["name"] for c in first["catalogs"]] == ["c0", "c1", "c2"] and first["next_page_token"]
    assert [c.name for c in client.catalogs.list(max_results=2)] == [f"c{i}" for i in range(5)]


def test_a_deleted_catalog_is_gone(client: Any) -> None:
    client.catalogs.create("sales")
    client.catalogs.delete("sales", force=True)
    assert list(client.catalogs.list()) == []


def test_a_catalog_from_an_unknown_provider_is_refused_with_provider_does_not_exist(client: Any) -> None:
    with pytest.raises(NotFound, match="Provider 'acme' does not exist") as caught:
        client.catalogs.create("mounted", provider_name="acme", share_name="sales")
    assert caught.value.error_code == "PROVIDER_DOES_NOT_EXIST"


def test_a_catalog_needs_both_provider_name_and_share_name(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="both provider_name and share_name"):
        client.catalogs.create("mounted", share_name="sales")


def test_the_metastore_id_must_be_a_uuid() -> None:
    with pytest.raises(ValueError, match="UUID"):
        Emulator(EmulatorConfig(metastore_id="not-a-uuid"))


# -- two metastores -------------------------------------------------------------------------
class Pair:
    def __init__(self, provider: Emulator, recipient: Emulator) -> None:
        self.provider, self.recipient = provider, recipient
        self.a = WorkspaceClient(host=provider.url, token=TOKEN, auth_type="pat")
        self.b = WorkspaceClient(host=recipient.url, token=TOKEN, auth_type="pat")

    def share_with_b(self, share: str, recipient: str = "b_team") -> None:
        if recipient not in {r.name for r in self.a.recipients.list()}:
            self.a.recipients.create(
                recipient,
                AuthenticationType.DATABRICKS,
                data_recipient_global_metastore_id=self.recipient.global_metastore_id,
            )
        self.a.shares.create(share)
        change = PermissionsChange(principal=recipient, add=[Privilege.SELECT])
        self.a.shares.update_permissions(share, changes=[change])


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    uc = str(tmp_path / "unity-catalog.db")
    provider = EmulatorConfig(
        token=TOKEN, state_path=str(tmp_path / "a.db"), uc_state_path=uc, metastore_name="acme-provider"
    )
    recipient = EmulatorConfig(
        token=TOKEN,
        state_path=str(tmp_path / "b.db"),
        uc_state_path=uc,
        metastore_id=RECIPIENT_METASTORE,
        metastore_name="partner-metastore",
        region="eu-west-1",
    )
    with Emulator(provider) as a, Emulator(recipient) as b:
        yield Pair(a, b)


def test_two_linked_emulators_are_two_metastores(pair: Pair) -> None:
    a, b = pair.a.metastores.summary(), pair.b.metastores.summary()
    assert a.metastore_id != b.metastore_id
    assert b.global_metastore_id == f"aws:eu-west-1:{RECIPIENT_METASTORE}"


def test_each_metastore_sees_only_its_own_shares_recipients_catalogs_and_jobs(pair: Pair) -> None:
    pair.share_with_b("sales")
    pair.a.catalogs.create("main")
    pair.a.jobs.create(name="nightly")
    assert list(list_shares(pair.b)) == []
    assert list(pair.b.recipients.list()) == []
    assert list(pair.b.catalogs.list()) == []
    assert list(pair.b.jobs.list()) == []


def test_a_databricks_recipient_makes_its_metastore_a_provider_on_the_recipient_side(pair: Pair) -> None:
    assert list(pair.b.providers.list()) == []
    pair.a.recipients.create(
        "b_team",
        AuthenticationType.DATABRICKS,
        data_recipient_global_metastore_id=pair.recipient.global_metastore_id,
    )
    [provider] = list(pair.b.providers.list())
    assert provider.name == "acme-provider"
    assert provider.authentication_type == AuthenticationType.DATABRICKS
    assert provider.data_provider_global_metastore_id == pair.provider.global_metastore_id
    assert pair.b.providers.get("acme-provider").name == "acme-provider"
    assert list(pair.b.providers.list_shares("acme-provider")) == []
    assert list(pair.a.providers.list()) == []


def test_every_share_granted_to_the_recipient_is_listed_by_the_provider(pair: Pair) -> None:
    pair.share_with_b("sales")
    pair.share_with_b("finance")
    pair.a.shares.create("internal_only")
    assert [s.name for s in pair.b.providers.list_shares("acme-provider")] == ["finance", "sales"]


def test_a_granted_share_can_be_mounted_as_a_deltasharing_catalog(pair: Pair) -> None:
    pair.share_with_b("sales")
    created = pair.b.catalogs.create("partner_sales", provider_name="acme-provider", share_name="sales")
    got = pair.b.catalogs.get("partner_sales")
    assert got.catalog_type == CatalogType.DELTASHARING_CATALOG == created.catalog_type
    assert (got.provider_name, got.share_name) == ("acme-provider", "sales")


def test_mounting_a_share_not_granted_to_this_metastore_is_refused(pair: Pair) -> None:
    pair.share_with_b("sales")
    pair.a.shares.create("internal_only")
    with pytest.raises(NotFound, match="internal_only") as caught:
        pair.b.catalogs.create("x", provider_name="acme-provider", share_name="internal_only")
    assert caught.value.error_code == "SHARE_DOES_NOT_EXIST"


def test_revoking_the_grant_removes_the_share_from_the_provider(pair: Pair) -> None:
    pair.share_with_b("sales")
    revoke = PermissionsChange(principal="b_team", remove=[Privilege.SELECT])
    pair.a.shares.update_permissions("sales", changes=[revoke])
    assert list(pair.b.providers.list_shares("acme-provider")) == []
    with pytest.raises(NotFound):
        pair.b.catalogs.create("partner_sales", provider_name="acme-provider", share_name="sales")


def test_deleting_the_recipient_removes_the_provider(pair: Pair) -> None:
    pair.share_with_b("sales")
    pair.a.recipients.delete("b_team")
    assert list(pair.b.providers.list()) == []
    with pytest.raises(NotFound, match="Provider 'acme-provider' does not exist"):
        pair.b.providers.get("acme-provider")


def test_token_recipients_make_no_provider(pair: Pair) -> None:
    pair.a.recipients.create("open", AuthenticationType.TOKEN)
    assert list(pair.b.providers.list()) == []


def test_a_recipient_for_its_own_metastore_is_refused(pair: Pair) -> None:
    with pytest.raises(InvalidParameterValue, match="cannot be the metastore that shares"):
        pair.a.recipients.create(
            "me",
            AuthenticationType.DATABRICKS,
            data_recipient_global_metastore_id=pair.provider.global_metastore_id,
        )
