"""The first day with sharepack, as a new user meets it: what the terminal says must be enough."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.test_apply_e2e import SEED
from tests.helpers import write_pack


def _answer(monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    """A person at a terminal, typing `typed` at the prompt."""
    monkeypatch.setattr("sharepack.terminal.console.interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))


def _applied(cli: Any, tmp_path: Path) -> Path:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    assert cli("apply", str(pack), "--auto-approve").code == 0
    return pack


def test_destroy_answered_with_a_single_y_deletes_nothing(
    cli: Any, workspace_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _applied(cli, tmp_path)
    workspace_env.reset_log()
    _answer(monkeypatch, "y\n")
    result = cli("destroy", str(pack))
    assert result.code == 1, result.output
    assert "Type the pack's name to confirm" in result.output
    assert "cancelled: nothing was deleted ('y' is not the pack's name, 'sales')" in result.stderr
    assert not [r for r in workspace_env.request_log() if r.method == "DELETE"]


def test_destroy_deletes_once_the_pack_name_is_typed(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _applied(cli, tmp_path)
    _answer(monkeypatch, "sales\n")
    result = cli("destroy", str(pack))
    assert result.code == 0, result.output
    assert list(client.jobs.list()) == []


def test_destroy_with_auto_approve_asks_nothing(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = _applied(cli, tmp_path)
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    assert "Type the pack's name" not in result.output
    assert list(client.jobs.list()) == []


EXTRA_SHARE = """  - name: fresh_share
    share_assets: [catalog.fresh_schema.orders]
    delta_share: {ext_catalog_name: fresh_cat, ext_schema_name: fresh_sch}
    pipelines:
      - {name_prefix: fresh_sync, source_asset: catalog.fresh_schema.orders, schedule: {every: 1d}}
"""


def test_an_apply_that_exits_1_says_why_on_its_last_lines(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    assert (
        cli("apply", str(write_pack(tmp_path, "metadata:\n  name: sales\n" + SEED, "a.yaml")), "-y").code == 0
    )
    # Another pack declaring the same pipelines (and one of its own): those are not its to change.
    rival = write_pack(tmp_path, "metadata:\n  name: other\n" + SEED + EXTRA_SHARE, "other.yaml")
    result = cli("apply", str(rival), "--auto-approve")
    assert result.code == 1, result.output
    lines = result.stderr.strip().splitlines()
    header = max(i for i, line in enumerate(lines) if line.startswith("✗ apply exits 1: "))
    reasons = [line.strip() for line in lines[header + 1 :]]
    assert lines[header].endswith("resource(s) not done:")
    assert any(r.startswith("pipeline sales_daily_sync: left alone, ") and "sales" in r for r in reasons)
    assert any(r.startswith("pipeline sales_orders_sync: left alone, ") for r in reasons)
    assert not any("fresh" in r for r in reasons)  # what was done is not a reason


def test_an_apply_with_nothing_it_may_do_lists_what_it_left_alone(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    assert (
        cli("apply", str(write_pack(tmp_path, "metadata:\n  name: sales\n" + SEED, "a.yaml")), "-y").code == 0
    )
    rival = write_pack(tmp_path, "metadata:\n  name: other\n" + SEED, "other.yaml")
    result = cli("apply", str(rival), "--auto-approve")
    assert result.code == 1, result.output
    last = result.stderr.strip().splitlines()[-2:]
    assert all(line.strip().startswith("pipeline sales_") and "left alone" in line for line in last), last


def test_the_text_plan_of_a_created_pipeline_says_what_it_will_be(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    lines = cli("plan", str(pack)).stdout.splitlines()
    start = lines.index("  + pipeline sales_daily_sync: create")
    block = "\n".join(lines[start + 1 : start + 8])
    assert "target: catalog analytics_prod, schema shared_sales" in block
    assert "runs: serverless, triggered" in block
    assert "source: catalog.sales_schema.daily_sales (shared in sales_share)" in block
    assert "sync: full refresh" in block
    assert "tags: none + sharepack's ownership tags" in block
    assert "notifications: analytics-team@jll.com on update failure" in block


def test_the_text_plan_of_a_cdc_pipeline_names_its_scd_mode_and_keys() -> None:
    from sharepack.kinds.pipeline_render import pipeline_summary

    settings = {
        "catalog": "c",
        "schema": "s",
        "serverless": False,
        "continuous": True,
        "configuration": {
            "pipelines.target_table": "t",
            "pipelines.scd_type": "2",
            "pipelines.keys": "id,day",
        },
        "tags": {"team": "sales"},
    }
    summary = pipeline_summary(settings)
    assert "target: c.s.t" in summary
    assert "runs: classic compute, continuous" in summary
    assert "sync: SCD type 2 on id,day (changes applied by key)" in summary
    assert "tags: team=sales" in summary


def test_the_text_plan_of_a_created_job_says_its_schedule_in_words_and_next_fire(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, SEED, "sales.yaml")
    lines = cli("plan", str(pack)).stdout.splitlines()
    start = lines.index("  + job sales_orders_sync_schedule: create")
    assert lines[start + 1].strip() == "Every 6 hours, every day (UTC)"
    assert lines[start + 2].strip().startswith("next: ")


def _run_at_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """The command in its own process on a pseudo-terminal (what a person sees), ANSI removed."""
    import os
    import pty
    import re
    import subprocess
    import sys

    leader, follower = pty.openpty()
    sharepack = Path(sys.executable).parent / "sharepack"
    process = subprocess.Popen(
        [str(sharepack), *args], cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break  # the terminal closed: the process ended
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    text = b"".join(chunks).decode("utf-8", errors="replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r\n", "\n")


def test_the_activation_link_is_printed_on_its_own_lines_not_glued_to_the_progress_bar(
    workspace_env: Any, tmp_path: Path
) -> None:
    import os

    from tests.conftest import TOKEN
    from tests.reliability.census import pack_yaml

    text = pack_yaml(8).replace(
        "share:\n  - name: s\n",
        "recipient:\n  - {name: partner, type: D2O, recipient: exchange@partner.example}\n"
        "share:\n  - name: s\n    recipients: [partner]\n",
    )
    pack = write_pack(tmp_path, text)
    env = {**os.environ, "DATABRICKS_HOST": workspace_env.url, "DATABRICKS_TOKEN": TOKEN, "COLUMNS": "100"}
    shown = _run_at_a_terminal(["apply", str(pack), "--auto-approve"], tmp_path, env)
    assert "activation link for recipient partner" in shown, shown
    lines = [line.split("\r")[-1] for line in shown.split("\n")]
    at = next(i for i, line in enumerate(lines) if "activation link for recipient partner" in line)
    assert lines[at].startswith("activation link for recipient partner (shown once"), lines[at - 1 : at + 2]
    assert "━" not in lines[at] and "applying" not in lines[at]
    assert lines[at - 1].strip() == "" and lines[at + 1].strip() == ""
