"""The seed example, applied the way a new user does, against a workspace answering 20% of
requests with 500 or 503: the apply retries through them and finishes, with no traceback, and
the next plan finds nothing to do."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("seed", range(3))
def test_the_seed_example_converges_on_a_workspace_failing_a_fifth_of_requests(
    seed: int, cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    from sharepack.ops.seed_tables import seed_tables

    # The tables it syncs exist first, as `sharepack emulator --seed-tables` makes them.
    seed_tables(workspace_env.url, TOKEN, ROOT / "sharepacks" / "tables" / "seed_example.yaml")
    pack = Path(shutil.copy(ROOT / "sharepacks" / "seed_example.yaml", tmp_path / "seed_example.yaml"))
    workspace_env.configure(fault_rate=0.2, seed=seed)
    applied = cli("apply", str(pack), "--auto-approve")
    assert applied.code == 0, applied.output
    assert "Traceback" not in applied.output
    planned = cli("plan", str(pack), "--detailed-exitcode")
    assert planned.code == 0, planned.output
    log = workspace_env.request_log()
    assert any(r.status == 500 for r in log) and any(r.status == 503 for r in log), "faults were injected"
