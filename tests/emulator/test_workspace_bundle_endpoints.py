"""The Workspace calls a Databricks CLI bundle deploy makes, through the Python SDK: raw
import-file (its refusals make the deploy lock exclusive), direct-download export, the
workspace-files read of deployment state, get-status with and without `/Workspace`, SCIM Me and
telemetry. Shapes follow requests the Databricks CLI recorded against real workspaces."""

from __future__ import annotations

import base64
import socket
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import (
    BadRequest,
    DatabricksError,
    NotFound,
    ResourceAlreadyExists,
    ResourceConflict,
)

from sharepack.emulator import Emulator, EmulatorConfig
from sharepack.emulator.store import Store
from tests.conftest import TOKEN
from tests.emulator.helpers import http

ME = "local@sharepack.dev"
STATE = f"/Workspace/Users/{ME}/.bundle/demo/dev/state"


def _import_file(client: Any, path: str, data: bytes, *, overwrite: bool) -> Any:
    """As the Databricks CLI's filer writes: the path without its leading slash, percent-encoded
    whole (slashes too), the bytes as the body."""
    return client.api_client.do(
        "POST",
        "/api/2.0/workspace-files/import-file/" + quote(path.lstrip("/"), safe=""),
        query={"overwrite": "true" if overwrite else "false"},
        data=data,
    )


def _read_state(client: Any, path: str) -> bytes:
    """As the Databricks CLI reads its deployment state: GET workspace-files/{path}."""
    answer = client.api_client.do(
        "GET", "/api/2.0/workspace-files/" + quote(path.lstrip("/"), safe=""), raw=True
    )
    return bytes(answer["contents"].read())


def test_a_new_workspace_has_the_users_home_and_shared_folders(client: Any) -> None:
    assert client.current_user.me().user_name == ME
    for path in ("/", "/Users", "/Shared", f"/Users/{ME}", f"/Workspace/Users/{ME}"):
        assert client.workspace.get_status(path).object_type.value == "DIRECTORY", path
    # So a first upload into /Shared needs no mkdirs, as on a real workspace.
    _import_file(client, "/Shared/notes.txt", b"hello", overwrite=False)
    assert client.workspace.get_status("/Shared/notes.txt").size == 5


def test_import_file_takes_raw_bytes_that_are_not_json(client: Any) -> None:
    client.workspace.mkdirs(STATE)
    data = b"\x00\xff not json {"
    _import_file(client, f"{STATE}/blob.bin", data, overwrite=False)
    assert client.workspace.download(f"{STATE}/blob.bin").read() == data
    assert _read_state(client, f"{STATE}/blob.bin") == data


def test_import_file_without_overwrite_refuses_an_existing_file_with_409(client: Any) -> None:
    """The refusal that makes the Databricks CLI's deploy lock exclusive: of two deploys writing
    deploy.lock with overwrite=false, the second is told 409 and keeps the first one's lock."""
    client.workspace.mkdirs(STATE)
    _import_file(client, f"{STATE}/deploy.lock", b'{"ID": "first"}', overwrite=False)
    with pytest.raises(ResourceConflict) as refused:
        _import_file(client, f"{STATE}/deploy.lock", b'{"ID": "second"}', overwrite=False)
    assert refused.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert _read_state(client, f"{STATE}/deploy.lock") == b'{"ID": "first"}'
    _import_file(client, f"{STATE}/deploy.lock", b'{"ID": "forced"}', overwrite=True)
    assert _read_state(client, f"{STATE}/deploy.lock") == b'{"ID": "forced"}'


def test_import_file_into_a_missing_folder_is_404_and_creates_nothing(client: Any) -> None:
    """The Databricks CLI reads the 404 as "make the parent folder, then write again"."""
    with pytest.raises(NotFound):
        _import_file(client, f"{STATE}/deployment.json", b"{}", overwrite=True)
    with pytest.raises(NotFound):
        client.workspace.get_status(STATE)
    client.workspace.mkdirs(STATE)
    _import_file(client, f"{STATE}/deployment.json", b"{}", overwrite=True)
    assert client.workspace.get_status(f"{STATE}/deployment.json").object_type.value == "FILE"


def test_workspace_prefix_and_doubled_slashes_name_the_same_object(client: Any) -> None:
    client.workspace.mkdirs(f"{STATE}/")
    _import_file(client, f"{STATE}/resources.json", b"[]", overwrite=False)
    plain = STATE.removeprefix("/Workspace")
    for spelling in (f"{STATE}/resources.json", f"{plain}/resources.json", f"/{STATE}//resources.json"):
        status = client.workspace.get_status(spelling)
        # A workspace answers with its own spelling, without /Workspace.
        assert status.path == f"{plain}/resources.json", spelling
    assert [o.path for o in client.workspace.list(STATE)] == [f"{plain}/resources.json"]


def test_get_status_carries_what_the_workspace_reports(client: Any) -> None:
    client.workspace.mkdirs(STATE)
    _import_file(client, f"{STATE}/metadata.json", b'{"version": 1}', overwrite=False)
    answer = client.api_client.do(
        "GET",
        "/api/2.0/workspace/get-status",
        query={"path": f"{STATE}/metadata.json", "return_export_info": "true"},
    )
    assert answer["object_type"] == "FILE" and answer["size"] == len(b'{"version": 1}')
    assert answer["resource_id"] == str(answer["object_id"])
    assert answer["created_at"] <= answer["modified_at"]
    with pytest.raises(NotFound, match=r"Path \(.*/missing.json\) doesn't exist"):
        client.workspace.get_status(f"{STATE}/missing.json")


