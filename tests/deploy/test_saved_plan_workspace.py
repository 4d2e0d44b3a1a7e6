"""A saved plan is applied only to the workspace it was planned for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TOKEN
from tests.helpers import write_pack
from tests.reliability.census import pack_yaml


def test_a_plan_saved_for_one_workspace_is_refused_by_another(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    from databricks.sdk import WorkspaceClient

    from sharepack.emulator import Emulator, EmulatorConfig

    pack = write_pack(tmp_path, pack_yaml(2))
    saved = tmp_path / "plan.json"
    assert cli("plan", str(pack), "--out", str(saved)).code == 0
    with Emulator(EmulatorConfig(token=TOKEN)) as other:
        result = cli("apply", str(saved), "--host", other.url, "--auto-approve")
        assert result.code == 1
        assert f"planned for {workspace_env.url}, not {other.url}" in result.stderr
        assert "Traceback" not in result.output
        elsewhere = WorkspaceClient(host=other.url, token=TOKEN, auth_type="pat")
        assert list(elsewhere.pipelines.list_pipelines()) == [] and list(elsewhere.jobs.list()) == []
    assert cli("apply", str(saved), "--auto-approve").code == 0  # where it was made for, it still applies
    assert len(list(client.pipelines.list_pipelines())) == 2


def test_a_plan_saved_for_one_workspace_id_is_refused_by_another_behind_the_same_url(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # Where the workspace ID is known (host metadata, a profile, DATABRICKS_WORKSPACE_ID), it is
    # compared too: one URL can front more than one workspace.
    from databricks.sdk.config import Config

    if not hasattr(Config, "workspace_id"):
        pytest.skip("this databricks-sdk does not know workspace IDs (DATABRICKS_WORKSPACE_ID came later)")
    pack = write_pack(tmp_path, pack_yaml(2))
    saved = tmp_path / "plan.json"
    monkeypatch.setenv("DATABRICKS_WORKSPACE_ID", "1111")
    assert cli("plan", str(pack), "--out", str(saved)).code == 0
    monkeypatch.setenv("DATABRICKS_WORKSPACE_ID", "2222")
    result = cli("apply", str(saved), "--auto-approve")
    assert result.code == 1
    assert "planned for workspace 1111, not workspace 2222" in result.stderr
    assert list(client.pipelines.list_pipelines()) == []
    monkeypatch.setenv("DATABRICKS_WORKSPACE_ID", "1111")
    assert cli("apply", str(saved), "--auto-approve").code == 0
