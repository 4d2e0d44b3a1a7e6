"""sharepack against the stricter emulator, where Databricks' new refusals reach a user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

PACK = """
pipelines:
  - name_prefix: adhoc_sync
    source_asset: catalog.sales.adhoc
    catalog: analytics
    schema: shared_sales
"""


@pytest.fixture(autouse=True)
def _no_poll_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sharepack.ops.run_wait.POLL_INTERVAL_S", 0)


def test_running_a_pipeline_that_is_already_updating_says_so(
    cli: Any, client: Any, workspace_env: Any, tmp_path: Path
) -> None:
    path = write_pack(tmp_path, PACK, "sales.yaml")
    assert cli("apply", str(path), "--auto-approve").code == 0
    workspace_env.configure(run_duration_s=3600)
    (pipeline,) = client.pipelines.list_pipelines()
    client.pipelines.start_update(pipeline.pipeline_id)

    result = cli("run", str(path), "adhoc_sync")

    assert result.code != 0
    assert "active update" in result.output
    assert "Traceback" not in result.output
