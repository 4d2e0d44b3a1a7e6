"""pause / resume end to end: the emulator's jobs change pause_status and plan notices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import write_pack

PACK = """
pipelines:
  - name_prefix: sales
    source_asset: main.s.sales
    schedule: {cron: "0 0 2 * * ?", timezone: Europe/Paris}
  - name_prefix: stream
    source_asset: main.s.stream
    schedule: continuous
  - name_prefix: hourly
    source_asset: main.s.hourly
    schedule: {every: 6h}
"""


def _applied(cli: Any, tmp_path: Path) -> Path:
    pack = write_pack(tmp_path, PACK)
    assert cli("apply", str(pack), "--auto-approve").code == 0
    return pack


def _pause_status(client: Any, name: str) -> str:
    job = next(j for j in client.jobs.list(name=name))
    settings = job.settings.as_dict()
    block = next(settings[k] for k in ("schedule", "continuous", "trigger") if settings.get(k))
    return str(block["pause_status"])


def test_pause_by_pipeline_name_then_plan_shows_the_job_would_be_updated(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    result = cli("pause", str(pack), "sales")
    assert result.code == 0, result.output
    assert "sales_schedule" in result.stdout and "paused" in result.stdout
    assert _pause_status(client, "sales_schedule") == "PAUSED"
    assert _pause_status(client, "stream_schedule") == "UNPAUSED"
    # Only the trigger block changed: the cron and its timezone are intact.
    job = next(j for j in client.jobs.list(name="sales_schedule"))
    assert job.settings.schedule.quartz_cron_expression == "0 0 2 * * ?"
    assert job.settings.schedule.timezone_id == "Europe/Paris"

    plan = cli("plan", str(pack), "--output", "json")
    changes = {c["name"]: c for c in json.loads(plan.stdout)["changes"]}
    assert changes["sales_schedule"]["action"] == "update"
    assert changes["stream_schedule"]["action"] == "no-op"
    assert cli("plan", str(pack), "--detailed-exitcode").code == 2


def test_resume_then_plan_shows_no_changes(cli: Any, workspace_env: Any, client: Any, tmp_path: Path) -> None:
    pack = _applied(cli, tmp_path)
    assert cli("pause", str(pack)).code == 0
    assert {_pause_status(client, f"{n}_schedule") for n in ("sales", "stream", "hourly")} == {"PAUSED"}
    assert cli("plan", str(pack), "--detailed-exitcode").code == 2

    result = cli("resume", str(pack), "--output", "json")
    assert result.code == 0, result.output
    outcomes = {j["job"]: j["outcome"] for j in json.loads(result.stdout)["jobs"]}
    assert outcomes == {
        "sales_schedule": "resumed",
        "stream_schedule": "resumed",
        "hourly_schedule": "resumed",
    }
    plan = cli("plan", str(pack), "--detailed-exitcode")
    assert plan.code == 0, plan.output
    assert "0 to update" in plan.stdout


def test_already_in_that_state_sends_nothing(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = _applied(cli, tmp_path)
    workspace_env.reset_log()
    result = cli("resume", str(pack), "stream_schedule")
    assert result.code == 0
    assert "already active, nothing sent" in result.stdout
    assert workspace_env.mutating_count() == 0


def test_missing_job_points_at_apply(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, PACK)
    result = cli("pause", str(pack), "sales")
    assert result.code != 0
    assert "sharepack apply" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_name_lists_the_declared_ones(cli: Any, workspace_env: Any, tmp_path: Path) -> None:
    pack = _applied(cli, tmp_path)
    result = cli("pause", str(pack), "salse")
    assert result.code == 2
    assert "salse" in result.stderr and "sales_schedule" in result.stderr
