"""Pipelines of ours are found by their own tags, not only through the jobs that run them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import write_pack

TWO = """
metadata: {name: orphans}
pipelines:
  - name_prefix: kept
    source_asset: main.s.kept
    schedule: {cron: "0 0 2 * * ?", timezone: UTC}
  - name_prefix: manual
    source_asset: main.s.manual
"""

ONE = """
metadata: {name: orphans}
pipelines:
  - name_prefix: kept
    source_asset: main.s.kept
    schedule: {cron: "0 0 2 * * ?", timezone: UTC}
"""

SCHEDULED_GONE = """  - name_prefix: gone
    source_asset: main.s.gone
    schedule: {cron: "0 0 3 * * ?", timezone: UTC}
"""


def _pipelines(client: Any) -> set[str]:
    return {p.name for p in client.pipelines.list_pipelines()}


def test_an_unscheduled_pipeline_removed_from_the_pack_is_pruned(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, TWO)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    client.api_client.do("POST", "/api/2.0/pipelines", body={"name": "hand_made"})
    write_pack(tmp_path, ONE)
    shown = cli("plan", str(pack), "--prune")
    assert "manual" in shown.output and "hand_made" not in shown.output
    assert cli("apply", str(pack), "--auto-approve", "--prune").code == 0
    assert _pipelines(client) == {"kept", "hand_made"}  # ours pruned; the hand-made one untouched


def test_destroy_after_a_prune_killed_between_jobs_and_pipelines_finds_the_leftovers(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, ONE + SCHEDULED_GONE)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    write_pack(tmp_path, ONE)
    # What a kill -9 during `apply --prune` leaves: the undeclared job deleted, its pipeline not yet.
    (gone_job,) = list(client.jobs.list(name="gone_schedule"))
    client.jobs.delete(gone_job.job_id)
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert _pipelines(client) == set() and list(client.jobs.list()) == []
