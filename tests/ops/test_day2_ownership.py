"""pause, resume, run and backfill act only on this pack's jobs: another pack's job with a declared
name, or one nobody tagged, is refused (naming its owner) before anything is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_pack

PACK = """
metadata: {{name: {name}}}
pipelines:
  - name_prefix: sales
    source_asset: main.s.sales
    schedule: {{cron: "0 0 2 * * ?", timezone: UTC}}
"""


def _job(client: Any) -> Any:
    (job,) = list(client.jobs.list(name="sales_schedule"))
    return job


@pytest.mark.parametrize(
    "command",
    [
        ("pause",),
        ("resume",),
        ("run", "sales"),
        ("backfill", "sales", "--from", "2026-01-01", "--to", "2026-01-02"),
    ],
)
def test_another_packs_job_is_refused_naming_its_owner(
    command: tuple[str, ...], cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    alpha = write_pack(tmp_path, PACK.format(name="alpha"), "alpha.yaml")
    beta = write_pack(tmp_path, PACK.format(name="beta"), "beta.yaml")
    assert cli("apply", str(alpha), "--auto-approve").code == 0
    before = _job(client).settings.as_dict()
    workspace_env.reset_log()
    result = cli(command[0], str(beta), *command[1:])
    assert result.code == 1
    assert "job sales_schedule" in result.stderr and "belongs to SharePack 'alpha'" in result.stderr
    assert "Traceback" not in result.output
    assert workspace_env.mutating_count() == 0  # nothing paused, resumed or started
    assert _job(client).settings.as_dict() == before
    assert list(client.jobs.list_runs()) == []


def test_a_hand_made_job_is_refused_until_apply_adopts_it(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, PACK.format(name="alpha"))
    schedule = {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC"}
    client.api_client.do(
        "POST", "/api/2.1/jobs/create", body={"name": "sales_schedule", "schedule": schedule}
    )
    refused = cli("pause", str(pack))
    assert refused.code == 1
    assert "carries no sharepack tags" in refused.stderr and "sharepack apply" in refused.stderr
    assert cli("apply", str(pack), "--auto-approve").code == 0  # adopts it: now tagged as alpha's
    assert cli("pause", str(pack)).code == 0
    assert _job(client).settings.schedule.pause_status.value == "PAUSED"
