"""What Databricks refuses, the emulator refuses: 400 INVALID_PARAMETER_VALUE through the real SDK.

Each case is sent as raw JSON (client.api_client.do) so the SDK's dataclasses cannot drop the
offending field; the exception class is the one the SDK raises against a real workspace.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from databricks.sdk.errors import DatabricksError, InvalidParameterValue
from databricks.sdk.service import jobs

NB = {"notebook_path": "/Shared/n"}


def _task(key: str, **extra: Any) -> dict[str, Any]:
    return {"task_key": key, "notebook_task": NB, **extra}


def _refused(client: Any, settings: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterValue, match=match) as caught:
        client.api_client.do("POST", "/api/2.2/jobs/create", body={"name": "bad", **settings})
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    assert list(client.jobs.list()) == []  # nothing half-created


JOB_REFUSALS = {
    "duplicate-task-key": ({"tasks": [_task("a"), _task("a")]}, "Task key 'a' is not unique"),
    "dependency-cycle": (
        {
            "tasks": [
                _task("a", depends_on=[{"task_key": "c"}]),
                _task("b", depends_on=[{"task_key": "a"}]),
                _task("c", depends_on=[{"task_key": "b"}]),
            ]
        },
        "dependency cycle: a -> c -> b -> a",
    ),
    "self-dependency": ({"tasks": [_task("a", depends_on=[{"task_key": "a"}])]}, "dependency cycle: a -> a"),
    "missing-dependency": (
        {"tasks": [_task("a", depends_on=[{"task_key": "nope"}])]},
        "depends on unknown task nope",
    ),
    "no-task-type": (
        {"tasks": [{"task_key": "a", "description": "does nothing"}]},
        "Task a must specify one of",
    ),
    "legacy-top-level-notebook-task": ({"notebook_task": NB}, "top-level field 'notebook_task'"),
    "26-tags": ({"tags": {f"k{i}": "v" for i in range(26)}}, "at most 25 tags"),
    "tag-key-too-long": ({"tags": {"k" * 128: "v"}}, "between 1 and 127 characters"),
    "tag-value-too-long": ({"tags": {"k": "v" * 256}}, "at most 255 characters"),
    "unknown-pipeline": (
        {"tasks": [{"task_key": "a", "pipeline_task": {"pipeline_id": "0000-no-such-pipeline"}}]},
        "Pipeline 0000-no-such-pipeline does not exist",
    ),
    "1001-tasks": ({"tasks": [_task(f"t{i}") for i in range(1001)]}, "at most 1000 tasks"),
    "max-concurrent-runs-1001": ({"max_concurrent_runs": 1001}, "between 0 and 1000"),
    "max-concurrent-runs-negative": ({"max_concurrent_runs": -1}, "between 0 and 1000"),
}


@pytest.mark.parametrize(("settings", "match"), JOB_REFUSALS.values(), ids=JOB_REFUSALS.keys())
def test_jobs_create_refuses(client: Any, settings: dict[str, Any], match: str) -> None:
    _refused(client, settings, match)


@pytest.mark.parametrize(
    "settings",
    [v[0] for k, v in JOB_REFUSALS.items() if k != "1001-tasks"],
    ids=[k for k in JOB_REFUSALS if k != "1001-tasks"],
)
def test_jobs_reset_and_update_refuse_the_same(client: Any, settings: dict[str, Any]) -> None:
    job_id = client.jobs.create(name="fine", tasks=[jobs.Task.from_dict(_task("x"))]).job_id
    with pytest.raises(InvalidParameterValue):
        client.api_client.do("POST", "/api/2.2/jobs/reset", body={"job_id": job_id, "new_settings": settings})
    with pytest.raises(InvalidParameterValue):
        client.api_client.do(
            "POST", "/api/2.2/jobs/update", body={"job_id": job_id, "new_settings": settings}
        )
    assert [t.task_key for t in client.jobs.get(job_id).settings.tasks] == ["x"]  # unchanged


def test_limits_themselves_are_accepted(client: Any) -> None:
    pipeline_id = client.pipelines.create(name="p").pipeline_id
    settings = {
        "name": "at-the-limits",
        "tags": {f"k{i}" + "k" * 120: "v" * 255 for i in range(25)},
        "max_concurrent_runs": 1000,
        "tasks": [_task(f"t{i}") for i in range(99)]
        + [{"task_key": "p", "pipeline_task": {"pipeline_id": pipeline_id}}],
    }
    job_id = client.api_client.do("POST", "/api/2.2/jobs/create", body=settings)["job_id"]
    client.api_client.do(
        "POST", "/api/2.2/jobs/update", body={"job_id": job_id, "new_settings": {"max_concurrent_runs": 0}}
    )
    assert client.jobs.get(job_id).settings.max_concurrent_runs == 0


PIPELINE_REFUSALS = {
    "schema-and-target": (
        {"catalog": "main", "schema": "a", "target": "b"},
        "Only one of 'schema' and 'target'",
    ),
    "dotted-target": (
        {"catalog": "main", "target": "main.sales"},
        'target_schema_name "main.sales" is not a valid name',
    ),
    "dotted-schema": ({"catalog": "main", "schema": "main.sales"}, "is not a valid name"),
    "unknown-edition": ({"edition": "ENTERPRISE"}, "Invalid edition 'ENTERPRISE'"),
    "unknown-channel": ({"channel": "BETA"}, "Invalid channel 'BETA'"),
}


@pytest.mark.parametrize(("spec", "match"), PIPELINE_REFUSALS.values(), ids=PIPELINE_REFUSALS.keys())
def test_pipelines_create_and_edit_refuse(client: Any, spec: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterValue, match=match):
        client.api_client.do("POST", "/api/2.0/pipelines", body={"name": "bad", **spec})
    assert list(client.pipelines.list_pipelines()) == []
    pipeline_id = client.pipelines.create(name="fine").pipeline_id
    with pytest.raises(InvalidParameterValue, match=match):
        client.api_client.do("PUT", f"/api/2.0/pipelines/{pipeline_id}", body={"name": "fine", **spec})
    assert client.pipelines.get(pipeline_id).spec.edition is None


def test_pipeline_edition_and_channel_are_case_insensitive(client: Any) -> None:
    created = client.api_client.do(
        "POST", "/api/2.0/pipelines", body={"name": "p", "edition": "advanced", "channel": "preview"}
    )
    assert created["pipeline_id"]


def test_workspace_delete_of_a_non_empty_folder_needs_recursive(client: Any) -> None:
    client.workspace.mkdirs("/Shared/full/sub")
    with pytest.raises(DatabricksError) as caught:
        client.workspace.delete("/Shared/full")
    assert (caught.value.error_code, caught.value.__class__.__name__) == ("DIRECTORY_NOT_EMPTY", "BadRequest")
    assert "not empty" in str(caught.value)
    assert client.workspace.get_status("/Shared/full/sub").object_type.value == "DIRECTORY"
    client.workspace.delete("/Shared/full/sub")  # an empty folder goes without recursive
    client.workspace.delete("/Shared/full", recursive=True)
    assert [o.path for o in client.workspace.list("/Shared")] == []


def test_workspace_import_content_must_be_base64(client: Any) -> None:
    client.workspace.mkdirs("/Shared/x")
    with pytest.raises(InvalidParameterValue, match="base64"):
        client.workspace.import_("/Shared/x/f.json", content="{not base64!}", format=jobs_format())
    client.workspace.import_(
        "/Shared/x/f.json", content=base64.b64encode(b"{}").decode(), format=jobs_format()
    )
    assert client.workspace.export("/Shared/x/f.json").content == base64.b64encode(b"{}").decode()


def jobs_format() -> Any:
    from databricks.sdk.service.workspace import ImportFormat

    return ImportFormat.AUTO


def test_a_pipeline_into_a_catalog_the_metastore_lacks_is_refused_once_it_knows_catalogs(client: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue

    # No catalog known yet: nothing to check against (the emulator was never told of any).
    first = client.pipelines.create(name="before", catalog="anything", schema="s", serverless=True)
    assert first.pipeline_id
    client.catalogs.create("analytics")
    with pytest.raises(InvalidParameterValue, match="Catalog 'analytcs' does not exist"):
        client.pipelines.create(name="typo", catalog="analytcs", schema="s", serverless=True)
    made = client.pipelines.create(name="ok", catalog="Analytics", schema="s", serverless=True)
    with pytest.raises(InvalidParameterValue, match="does not exist"):
        client.pipelines.update(made.pipeline_id, name="ok", catalog="nowhere", schema="s", serverless=True)


def test_a_workspace_path_too_deep_or_too_long_is_refused_at_once(client: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="levels; the limit is"):
        client.workspace.mkdirs("/Shared" + "/a" * 1_500)
    with pytest.raises(InvalidParameterValue, match="characters long"):
        client.workspace.mkdirs("/Shared" + "/a" * 30_000)
    with pytest.raises(InvalidParameterValue, match="characters long; the limit is"):
        client.workspace.mkdirs("/Shared/" + "x" * 5000)
    assert [o.path for o in client.workspace.list("/Shared")] == []
