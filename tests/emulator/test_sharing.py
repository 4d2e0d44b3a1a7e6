"""Delta Sharing shares and recipients (Unity Catalog 2.1) through the real databricks-sdk."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk.errors import (
    BadRequest,
    InvalidParameterValue,
    NotFound,
    ResourceAlreadyExists,
    ResourceConflict,
    ResourceDoesNotExist,
)
from databricks.sdk.service.catalog import PermissionsChange, Privilege
from databricks.sdk.service.sharing import (
    AuthenticationType,
    IpAccessList,
    SecurablePropertiesKvPairs,
    SharedDataObject,
    SharedDataObjectDataObjectType,
    SharedDataObjectHistoryDataSharingStatus,
    SharedDataObjectUpdate,
    SharedDataObjectUpdateAction,
)

from tests.emulator.helpers import http
from tests.helpers import list_shares

UC = "/api/2.1/unity-catalog"
OTHER_METASTORE = "aws:eu-west-1:0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"
TABLE = SharedDataObjectDataObjectType.TABLE
ADD, REMOVE, UPDATE = (
    SharedDataObjectUpdateAction.ADD,
    SharedDataObjectUpdateAction.REMOVE,
    SharedDataObjectUpdateAction.UPDATE,
)


def _change(action: SharedDataObjectUpdateAction, name: str, **fields: Any) -> SharedDataObjectUpdate:
    return SharedDataObjectUpdate(action=action, data_object=SharedDataObject(name=name, **fields))


def _objects(client: Any, share: str) -> dict[str, Any]:
    return {o.name: o for o in client.shares.get(share, include_shared_data=True).objects or []}


def _token_recipient(client: Any, name: str = "partner", **fields: Any) -> Any:
    return client.recipients.create(name, AuthenticationType.TOKEN, **fields)


def _grant(client: Any, share: str, *principals: str) -> Any:
    changes = [PermissionsChange(principal=p, add=[Privilege.SELECT]) for p in principals]
    return client.shares.update_permissions(share, changes=changes)


# -- shares ---------------------------------------------------------------------------------
def test_a_created_share_has_its_comment_owner_and_no_objects(client: Any) -> None:
    created = client.shares.create("sales", comment="for partners")
    got = client.shares.get("sales", include_shared_data=True)
    assert (created.name, created.comment, created.owner) == ("sales", "for partners", "local@sharepack.dev")
    assert (got.comment, got.objects, got.created_at) == ("for partners", [], created.created_at)


def test_creating_a_share_twice_is_refused_with_share_already_exists(client: Any, emulator: Any) -> None:
    # RESOURCE_ALREADY_EXISTS with 400, as Unity Catalog answers (issue 25's evidence): the SDK
    # raises ResourceAlreadyExists by the code, whatever the status.
    client.shares.create("sales")
    with pytest.raises(ResourceAlreadyExists, match="Share 'sales' already exists") as caught:
        client.shares.create("sales")
    assert caught.value.error_code == "RESOURCE_ALREADY_EXISTS"
    status, _, _ = http(f"{emulator.url}{UC}/shares", "POST", {"name": "sales"}, token=emulator.token)
    assert status == 400


def test_an_unknown_share_is_share_does_not_exist_for_every_call(client: Any) -> None:
    calls = [
        lambda: client.shares.get("nope"),
        lambda: client.shares.update("nope", comment="x"),
        lambda: client.shares.delete("nope"),
        lambda: client.shares.share_permissions("nope"),
        lambda: client.shares.update_permissions("nope", changes=[]),
    ]
    for call in calls:
        with pytest.raises(NotFound, match="Share 'nope' does not exist") as caught:
            call()
        assert caught.value.error_code == "SHARE_DOES_NOT_EXIST"


def test_a_share_name_with_a_period_is_invalid(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="not a valid name"):
        client.shares.create("sales.eu")


def test_get_shows_objects_only_when_shared_data_is_asked_for(client: Any, emulator: Any) -> None:
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.s.orders")])
    _, _, plain = http(f"{emulator.url}{UC}/shares/sales", token=emulator.token)
    _, _, full = http(f"{emulator.url}{UC}/shares/sales?include_shared_data=true", token=emulator.token)
    assert "objects" not in plain
    assert [o["name"] for o in full["objects"]] == ["main.s.orders"]


def test_an_added_table_gets_the_server_defaults(client: Any) -> None:
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.sales.orders", data_object_type=TABLE)])
    got = _objects(client, "sales")["main.sales.orders"]
    assert got.shared_as == "sales.orders"
    assert got.history_data_sharing_status == SharedDataObjectHistoryDataSharingStatus.DISABLED
    assert got.status.value == "ACTIVE"
    assert got.added_by == "local@sharepack.dev" and got.added_at


def test_every_object_field_sent_round_trips(client: Any) -> None:
    client.shares.create("sales")
    table = _change(
        ADD,
        "main.sales.orders",
        data_object_type=TABLE,
        shared_as="public.orders",
        history_data_sharing_status=SharedDataObjectHistoryDataSharingStatus.ENABLED,
        comment="all orders",
    )
    feed = _change(ADD, "main.sales.events", data_object_type=TABLE, cdf_enabled=True)
    schema = _change(ADD, "main.reference", data_object_type=SharedDataObjectDataObjectType.SCHEMA)
    view = _change(ADD, "main.sales.v_orders", data_object_type=SharedDataObjectDataObjectType.VIEW)
    client.shares.update("sales", updates=[table, feed, schema, view])
    got = _objects(client, "sales")
    orders = got["main.sales.orders"]
    assert (orders.shared_as, orders.comment) == ("public.orders", "all orders")
    assert orders.history_data_sharing_status == SharedDataObjectHistoryDataSharingStatus.ENABLED
    assert got["main.sales.events"].cdf_enabled is True
    assert got["main.reference"].data_object_type == SharedDataObjectDataObjectType.SCHEMA
    assert got["main.sales.v_orders"].shared_as == "sales.v_orders"


def test_a_table_name_that_is_not_three_parts_is_invalid(client: Any) -> None:
    client.shares.create("sales")
    with pytest.raises(InvalidParameterValue, match=r"catalog\.schema\.name"):
        client.shares.update("sales", updates=[_change(ADD, "orders", data_object_type=TABLE)])


def test_adding_an_object_twice_is_refused_with_resource_already_exists(client: Any) -> None:
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.s.orders")])
    with pytest.raises(ResourceAlreadyExists, match="already in the share"):
        client.shares.update("sales", updates=[_change(ADD, "main.s.orders")])


def test_removing_an_object_not_in_the_share_is_refused(client: Any) -> None:
    client.shares.create("sales")
    with pytest.raises(ResourceDoesNotExist, match="not in the share"):
        client.shares.update("sales", updates=[_change(REMOVE, "main.s.orders")])


def test_updating_an_object_not_in_the_share_is_refused(client: Any) -> None:
    client.shares.create("sales")
    with pytest.raises(ResourceDoesNotExist, match="not in the share"):
        client.shares.update("sales", updates=[_change(UPDATE, "main.s.orders", comment="x")])


def test_two_objects_shared_as_the_same_name_are_refused_with_invalid_parameter_value(client: Any) -> None:
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.eu.orders", shared_as="all.orders")])
    with pytest.raises(InvalidParameterValue, match="shared_as must be unique"):
        client.shares.update("sales", updates=[_change(ADD, "main.us.orders", shared_as="all.orders")])


def test_a_refused_update_changes_nothing(client: Any) -> None:
    client.shares.create("sales", comment="before")
    client.shares.update("sales", updates=[_change(ADD, "main.s.a")])
    refused = [_change(ADD, "main.s.b"), _change(ADD, "main.s.a")]  # a is in the share already
    with pytest.raises(ResourceAlreadyExists):
        client.shares.update("sales", comment="after", updates=refused)
    assert set(_objects(client, "sales")) == {"main.s.a"}
    assert client.shares.get("sales").comment == "before"


def test_one_patch_adds_removes_and_updates_objects_together(client: Any) -> None:
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.s.a"), _change(ADD, "main.s.b")])
    added_at = _objects(client, "sales")["main.s.b"].added_at
    answer = client.shares.update(
        "sales",
        updates=[
            _change(REMOVE, "main.s.a"),
            _change(UPDATE, "main.s.b", comment="new"),
            _change(ADD, "main.s.c"),
        ],
    )
    assert [o.name for o in answer.objects] == ["main.s.b", "main.s.c"]
    b = _objects(client, "sales")["main.s.b"]
    assert (b.comment, b.added_at, b.shared_as) == ("new", added_at, "s.b")


def test_renaming_a_share_keeps_its_objects_and_grants(client: Any) -> None:
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.s.a")])
    _token_recipient(client)
    _grant(client, "sales", "partner")
    client.shares.update("sales", new_name="revenue", owner="data-team")
    with pytest.raises(NotFound):
        client.shares.get("sales")
    got = client.shares.get("revenue", include_shared_data=True)
    assert (got.owner, [o.name for o in got.objects]) == ("data-team", ["main.s.a"])
    assert [a.principal for a in client.shares.share_permissions("revenue").privilege_assignments] == [
        "partner"
    ]


def test_renaming_a_share_onto_another_is_refused_with_share_already_exists(client: Any) -> None:
    client.shares.create("a")
    client.shares.create("b")
    with pytest.raises(ResourceConflict, match="Share 'b' already exists"):
        client.shares.update("a", new_name="b")


def test_shares_list_in_pages_until_next_page_token_is_absent(client: Any, emulator: Any) -> None:
    for i in range(5):
        client.shares.create(f"share_{i}")
    names, token, pages = [], "", 0
    while True:
        _, _, body = http(f"{emulator.url}{UC}/shares?max_results=2&page_token={token}", token=emulator.token)
        names += [s["name"] for s in body["shares"]]
        pages += 1
        if "next_page_token" not in body:
            break
        token = body["next_page_token"]
    assert (pages, names) == (3, [f"share_{i}" for i in range(5)])
    assert [s.name for s in list_shares(client, max_results=2)] == names


def test_a_negative_max_results_is_invalid(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="max_results"):
        list(list_shares(client, max_results=-1))


def test_deleting_a_share_removes_it_and_its_grants(client: Any) -> None:
    client.shares.create("sales")
    _token_recipient(client)
    _grant(client, "sales", "partner")
    client.shares.delete("sales")
    assert list(list_shares(client)) == []
    assert client.recipients.share_permissions("partner").permissions_out == []


# -- share permissions ----------------------------------------------------------------------
def test_granting_select_shows_in_the_share_permissions(client: Any) -> None:
    client.shares.create("sales")
    _token_recipient(client)
    answer = _grant(client, "sales", "partner")
    got = client.shares.share_permissions("sales")
    for assignments in (answer.privilege_assignments, got.privilege_assignments):
        assert [(a.principal, [p.value for p in a.privileges]) for a in assignments] == [
            ("partner", ["SELECT"])
        ]


def test_granting_to_an_unknown_recipient_is_refused_with_recipient_does_not_exist(client: Any) -> None:
    client.shares.create("sales")
    with pytest.raises(NotFound, match="Recipient 'ghost' does not exist") as caught:
        _grant(client, "sales", "ghost")
    assert caught.value.error_code == "RECIPIENT_DOES_NOT_EXIST"


def test_only_select_can_be_granted_on_a_share(client: Any) -> None:
    client.shares.create("sales")
    _token_recipient(client)
    change = PermissionsChange(principal="partner", add=[Privilege.MODIFY])
    with pytest.raises(InvalidParameterValue, match="only SELECT"):
        client.shares.update_permissions("sales", changes=[change])


def test_revoking_select_removes_the_grant_and_a_second_revoke_is_harmless(client: Any) -> None:
    client.shares.create("sales")
    _token_recipient(client)
    _grant(client, "sales", "partner")
    revoke = [PermissionsChange(principal="partner", remove=[Privilege.SELECT])]
    assert client.shares.update_permissions("sales", changes=revoke).privilege_assignments == []
    assert client.shares.update_permissions("sales", changes=revoke).privilege_assignments == []


def test_the_permissions_list_can_be_omitted_from_the_answer(client: Any, emulator: Any) -> None:
    client.shares.create("sales")
    _token_recipient(client)
    change = {"changes": [{"principal": "partner", "add": ["SELECT"]}], "omit_permissions_list": True}
    status, _, body = http(
        f"{emulator.url}{UC}/shares/sales/permissions", "PATCH", change, token=emulator.token
    )
    assert (status, body) == (200, {})
    assert len(client.shares.share_permissions("sales").privilege_assignments) == 1


def test_share_permissions_come_in_pages(client: Any) -> None:
    client.shares.create("sales")
    for i in range(5):
        _token_recipient(client, f"r{i}")
    _grant(client, "sales", *[f"r{i}" for i in range(5)])
    first = client.shares.share_permissions("sales", max_results=2)
    second = client.shares.share_permissions("sales", max_results=2, page_token=first.next_page_token)
    third = client.shares.share_permissions("sales", max_results=2, page_token=second.next_page_token)
    pages = [first, second, third]
    assert [[a.principal for a in p.privilege_assignments] for p in pages] == [
        ["r0", "r1"],
        ["r2", "r3"],
        ["r4"],
    ]
    assert third.next_page_token is None


# -- recipients -----------------------------------------------------------------------------
def test_a_token_recipient_gets_an_unactivated_token_with_an_activation_url(
    client: Any, emulator: Any
) -> None:
    created = _token_recipient(client, comment="Acme", ip_access_list=IpAccessList(["10.0.0.0/24"]))
    assert created.authentication_type == AuthenticationType.TOKEN
    assert created.activated is False
    assert len(created.tokens) == 1
    url = created.tokens[0].activation_url
    assert url.startswith(f"{emulator.url}/delta_sharing/retrieve_config.html?")
    assert client.recipients.get("partner").tokens[0].activation_url == url
    assert created.ip_access_list.allowed_ip_addresses == ["10.0.0.0/24"]


def test_a_databricks_recipient_carries_the_metastore_it_names(client: Any) -> None:
    created = client.recipients.create(
        "eu_team", AuthenticationType.DATABRICKS, data_recipient_global_metastore_id=OTHER_METASTORE
    )
    assert (created.cloud, created.region, created.metastore_id) == (
        "aws",
        "eu-west-1",
        "0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3",
    )
    assert created.activated is True and not created.tokens


def test_a_databricks_recipient_without_a_global_metastore_id_is_invalid(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="data_recipient_global_metastore_id is required"):
        client.recipients.create("eu_team", AuthenticationType.DATABRICKS)


def test_a_token_recipient_with_a_global_metastore_id_is_invalid(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="only valid for a DATABRICKS recipient"):
        _token_recipient(client, data_recipient_global_metastore_id=OTHER_METASTORE)


def test_a_malformed_global_metastore_id_is_invalid(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="<cloud>:<region>:<metastore-uuid>"):
        client.recipients.create(
            "eu_team", AuthenticationType.DATABRICKS, data_recipient_global_metastore_id="not-an-id"
        )


def test_an_ip_access_list_on_a_databricks_recipient_is_invalid(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="only supported for TOKEN"):
        client.recipients.create(
            "eu_team",
            AuthenticationType.DATABRICKS,
            data_recipient_global_metastore_id=OTHER_METASTORE,
            ip_access_list=IpAccessList(["1.2.3.4"]),
        )


def test_creating_a_recipient_twice_is_refused_with_recipient_already_exists(client: Any) -> None:
    _token_recipient(client)
    with pytest.raises(BadRequest, match="Recipient 'partner' already exists") as caught:
        _token_recipient(client)
    assert caught.value.error_code == "RECIPIENT_ALREADY_EXISTS"


def test_two_recipients_for_one_metastore_are_refused_with_recipient_already_exists(client: Any) -> None:
    client.recipients.create(
        "a", AuthenticationType.DATABRICKS, data_recipient_global_metastore_id=OTHER_METASTORE
    )
    with pytest.raises(BadRequest, match="already has the sharing identifier") as caught:
        client.recipients.create(
            "b", AuthenticationType.DATABRICKS, data_recipient_global_metastore_id=OTHER_METASTORE
        )
    assert caught.value.error_code == "RECIPIENT_ALREADY_EXISTS"


def test_an_unknown_recipient_is_recipient_does_not_exist_for_every_call(client: Any) -> None:
    calls = [
        lambda: client.recipients.get("nope"),
        lambda: client.recipients.update("nope", comment="x"),
        lambda: client.recipients.delete("nope"),
        lambda: client.recipients.rotate_token("nope", 0),
        lambda: client.recipients.share_permissions("nope"),
    ]
    for call in calls:
        with pytest.raises(NotFound, match="Recipient 'nope' does not exist") as caught:
            call()
        assert caught.value.error_code == "RECIPIENT_DOES_NOT_EXIST"


def test_patch_replaces_the_ip_access_list_wholesale(client: Any) -> None:
    _token_recipient(client, ip_access_list=IpAccessList(["1.1.1.1", "2.2.2.2"]))
    client.recipients.update("partner", ip_access_list=IpAccessList(["3.3.3.3"]))
    assert client.recipients.get("partner").ip_access_list.allowed_ip_addresses == ["3.3.3.3"]


def test_patch_replaces_the_properties_wholesale(client: Any) -> None:
    _token_recipient(
        client, properties_kvpairs=SecurablePropertiesKvPairs({"owner_team": "data", "tier": "1"})
    )
    client.recipients.update(
        "partner", properties_kvpairs=SecurablePropertiesKvPairs({"managed_by": "sharepack"})
    )
    assert client.recipients.get("partner").properties_kvpairs.properties == {"managed_by": "sharepack"}


def test_patch_leaves_fields_it_does_not_send_alone(client: Any) -> None:
    _token_recipient(
        client,
        ip_access_list=IpAccessList(["1.1.1.1"]),
        properties_kvpairs=SecurablePropertiesKvPairs({"k": "v"}),
    )
    client.recipients.update("partner", comment="renewed", owner="data-team")
    got = client.recipients.get("partner")
    assert (got.comment, got.owner) == ("renewed", "data-team")
    assert got.ip_access_list.allowed_ip_addresses == ["1.1.1.1"]
    assert got.properties_kvpairs.properties == {"k": "v"}


def test_patch_sets_the_token_expiration_time(client: Any) -> None:
    _token_recipient(client)
    client.recipients.update("partner", expiration_time=4_102_444_800_000)
    got = client.recipients.get("partner")
    assert got.expiration_time == got.tokens[0].expiration_time == 4_102_444_800_000


def test_renaming_a_recipient_keeps_its_grants(client: Any) -> None:
    client.shares.create("sales")
    _token_recipient(client)
    _grant(client, "sales", "partner")
    client.recipients.update("partner", new_name="acme")
    assert [a.principal for a in client.shares.share_permissions("sales").privilege_assignments] == ["acme"]


def test_rotating_a_token_expires_the_old_one_and_gives_a_new_activation_url(client: Any) -> None:
    old = _token_recipient(client).tokens[0]
    rotated = client.recipients.rotate_token("partner", 0)
    assert [t.id for t in rotated.tokens] != [old.id]
    assert len(rotated.tokens) == 1
    assert rotated.tokens[0].activation_url != old.activation_url
    assert rotated.activated is False


def test_rotating_keeps_the_old_token_until_its_shortened_expiry(client: Any) -> None:
    old = _token_recipient(client).tokens[0]
    rotated = client.recipients.rotate_token("partner", 3600)
    assert rotated.tokens[0].id == old.id
    assert len(rotated.tokens) == 2
    assert rotated.tokens[0].expiration_time <= rotated.tokens[1].created_at + 3_600_000


def test_rotating_with_two_active_tokens_is_invalid(client: Any) -> None:
    _token_recipient(client)
    client.recipients.rotate_token("partner", 3600)
    with pytest.raises(InvalidParameterValue, match="two active tokens"):
        client.recipients.rotate_token("partner", 3600)


def test_rotating_a_databricks_recipient_is_invalid(client: Any) -> None:
    client.recipients.create(
        "eu", AuthenticationType.DATABRICKS, data_recipient_global_metastore_id=OTHER_METASTORE
    )
    with pytest.raises(InvalidParameterValue, match="no token to rotate"):
        client.recipients.rotate_token("eu", 0)


def test_a_negative_existing_token_expiry_is_invalid(client: Any) -> None:
    _token_recipient(client)
    with pytest.raises(InvalidParameterValue, match="must not be negative"):
        client.recipients.rotate_token("partner", -1)


def test_recipient_share_permissions_list_the_shares_granted(client: Any) -> None:
    _token_recipient(client)
    for name in ("b_share", "a_share", "c_share"):
        client.shares.create(name)
    _grant(client, "a_share", "partner")
    _grant(client, "b_share", "partner")
    got = client.recipients.share_permissions("partner")
    assert [p.share_name for p in got.permissions_out] == ["a_share", "b_share"]
    assert [p.value for p in got.permissions_out[0].privilege_assignments[0].privileges] == ["SELECT"]


def test_recipients_list_in_pages(client: Any) -> None:
    for i in range(5):
        _token_recipient(client, f"r{i}")
    listed = list(client.recipients.list(max_results=2))
    assert [r.name for r in listed] == [f"r{i}" for i in range(5)]
    assert all(r.tokens for r in listed)


def test_recipients_list_pages_end_without_a_next_page_token(client: Any, emulator: Any) -> None:
    for i in range(3):
        _token_recipient(client, f"r{i}")
    _, _, one = http(f"{emulator.url}{UC}/recipients?max_results=2", token=emulator.token)
    token = one["next_page_token"]
    _, _, two = http(f"{emulator.url}{UC}/recipients?max_results=2&page_token={token}", token=emulator.token)
    assert [r["name"] for r in two["recipients"]] == ["r2"] and "next_page_token" not in two


def test_deleting_a_recipient_revokes_its_grants(client: Any) -> None:
    client.shares.create("sales")
    _token_recipient(client)
    _grant(client, "sales", "partner")
    client.recipients.delete("partner")
    assert client.shares.share_permissions("sales").privilege_assignments == []


# -- the server front -------------------------------------------------------------------------
def test_every_sharing_write_counts_as_a_mutation(client: Any, emulator: Any) -> None:
    emulator.reset_log()
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.s.a")])
    _token_recipient(client)
    _grant(client, "sales", "partner")
    client.recipients.rotate_token("partner", 0)
    client.shares.get("sales")
    assert emulator.mutating_count() == 5
    assert [r.endpoint for r in emulator.request_log()] == [
        "shares/create",
        "shares/update",
        "recipients/create",
        "shares/update-permissions",
        "recipients/rotate-token",
        "shares/get",
    ]


def test_sharing_routes_need_the_token(emulator: Any) -> None:
    status, _, body = http(f"{emulator.url}{UC}/shares")
    assert (status, body["error_code"]) == (401, "UNAUTHENTICATED")


def test_injected_failures_apply_to_sharing_routes(client: Any, emulator: Any) -> None:
    emulator.configure(
        fail_matching=[("PATCH", r"/shares/[^/]+/permissions$", 503, "TEMPORARILY_UNAVAILABLE", "x")]
    )
    client.shares.create("sales")
    status, _, body = http(
        f"{emulator.url}{UC}/shares/sales/permissions", "PATCH", {"changes": []}, token=emulator.token
    )
    assert (status, body["error_code"]) == (503, "TEMPORARILY_UNAVAILABLE")


def test_rate_limits_apply_to_sharing_routes(emulator: Any) -> None:
    emulator.configure(rate_limits={"shares/list": 0.01})
    statuses = [http(f"{emulator.url}{UC}/shares", token=emulator.token)[0] for _ in range(2)]
    assert statuses == [200, 429]
