"""Several packs in one command: planned together, applied per workspace, one summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import TOKEN
from tests.helpers import write_pack


def pack(name: str, host: str, pipelines: int) -> str:
    body = "\n".join(
        f"  - name_prefix: {name}_{i}\n    source_asset: c.s.t{i}\n    schedule: {{every: 1d}}"
        for i in range(pipelines)
    )
    return f"metadata:\n  name: {name}\n  workspace_url: {host}\npipelines:\n{body}\n"


def names(client: Any) -> set[str]:
    return {p.name for p in client.pipelines.list_pipelines()} | {j.settings.name for j in client.jobs.list()}


def test_packs_for_two_workspaces_each_land_in_their_own(
    cli: Any, emulator: Any, client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from databricks.sdk import WorkspaceClient

    from sharepack.emulator import Emulator, EmulatorConfig

    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0)) as other:
        other_client = WorkspaceClient(host=other.url, token=TOKEN, auth_type="pat")
        sales = write_pack(tmp_path, pack("sales", emulator.url, 3), "sales.yaml")
        hr = write_pack(tmp_path, pack("hr", other.url, 2), "hr.yaml")
        result = cli("apply", str(sales), str(hr), "--auto-approve")
        assert result.code == 0, result.output
        assert names(client) == {"sales_0", "sales_1", "sales_2"} | {f"sales_{i}_schedule" for i in range(3)}
        assert names(other_client) == {"hr_0", "hr_1", "hr_0_schedule", "hr_1_schedule"}
        # One summary for both packs: 5 pipelines and 5 jobs created.
        assert "pipelines     │       5" in result.stdout and "schedule jobs │       5" in result.stdout
        again = cli("plan", str(sales), str(hr))
        assert again.code == 0 and "0 to create, 0 to update" in again.stdout, again.output


def test_a_chosen_profile_wins_over_databricks_variables_in_the_environment(
    cli: Any, emulator: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from sharepack.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(token=TOKEN, run_duration_s=0)) as chosen:
        config = tmp_path / "databrickscfg"
        config.write_text(f"[prod]\nhost = {chosen.url}\ntoken = {TOKEN}\n", encoding="utf-8")
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
        monkeypatch.setenv("DATABRICKS_HOST", emulator.url)  # left over from another workspace
        monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
        text = pack("sales", emulator.url, 1).replace(f"  workspace_url: {emulator.url}\n", "")
        path = write_pack(tmp_path, text)
        result = cli("apply", str(path), "--profile", "prod", "--auto-approve")
        assert result.code == 0, result.output
        assert chosen.url in result.stdout
        assert chosen.mutating_count() > 0 and emulator.mutating_count() == 0
