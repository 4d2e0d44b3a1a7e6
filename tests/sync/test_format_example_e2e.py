"""The share-pack format example, as teams hold it, applied to a local workspace seeded with its
tables: checked (no "not checked" warning), its generated code uploaded and run, and a second
plan with nothing to do."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "sharepacks/deltashare_format.yaml"
SEED = ROOT / "sharepacks/tables/deltashare_format.yaml"
FOLDER = "/Workspace/Shared/.sharepack/deltashare_format/pipelines"


def test_the_format_example_plans_checked_applies_and_runs_its_generated_code(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from databricks.sdk import WorkspaceClient

    from sharepack.emulator import Emulator, EmulatorConfig

    token = EmulatorConfig().token
    monkeypatch.setenv("DATABRICKS_TOKEN", token)
    state = tmp_path / "local.db"
    seeded = cli("emulator", "--state", str(state), "--seed-tables", str(SEED), "--seed-only")
    assert seeded.code == 0 and "seeded 3 table(s)" in seeded.stdout, seeded.output
    with Emulator(EmulatorConfig(state_path=str(state), run_duration_s=0)) as emulator:
        host = ("--host", emulator.url)
        plan = cli("plan", str(PACK), *host)
        assert plan.code == 0 and "not checked" not in plan.output, plan.output
        assert "schema finance_prod.shared_payments: create" in plan.stdout
        applied = cli("apply", str(PACK), *host, "--auto-approve")
        assert applied.code == 0, applied.output
        client = WorkspaceClient(host=emulator.url, token=token, auth_type="pat")
        for name in ("leases_sync", "payments_sync", "properties_refresh"):
            code = base64.b64decode(client.workspace.export(f"{FOLDER}/{name}.py").content or "").decode()
            assert code == cli("render", str(PACK), name).stdout
        again = cli("plan", str(PACK), *host, "--detailed-exitcode")
        assert again.code == 0, again.output
        ran = cli("run", str(PACK), "properties_refresh_schedule", *host, "--wait")
        assert ran.code == 0, ran.output
