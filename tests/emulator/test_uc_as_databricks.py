"""Unity Catalog and workspace answers as Databricks gives them (issue 25), through the real SDK.

Each test names the public evidence of the real behaviour it pins: the databricks/cli test
server and acceptance recordings, terraform-provider-databricks issues and docs, or the SDK's own
service docs.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from typing import Any

import pytest
from databricks.sdk.errors import (
    BadRequest,
    InvalidParameterValue,
    NotFound,
    ResourceAlreadyExists,
)
from databricks.sdk.service.sharing import (
    AuthenticationType,
    IpAccessList,
    Partition,
    PartitionValue,
    PartitionValueOp,
    SharedDataObject,
    SharedDataObjectDataObjectType,
    SharedDataObjectHistoryDataSharingStatus,
    SharedDataObjectUpdate,
    SharedDataObjectUpdateAction,
)
from databricks.sdk.service.workspace import ExportFormat, ImportFormat, Language, ObjectType

ADD, REMOVE = SharedDataObjectUpdateAction.ADD, SharedDataObjectUpdateAction.REMOVE
Type = SharedDataObjectDataObjectType


def _change(action: SharedDataObjectUpdateAction, name: str, **fields: Any) -> SharedDataObjectUpdate:
    return SharedDataObjectUpdate(action=action, data_object=SharedDataObject(name=name, **fields))


def _objects(client: Any, share: str) -> dict[str, Any]:
    return {o.name: o for o in client.shares.get(share, include_shared_data=True).objects or []}


def _seed_table(client: Any, catalog: str, schema: str, table: str) -> None:
    client.api_client.do(
        "POST",
        "/api/2.1/unity-catalog/tables",
        body={"name": table, "catalog_name": catalog, "schema_name": schema, "columns": [{"name": "id"}]},
    )


# -- names: case-insensitive, kept lower-case (databricks/cli #5531, its libs/testserver
# schemas.go/volumes.go and acceptance/bundle/resources/volumes/uppercase-name recordings) --------
def test_a_mixed_case_share_is_kept_lower_case_and_found_by_any_case(client: Any) -> None:
    created = client.shares.create("Finance_Share")
    assert created.name == "finance_share"
    assert client.shares.get("FINANCE_share").name == "finance_share"
    with pytest.raises(ResourceAlreadyExists):
        client.shares.create("finance_SHARE")


def test_a_mixed_case_recipient_is_kept_lower_case_and_unique_whatever_the_case(client: Any) -> None:
    created = client.recipients.create("Acme_D2O", AuthenticationType.TOKEN)
    assert created.name == "acme_d2o"
    assert client.recipients.get("ACME_d2o").name == "acme_d2o"
    with pytest.raises(BadRequest) as taken:
        client.recipients.create("acme_D2O", AuthenticationType.TOKEN)
    assert taken.value.error_code == "RECIPIENT_ALREADY_EXISTS"


def test_catalogs_and_schemas_are_kept_lower_case_and_unique_whatever_the_case(client: Any) -> None:
    assert client.catalogs.create("FidCase").name == "fidcase"
    with pytest.raises(BadRequest) as taken:
        client.catalogs.create("fidcase")
    assert taken.value.error_code == "CATALOG_ALREADY_EXISTS"
    schema = client.schemas.create("MySchema", "FIDCASE")
    assert (schema.name, schema.full_name) == ("myschema", "fidcase.myschema")
    assert client.schemas.get("FidCase.MYSCHEMA").full_name == "fidcase.myschema"
    with pytest.raises(BadRequest) as again:
        client.schemas.create("myschema", "fidcase")
    assert again.value.error_code == "SCHEMA_ALREADY_EXISTS"


def test_a_grant_to_a_mixed_case_recipient_is_held_by_its_lower_case_name(client: Any) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    client.shares.create("Sales")
    client.recipients.create("Partner", AuthenticationType.TOKEN)
    client.shares.update_permissions(
        "SALES", changes=[PermissionsChange(principal="PARTNER", add=[Privilege.SELECT])]
    )
    held = client.shares.share_permissions("sales").privilege_assignments
    assert [a.principal for a in held] == ["partner"]


def test_a_share_name_longer_than_255_characters_is_refused(client: Any) -> None:
    # Unity Catalog names are at most 255 characters (the limit sharepack's pack checks use too).
    client.shares.create("s" * 255)
    with pytest.raises(InvalidParameterValue, match="too long"):
        client.shares.create("s" * 256)


# -- share PATCH ---------------------------------------------------------------------------------
def test_adding_a_table_the_metastore_does_not_have_is_refused_once_it_knows_tables(client: Any) -> None:
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.s.unseeded")])  # no tables known: taken
    client.catalogs.create("main")
    client.schemas.create("s", "main")
    _seed_table(client, "main", "s", "orders")
    client.shares.update("sales", updates=[_change(ADD, "main.s.orders")])
    with pytest.raises(NotFound) as missing:
        client.shares.update("sales", updates=[_change(ADD, "main.s.nope")])
    assert missing.value.error_code == "TABLE_DOES_NOT_EXIST"
    assert set(_objects(client, "sales")) == {"main.s.unseeded", "main.s.orders"}


def test_adding_an_object_already_in_the_share_is_refused(client: Any) -> None:
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.s.a")])
    with pytest.raises(ResourceAlreadyExists, match="already in the share"):
        client.shares.update("sales", updates=[_change(ADD, "MAIN.S.A")])


def test_a_remove_and_an_add_of_one_object_in_one_patch_are_refused(client: Any) -> None:
    # terraform-provider-databricks #3517: "UpdateShare duplicate updates on the same data object".
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, "main.s.a")])
    both = [_change(REMOVE, "main.s.a"), _change(ADD, "main.s.a", shared_as="s.b")]
    with pytest.raises(InvalidParameterValue, match="duplicate updates on the same data object"):
        client.shares.update("sales", updates=both)
    assert _objects(client, "sales")["main.s.a"].shared_as == "s.a"


def test_more_than_100_updates_in_one_patch_are_refused(client: Any) -> None:
    # The SDK's SharedDataObjectUpdate docs ("The maximum number update data objects allowed is a
    # 100"); terraform-provider-databricks #5842 quotes the refusal.
    client.shares.create("sales")
    client.shares.update("sales", updates=[_change(ADD, f"main.s.t{i}") for i in range(100)])
    with pytest.raises(InvalidParameterValue, match="exceeds limit 100"):
        client.shares.update("sales", updates=[_change(ADD, f"main.s.u{i}") for i in range(101)])
    assert len(_objects(client, "sales")) == 100


def test_a_patch_with_nothing_to_update_is_refused(client: Any) -> None:
    # terraform-provider-databricks #5442: "UpdateShare no fields to update."
    client.shares.create("sales")
    with pytest.raises(InvalidParameterValue, match="no fields to update"):
        client.shares.update("sales", updates=[])


def test_shared_as_takes_letters_digits_and_underscores_and_only_for_tables(client: Any) -> None:
    # The SDK's SharedDataObject docs: shared_as for table-like objects, schema.name of
    # alphanumerics and underscores; string_shared_as for the others and never for tables.
    client.shares.create("sales")

    def add(name: str, **fields: Any) -> None:
        # Raw bodies: SDKs before 0.57 have no VOLUME or MODEL object type to build them with.
        update = {"action": "ADD", "data_object": {"name": name, **fields}}
        client.api_client.do("PATCH", "/api/2.1/unity-catalog/shares/sales", body={"updates": [update]})

    refused = [
        {"name": "main.s.a", "shared_as": "an-alias.with-hyphens"},
        {"name": "main.s.b", "shared_as": "catalog.s.b"},
        {"name": "main.s.vol", "data_object_type": "VOLUME", "shared_as": "s.vol"},
        {"name": "main.s.c", "string_shared_as": "s.c"},
    ]
    for fields in refused:
        with pytest.raises(InvalidParameterValue):
            add(**fields)
    add("main.s.churn", data_object_type="MODEL", string_shared_as="models.churn")
    assert _objects(client, "sales")["main.s.churn"].string_shared_as == "models.churn"


def test_cdf_together_with_history_sharing_is_refused(client: Any) -> None:
    # terraform-provider-databricks docs (databricks_share, object block): "cdf_enabled ... When
    # this field is set, field history_data_sharing_status can not be set."
    client.shares.create("sales")
    both = _change(
        ADD,
        "main.s.a",
        cdf_enabled=True,
        history_data_sharing_status=SharedDataObjectHistoryDataSharingStatus.ENABLED,
    )
    with pytest.raises(InvalidParameterValue, match="cdf_enabled and history_data_sharing_status"):
        client.shares.update("sales", updates=[both])


def test_partitions_take_equal_or_like_and_value_or_a_recipient_property_not_both(client: Any) -> None:
    # The SDK's PartitionValueOp (EQUAL, LIKE) and PartitionValue docs ("When this field is set,
    # field recipient_property_key can not be set").
    client.shares.create("sales")
    good = Partition(values=[PartitionValue(name="region", op=PartitionValueOp.EQUAL, value="emea")])
    client.shares.update("sales", updates=[_change(ADD, "main.s.a", partitions=[good])])
    both = Partition(
        values=[
            PartitionValue(
                name="region", op=PartitionValueOp.LIKE, value="e%", recipient_property_key="country"
            )
        ]
    )
    with pytest.raises(InvalidParameterValue, match="only one may be set"):
        client.shares.update("sales", updates=[_change(ADD, "main.s.b", partitions=[both])])
    raw = {"action": "ADD", "data_object": {"name": "main.s.c", "partitions": [{"values": [
        {"name": "region", "op": "GREATER_THAN", "value": "a"}
    ]}]}}  # fmt: skip
    with pytest.raises(InvalidParameterValue, match="only EQUAL and LIKE"):
        client.api_client.do("PATCH", "/api/2.1/unity-catalog/shares/sales", body={"updates": [raw]})


def test_a_notebook_file_needs_its_content(client: Any) -> None:
    # The SDK's SharedDataObject docs: content is "Required for adding a NOTEBOOK_FILE".
    client.shares.create("sales")
    with pytest.raises(InvalidParameterValue, match="content is required"):
        client.shares.update("sales", updates=[_change(ADD, "etl.py", data_object_type=Type.NOTEBOOK_FILE)])
    content = base64.b64encode(b"print(1)").decode()
    notebook = _change(ADD, "etl.py", data_object_type=Type.NOTEBOOK_FILE, content=content)
    client.shares.update("sales", updates=[notebook])
    assert "etl.py" in _objects(client, "sales")


# -- recipients ----------------------------------------------------------------------------------
def test_a_recipient_ip_list_takes_ips_and_cidr_ranges_at_most_100(client: Any) -> None:
    # The SDK's IpAccessList docs: "Allowed IP Addresses in CIDR notation. Limit of 100."
    ok = IpAccessList(allowed_ip_addresses=["203.0.113.7", "198.51.100.0/24", "2001:db8::/32"])
    client.recipients.create("partner", AuthenticationType.TOKEN, ip_access_list=ok)
    with pytest.raises(InvalidParameterValue, match="not-an-ip"):
        client.recipients.update("partner", ip_access_list=IpAccessList(allowed_ip_addresses=["not-an-ip"]))
    many = IpAccessList(allowed_ip_addresses=[f"10.0.{i // 256}.{i % 256}" for i in range(101)])
    with pytest.raises(InvalidParameterValue, match="the limit is 100"):
        client.recipients.create("other", AuthenticationType.TOKEN, ip_access_list=many)
    assert client.recipients.get("partner").ip_access_list == ok


# -- catalogs ------------------------------------------------------------------------------------
def test_deleting_a_catalog_that_holds_schemas_needs_force(client: Any) -> None:
    # The SDK's catalogs.delete docs: force, "Force deletion even if the catalog is not empty."
    client.catalogs.create("sales")
    client.schemas.create("orders", "sales")
    with pytest.raises(BadRequest) as refused:
        client.catalogs.delete("sales")
    assert refused.value.error_code == "CATALOG_NOT_EMPTY"
    assert client.schemas.get("sales.orders").name == "orders"
    client.catalogs.delete("sales", force=True)
    with pytest.raises(NotFound):
        client.schemas.get("sales.orders")
    client.catalogs.create("empty")
    client.catalogs.delete("empty")


# -- workspace -----------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_source_import_without_a_language_is_refused(client: Any) -> None:
    # The SDK's workspace.import_ docs: "To import a single file as SOURCE, you must set the
    # language field."
    with pytest.raises(InvalidParameterValue, match="language is required"):
        client.workspace.import_("/Shared/etl", content=_b64(b"print(1)"), format=ImportFormat.SOURCE)
    client.workspace.import_(
        "/Shared/etl", content=_b64(b"print(1)"), format=ImportFormat.SOURCE, language=Language.PYTHON
    )
    assert client.workspace.get_status("/Shared/etl").object_type == ObjectType.NOTEBOOK


def test_a_folder_exports_as_an_archive_of_its_notebooks(client: Any) -> None:
    # databricks/cli libs/filer/workspace_files_client.go: export "returns the directory as a DBC
    # archive even if format SOURCE is specified"; the SDK's docs: AUTO keeps workspace files.
    client.workspace.mkdirs("/Shared/project")
    client.workspace.import_(
        "/Shared/project/etl", content=_b64(b"print(1)"), format=ImportFormat.SOURCE, language=Language.PYTHON
    )
    client.workspace.import_("/Shared/project/conf.json", content=_b64(b"{}"), format=ImportFormat.RAW)
    source = client.workspace.export("/Shared/project", format=ExportFormat.SOURCE)
    assert zipfile.ZipFile(io.BytesIO(base64.b64decode(source.content or ""))).namelist() == ["etl.py"]
    auto = client.workspace.export("/Shared/project", format=ExportFormat.AUTO)
    names = zipfile.ZipFile(io.BytesIO(base64.b64decode(auto.content or ""))).namelist()
    assert sorted(names) == ["conf.json", "etl.py"]
    with pytest.raises(InvalidParameterValue):
        client.workspace.export("/Shared/project", format=ExportFormat.HTML)


def test_import_file_over_a_notebook_is_the_400_without_an_error_code(client: Any) -> None:
    # databricks/cli libs/filer/workspace_files_client.go: over a notebook the API "returns 400 if
    # the file already exists", "the JSON error_code is empty".
    client.workspace.import_(
        "/Shared/etl", content=_b64(b"print(1)"), format=ImportFormat.SOURCE, language=Language.PYTHON
    )
    with pytest.raises(BadRequest) as refused:
        client.api_client.do("POST", "/api/2.0/workspace-files/import-file/Shared/etl", data=b"plain bytes")
    assert not refused.value.error_code
    assert "Path (/Shared/etl) already exists." in str(refused.value)


def test_a_jupyter_file_is_imported_as_a_notebook_without_its_extension(client: Any) -> None:
    # The Databricks CLI's sync reads `.ipynb` files back as Jupyter notebooks
    # (databricks/cli libs/filer/workspace_files_extensions_client.go).
    notebook = {"cells": [], "metadata": {"language_info": {"name": "python"}}, "nbformat": 4}
    client.workspace.import_(
        "/Shared/explore.ipynb", content=_b64(json.dumps(notebook).encode()), format=ImportFormat.AUTO
    )
    status = client.workspace.get_status("/Shared/explore")
    assert (status.object_type, status.language) == (ObjectType.NOTEBOOK, Language.PYTHON)
    with pytest.raises(NotFound):
        client.workspace.get_status("/Shared/explore.ipynb")
