"""A one-time schedule after its moment: still refused for new deployments, but what was
deployed can be seen and removed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

PACK = """
metadata:
  name: launch
pipelines:
  - name_prefix: launch_backfill
    source_asset: c.s.launch
    schedule: {at: "2030-01-01T00:00:00", timezone: UTC}
"""


def test_status_and_destroy_work_once_the_moment_has_passed(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    monkeypatch.setattr("sharepack.schedule.once.clock", lambda: datetime(2030, 2, 1, tzinfo=UTC))

    planned = cli("plan", str(pack))
    assert planned.code == 1 and "is in the past" in planned.stderr

    status = cli("status", str(pack), "--output", "json")
    assert status.code == 0, status.output
    destroyed = cli("destroy", str(pack), "--auto-approve")
    assert destroyed.code == 0, destroyed.output
    assert list(client.jobs.list()) == [] and list(client.pipelines.list_pipelines()) == []
