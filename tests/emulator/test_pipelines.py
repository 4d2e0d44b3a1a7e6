"""Pipelines API 2.0 through the real databricks-sdk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from databricks.sdk.errors import NotFound, ResourceAlreadyExists, ResourceConflict, ResourceDoesNotExist
from databricks.sdk.service.pipelines import NotebookLibrary, PipelineLibrary

LIBS = [PipelineLibrary(notebook=NotebookLibrary(path="/Shared/etl"))]


def test_create_get_update_delete_round_trip(client: Any) -> None:
    created = client.pipelines.create(
        name="orders", catalog="main", target="sales", libraries=LIBS, configuration={"k": "v"}
    )
    got = client.pipelines.get(created.pipeline_id)
    assert got.name == "orders"
    assert got.spec.catalog == "main" and got.spec.target == "sales"
    assert got.spec.libraries[0].notebook.path == "/Shared/etl"
    assert got.spec.configuration == {"k": "v"}
    assert got.creator_user_name

    client.pipelines.update(created.pipeline_id, name="orders-v2", catalog="main", target="gold")
    got = client.pipelines.get(created.pipeline_id)
    assert (got.name, got.spec.target) == ("orders-v2", "gold")

    client.pipelines.delete(created.pipeline_id)
    with pytest.raises(NotFound):
        client.pipelines.get(created.pipeline_id)


def test_unknown_pipeline_is_resource_does_not_exist(client: Any) -> None:
    calls: list[Callable[[], object]] = [
        lambda: client.pipelines.get("00000000-0000-0000-0000-000000000000"),
        lambda: client.pipelines.delete("00000000-0000-0000-0000-000000000000"),
        lambda: client.pipelines.update("00000000-0000-0000-0000-000000000000", name="x"),
    ]
    for call in calls:
        with pytest.raises(ResourceDoesNotExist):
            call()


def test_duplicate_name_refused_unless_allowed(client: Any) -> None:
    client.pipelines.create(name="dup", libraries=LIBS)
    with pytest.raises((ResourceConflict, ResourceAlreadyExists)) as caught:
        client.pipelines.create(name="dup", libraries=LIBS)
    assert "dup" in str(caught.value)
    client.pipelines.create(name="dup", libraries=LIBS, allow_duplicate_names=True)
    assert len(list(client.pipelines.list_pipelines(filter="name LIKE 'dup'"))) == 2


def test_renaming_onto_a_taken_name_is_refused(client: Any) -> None:
    client.pipelines.create(name="taken", libraries=LIBS)
    other = client.pipelines.create(name="free", libraries=LIBS)
    with pytest.raises(ResourceConflict):
        client.pipelines.update(other.pipeline_id, name="taken", libraries=LIBS)


def test_list_filters_by_name_like_and_pages(client: Any, emulator: Any) -> None:
    ids = {client.pipelines.create(name=f"sp_orders_{i:02d}", libraries=LIBS).pipeline_id for i in range(7)}
    client.pipelines.create(name="unrelated", libraries=LIBS)
    emulator.reset_log()

    listed = list(client.pipelines.list_pipelines(filter="name LIKE 'sp\\_orders%'", max_results=3))

    assert {p.pipeline_id for p in listed} == ids
    pages = [r for r in emulator.request_log() if r.endpoint == "pipelines/list"]
    assert len(pages) == 3  # 3 + 3 + 1: the SDK followed next_page_token until it was absent
    assert len(list(client.pipelines.list_pipelines(filter="name LIKE 'SP_ORDERS_0_'"))) == 7
    assert list(client.pipelines.list_pipelines(filter="name LIKE 'nothing%'")) == []


def test_a_filter_the_service_does_not_understand_is_invalid(client: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue

    with pytest.raises(InvalidParameterValue):
        list(client.pipelines.list_pipelines(filter="name = 'x'"))


def test_start_update_is_listed(client: Any) -> None:
    pipeline = client.pipelines.create(name="with-updates", libraries=LIBS)
    first = client.pipelines.start_update(pipeline.pipeline_id)
    second = client.pipelines.start_update(pipeline.pipeline_id, full_refresh=True)

    updates = client.pipelines.list_updates(pipeline.pipeline_id).updates
    assert {u.update_id for u in updates} == {first.update_id, second.update_id}
    assert {u.update_id for u in updates if u.full_refresh} == {second.update_id}
    latest = client.pipelines.get(pipeline.pipeline_id).latest_updates
    assert {u.update_id for u in latest} == {first.update_id, second.update_id}


def test_missing_name_is_invalid(client: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue

    with pytest.raises(InvalidParameterValue):
        client.pipelines.create(libraries=LIBS)