def test_download_is_the_files_bytes_and_a_missing_file_is_404(client: Any, emulator: Any) -> None:
    client.workspace.mkdirs("/Shared/d")
    _import_file(client, "/Shared/d/a.txt", b"line 1\nline 2\n", overwrite=False)
    assert client.workspace.download("/Shared/d/a.txt").read() == b"line 1\nline 2\n"
    # The bytes themselves, not base64 in JSON.
    request = urllib.request.Request(
        f"{emulator.url}/api/2.0/workspace/export?path=/Shared/d/a.txt&direct_download=true",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "application/octet-stream"
        assert answer.read() == b"line 1\nline 2\n"
    with pytest.raises(NotFound):
        client.workspace.download("/Shared/d/missing.txt")


def test_upload_through_the_sdk_form_and_its_overwrite(client: Any) -> None:
    from databricks.sdk.service.workspace import ImportFormat

    client.workspace.mkdirs("/Shared/u")
    client.workspace.upload("/Shared/u/data.csv", b"a,b\n1,2\n", format=ImportFormat.AUTO)
    assert client.workspace.download("/Shared/u/data.csv").read() == b"a,b\n1,2\n"
    with pytest.raises(ResourceAlreadyExists):
        client.workspace.upload("/Shared/u/data.csv", b"x", format=ImportFormat.AUTO)
    client.workspace.upload("/Shared/u/data.csv", b"x", format=ImportFormat.AUTO, overwrite=True)
    assert client.workspace.download("/Shared/u/data.csv").read() == b"x"


def test_a_marked_source_file_imports_as_a_notebook_without_its_extension(client: Any) -> None:
    client.workspace.mkdirs("/Shared/nb")
    source = b"# Databricks notebook source\nprint(1)\n"
    _import_file(client, "/Shared/nb/etl.py", source, overwrite=False)
    _import_file(client, "/Shared/nb/plain.py", b"print(2)\n", overwrite=False)
    kinds = {o.path: o.object_type.value for o in client.workspace.list("/Shared/nb")}
    assert kinds == {"/Shared/nb/etl": "NOTEBOOK", "/Shared/nb/plain.py": "FILE"}
    assert client.workspace.get_status("/Shared/nb/etl").language.value == "PYTHON"
    # A notebook is no workspace file: the state read does not serve it.
    with pytest.raises(NotFound):
        _read_state(client, "/Shared/nb/etl")
    # Written again without overwrite: the notebook's refusal, 400 "Path (...) already exists."
    # with no error_code (databricks/cli libs/filer/workspace_files_client.go).
    with pytest.raises(BadRequest, match=r"Path \(/Shared/nb/etl\) already exists") as refused:
        _import_file(client, "/Shared/nb/etl.py", source, overwrite=False)
    assert not refused.value.error_code


def test_recursive_delete_of_a_bundle_root_spelled_with_workspace(client: Any) -> None:
    client.workspace.mkdirs(STATE)
    _import_file(client, f"{STATE}/deploy.lock", b"{}", overwrite=False)
    root = f"/Workspace/Users/{ME}/.bundle/demo"
    with pytest.raises(DatabricksError) as refused:
        client.workspace.delete(root)
    assert refused.value.error_code == "DIRECTORY_NOT_EMPTY"
    client.workspace.delete(root, recursive=True)
    assert [o.path for o in client.workspace.list(f"/Users/{ME}/.bundle")] == []
    with pytest.raises(NotFound):
        client.workspace.get_status(f"{STATE}/deploy.lock")


def test_scim_me_has_the_fields_clients_read(client: Any) -> None:
    me = client.current_user.me()
    assert me.user_name == ME and me.active
    assert [e.value for e in me.emails] == [ME]
    assert [g.display for g in me.groups] == ["users"]


def test_telemetry_is_taken_and_is_no_write(client: Any, emulator: Any) -> None:
    before = emulator.mutating_count()
    answer = client.api_client.do(
        "POST", "/telemetry-ext", body={"uploadTime": 1, "items": [], "protoLogs": ["{}", "{}"]}
    )
    assert answer == {"errors": [], "numProtoSuccess": 2}
    assert emulator.mutating_count() == before


def test_a_raw_body_over_10_mb_is_413_unread(emulator: Any) -> None:
    host, port = emulator.url.removeprefix("http://").rsplit(":", 1)
    request = (
        "POST /api/2.0/workspace-files/import-file/Shared%2Fbig.bin HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Length: {10 * 1024 * 1024 + 1}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        # It answers and hangs up without reading the body: read until it closes.
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    assert answer.startswith(b"HTTP/1.1 413") and b"REQUEST_ENTITY_TOO_LARGE" in answer
    assert http(f"{emulator.url}/api/2.0/workspace/get-status?path=/Shared/big.bin", token=TOKEN)[0] == 404


def test_a_state_file_with_workspace_spelled_paths_is_read_after_an_upgrade(tmp_path: Path) -> None:
    """Emulators before paths were kept canonical stored `/Workspace/...` as sent."""
    state = str(tmp_path / "old.db")
    old = Store(state)
    for path, kind, content in [
        ("/Workspace", "DIRECTORY", ""),
        ("/Workspace/Shared", "DIRECTORY", ""),
        ("/Workspace/Shared/code", "DIRECTORY", ""),
        ("/Workspace/Shared/code/a.py", "FILE", base64.b64encode(b"print(1)").decode()),
    ]:
        old.execute("INSERT INTO files VALUES (?, ?, ?)", (path, kind, content))
    old.close()
    with Emulator(EmulatorConfig(state_path=state, token=TOKEN)) as emu:
        client = WorkspaceClient(host=emu.url, token=TOKEN, auth_type="pat")
        assert client.workspace.download("/Workspace/Shared/code/a.py").read() == b"print(1)"
        assert [o.path for o in client.workspace.list("/Shared/code")] == ["/Shared/code/a.py"]
