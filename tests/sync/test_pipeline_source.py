"""`pipeline_source`: a team's own generic sync notebook instead of the generated code, told what
to sync by the `pipelines.*` configuration; pipelines made that way by hand are adopted by export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import write_pack

PACK = """\
metadata: {name: leasing}
pipelines:
  - name_prefix: leases_sync
    source_asset: main.leasing.leases
    target_asset: leases
    key_columns: lease_id, version
    pipeline_source: /Workspace/Shared/cdc/generic_cdc
    schedule: {every: 1h}
  - name_prefix: units_sync
    source_asset: main.leasing.units
    pipeline_source: /Workspace/Shared/cdc/copy.py
"""


def _spec(client: Any, name: str) -> Any:
    pipeline_id = next(p.pipeline_id for p in client.pipelines.list_pipelines() if p.name == name)
    return client.pipelines.get(pipeline_id).spec


def _actions(cli: Any, pack: Path) -> dict[str, str]:
    result = cli("plan", str(pack), "--output", "json")
    assert result.code == 0, result.output
    return {c["name"]: c["action"] for c in json.loads(result.stdout)["changes"]}


def test_the_teams_notebook_runs_with_the_sync_keys_and_nothing_is_generated(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    leases = _spec(client, "leases_sync")
    assert [lib.notebook.path for lib in leases.libraries] == ["/Workspace/Shared/cdc/generic_cdc"]
    assert {k: v for k, v in leases.configuration.items() if k.startswith("pipelines.")} == {
        "pipelines.source_table": "main.leasing.leases",
        "pipelines.target_table": "leases",
        "pipelines.keys": "lease_id,version",
        "pipelines.scd_type": "2",
    }
    units = _spec(client, "units_sync")
    assert [lib.file.path for lib in units.libraries] == ["/Workspace/Shared/cdc/copy.py"]
    # No keys named: the notebook is told to copy, as the generated code would.
    assert units.configuration["pipelines.scd_type"] == "full_refresh"
    assert cli("render", str(pack)).stdout == ""
    assert not any(name.startswith("/Workspace/Shared/.sharepack") for name in _actions(cli, pack))


def test_export_of_a_pipeline_made_the_old_way_adopts_it_without_rewriting_it(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk.service import pipelines

    configuration = {
        "pipelines.source_table": "main.leasing.leases",
        "pipelines.target_table": "leases",
        "pipelines.keys": "lease_id",
        "pipelines.scd_type": "1",
    }
    client.pipelines.create(
        name="old_leases",
        catalog="main",
        schema="leasing_copy",
        serverless=True,
        configuration=configuration,
        libraries=[
            pipelines.PipelineLibrary(notebook=pipelines.NotebookLibrary(path="/Workspace/cdc/generic"))
        ],
    )
    out = tmp_path / "adopt.yaml"
    assert cli("export", "--out", str(out)).code == 0
    (entry,) = yaml.safe_load(out.read_text())["pipelines"]
    assert entry["pipeline_source"] == "/Workspace/cdc/generic"
    assert (entry["source_asset"], entry["target_asset"], entry["scd_type"], entry["key_columns"]) == (
        "main.leasing.leases",
        "leases",
        "1",
        ["lease_id"],
    )
    assert "libraries" not in entry and "configuration" not in entry
    plan = json.loads(cli("plan", str(out), "--output", "json").stdout)
    (change,) = plan["changes"]  # no generated file: the team's notebook stays its code
    assert change["action"] == "adopt"
    # Adopting adds our marks only: its code and its sync configuration are left as they are.
    assert {d["path"].split(".")[0] for d in change["diff"]} <= {"tags", "configuration"}
    assert not [d for d in change["diff"] if d["path"].startswith(("libraries", "configuration.pipelines"))]
    assert cli("apply", str(out), "--auto-approve").code == 0
    assert set(_actions(cli, out).values()) == {"no-op"}
    assert _spec(client, "old_leases").configuration["pipelines.keys"] == "lease_id"


def test_a_pack_made_pipeline_with_generated_code_round_trips_through_export(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK.replace("    pipeline_source: /Workspace/Shared/cdc/generic_cdc\n", ""))
    assert cli("apply", str(pack), "--auto-approve").code == 0
    out = tmp_path / "exported.yaml"
    assert cli("export", "--out", str(out)).code == 0
    text = out.read_text()
    assert ".sharepack" not in text and "code_digest" not in text  # generated again from the pack
    assert set(_actions(cli, out).values()) == {"no-op"}


def test_a_pipeline_source_that_is_no_path_or_comes_with_other_code_is_refused(
    cli: Any, tmp_path: Path
) -> None:
    bad = PACK.replace("/Workspace/Shared/cdc/copy.py", "copy.py").replace(
        "    schedule: {every: 1h}\n", "    notebook: /Workspace/x\n    schedule: {every: 1h}\n"
    )
    result = cli("validate", str(write_pack(tmp_path, bad)))
    assert result.code == 1
    assert (
        "pack.yaml:7:22: pipelines[0].pipeline_source" in result.stderr
        and "give it or `notebook`/`libraries`" in result.stderr
    )
    assert "'copy.py' is not a workspace path" in result.stderr
