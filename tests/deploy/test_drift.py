"""Drift made by hand is seen by default: plan, apply and status compare every pipeline's settings.

`--trust-digest` keeps the old shortcut (a schedule job's digest vouches for its pipeline) as an
explicit opt-in, and the summary then says how many pipelines were compared by digest only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.deploy.test_apply_e2e import SEED
from tests.helpers import edit_pipeline_by_hand, write_pack

DRIFT_LINE = 'schema: "HAND_EDITED" → "shared_sales"'


def _pipeline_id(client: Any, name: str) -> str:
    return str(next(p.pipeline_id for p in client.pipelines.list_pipelines() if p.name == name))


def _applied_then_edited(cli: Any, client: Any, tmp_path: Path) -> Path:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    edit_pipeline_by_hand(client, "sales_daily_sync", schema="HAND_EDITED")
    return pack


def test_plain_plan_shows_a_schema_changed_by_hand_and_exits_2(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied_then_edited(cli, client, tmp_path)
    result = cli("plan", str(pack), "--detailed-exitcode")
    assert result.code == 2, result.output
    assert "~ pipeline sales_daily_sync" in result.stdout and DRIFT_LINE in result.stdout
    assert "1 to update" in result.stdout and "digest" not in result.stdout


def test_plain_apply_repairs_the_hand_edit(cli: Any, workspace_env: Any, client: Any, tmp_path: Path) -> None:
    pack = _applied_then_edited(cli, client, tmp_path)
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 0 and DRIFT_LINE in result.stdout, result.output
    assert client.pipelines.get(_pipeline_id(client, "sales_daily_sync")).spec.schema == "shared_sales"
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0


def test_trust_digest_is_the_fast_opt_in_and_says_what_it_did_not_compare(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied_then_edited(cli, client, tmp_path)
    workspace_env.reset_log()
    result = cli("plan", str(pack), "--trust-digest", "--detailed-exitcode")
    # The digest cannot see the hand edit: that is the trade this flag makes, and says it makes.
    assert result.code == 0, result.output
    assert DRIFT_LINE not in result.stdout
    assert "2 pipeline(s) compared by digest only (--trust-digest)" in result.stdout
    assert not [r for r in workspace_env.request_log() if r.endpoint == "pipelines/get"]
    markdown = cli("plan", str(pack), "--trust-digest", "--output", "markdown").stdout
    assert "2 pipeline(s) compared by digest only" in markdown
    as_json = json.loads(cli("plan", str(pack), "--trust-digest", "--output", "json").stdout)
    assert as_json["compared_by_digest_only"] == 2
    exact = json.loads(cli("plan", str(pack), "--output", "json").stdout)
    assert "compared_by_digest_only" not in exact


def test_status_shows_a_hand_edit_as_drift_by_default(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied_then_edited(cli, client, tmp_path)
    result = cli("status", str(pack), "--output", "json")
    assert result.code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["sales_daily_sync"]["drift"] is True
    assert "sales_daily_sync: schema" in rows["sales_daily_sync"]["drift_fields"]
    assert rows["sales_orders_sync"]["drift"] is False


def test_refresh_is_still_accepted_and_contradicts_trust_digest(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied_then_edited(cli, client, tmp_path)
    old_script = cli("plan", str(pack), "--refresh")
    assert old_script.code == 0 and DRIFT_LINE in old_script.stdout, old_script.output
    both = cli("plan", str(pack), "--refresh", "--trust-digest")
    assert both.code != 0 and "contradict" in both.output
