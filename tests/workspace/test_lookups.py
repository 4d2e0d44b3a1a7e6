"""Name lookups can never match the wrong resource: LIKE wildcards and case are not equality."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sharepack.workspace import listing
from tests.helpers import write_pack

PACK = """
metadata:
  name: lookups
pipelines:
  - name_prefix: sales_daily
    source_asset: c.s.sales
    schedule: {every: 1d}
"""


@pytest.fixture
def crowded(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # More than the scanned pages of someone else's resources, so names are looked up one by one.
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for i in range(8):
        client.pipelines.create(name=f"other_{i}")
        client.jobs.create(name=f"other_job_{i}")


def test_lookalike_names_are_not_adopted(cli: Any, workspace_env: Any, client: Any, crowded: None) -> None:
    # `_` is a LIKE wildcard and job name filters ignore case: both would match these.
    lookalike = client.pipelines.create(name="salesXdaily").pipeline_id
    client.jobs.create(name="SALES_DAILY_SCHEDULE")
    pack = write_pack(Path.cwd(), PACK)
    result = cli("plan", str(pack), "--output", "json")
    assert result.code == 0, result.output
    changes = {(c["resource_type"], c["name"]): c for c in json.loads(result.stdout)["changes"]}
    assert changes[("pipeline", "sales_daily")]["action"] == "create"
    assert changes[("job", "sales_daily_schedule")]["action"] == "create"
    assert lookalike not in result.stdout
