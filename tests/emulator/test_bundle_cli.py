"""The real Databricks CLI deploys a bundle (two pipelines, two scheduled jobs running them) to
the emulator: deploy, a no-change redeploy, a plan that must be empty, a change to one job, the
deploy lock held by someone else, destroy. Every plan after a deploy is empty unless the bundle
changed: a field the emulator invents (or drops) that the real service does not would show up
there as a change on every deploy.

Runs only where SHAREPACK_DABS_CLI names the CLI's binary (a peer tool, never a dependency):
    SHAREPACK_DABS_CLI=/root/.cache/sharepack-peers/databricks-cli-v0.298.0/databricks
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service.workspace import ImportFormat

from tests.conftest import TOKEN

CLI = os.environ.get("SHAREPACK_DABS_CLI", "")
pytestmark = pytest.mark.skipif(
    not CLI or not os.access(CLI, os.X_OK), reason="SHAREPACK_DABS_CLI does not name the Databricks CLI"
)

ME = "local@sharepack.dev"
ROOT = f"/Workspace/Users/{ME}/.bundle/demo/dev"
BUNDLE = """\
bundle:
  name: demo
targets:
  dev:
    default: true
resources:
  pipelines:
{pipelines}
  jobs:
{jobs}
"""
PIPELINE = """\
    {name}:
      name: {name}_pipeline
      catalog: main
      schema: sales
      serverless: true
      libraries:
        - file:
            path: ./src/{name}.py
      tags:
        team: sales
"""
JOB = """\
    {name}_refresh:
      name: {name}_refresh
      tags:
        team: sales
      schedule:
        quartz_cron_expression: "{cron}"
        timezone_id: UTC
      tasks:
        - task_key: refresh
          pipeline_task:
            pipeline_id: ${{resources.pipelines.{name}.id}}
"""
NAMES = ("orders", "refunds")


def _write_bundle(folder: Path, crons: dict[str, str]) -> None:
    pipelines = "".join(PIPELINE.format(name=n) for n in NAMES)
    jobs = "".join(JOB.format(name=n, cron=crons[n]) for n in NAMES)
    (folder / "databricks.yml").write_text(BUNDLE.format(pipelines=pipelines, jobs=jobs))
    (folder / "src").mkdir(exist_ok=True)
    for name in NAMES:
        (folder / "src" / f"{name}.py").write_text(
            f"import dlt\n\n\n@dlt.table\ndef {name}():\n    return spark.range(3)\n"
        )


@pytest.fixture
def bundle(tmp_path: Path, emulator: Any) -> Any:
    """Run `databricks bundle ARGS...` in a bundle folder against the emulator; returns the
    completed process (its own HOME, so no cache or profile of the machine's is read)."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    _write_bundle(folder, {"orders": "0 0 6 * * ?", "refunds": "0 30 6 * * ?"})
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "home"),
        "DATABRICKS_HOST": emulator.url,
        "DATABRICKS_TOKEN": TOKEN,
        "DATABRICKS_CONFIG_FILE": str(tmp_path / "no-databrickscfg"),
        "DATABRICKS_BUNDLE_ENGINE": "direct",
    }

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [CLI, "bundle", *args], cwd=folder, env=env, capture_output=True, text=True, timeout=300
        )
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
            # No warning either: a missing field of the emulator's shows up as one.
            assert "Warn" not in done.stderr, done.stderr
        return done

    run.folder = folder  # type: ignore[attr-defined]
    return run


def _actions(bundle: Any) -> dict[str, str]:
    plan = json.loads(bundle("plan", "-o", "json").stdout)["plan"]
    return {key: entry["action"] for key, entry in plan.items()}


def _writes(emulator: Any) -> list[str]:
    """The job and pipeline writes since the log was last reset."""
    return [
        f"{r.method} {r.endpoint}"
        for r in emulator.request_log()
        if r.method != "GET" and r.endpoint.startswith(("jobs/", "pipelines/"))
    ]


def test_deploy_redeploy_plan_change_lock_destroy(bundle: Any, emulator: Any, client: Any) -> None:
    bundle("deploy")
    assert sorted(j.settings.name for j in client.jobs.list()) == ["orders_refresh", "refunds_refresh"]
    pipelines = {p.name: p.pipeline_id for p in client.pipelines.list_pipelines()}
    assert sorted(pipelines) == ["orders_pipeline", "refunds_pipeline"]
    job = next(j for j in client.jobs.list(name="orders_refresh"))
    task = client.jobs.get(job.job_id).settings.tasks[0]
    assert task.pipeline_task.pipeline_id == pipelines["orders_pipeline"]
    assert client.workspace.download(f"{ROOT}/files/src/orders.py").read().startswith(b"import dlt")

    # A redeploy of the same bundle writes no job or pipeline, and the plan after it is empty.
    emulator.reset_log()
    bundle("deploy")
    assert _writes(emulator) == []
    assert set(_actions(bundle).values()) == {"skip"}

    # One job's schedule changes: that job, and only it, is updated; then the plan is empty again.
    _write_bundle(bundle.folder, {"orders": "0 15 7 * * ?", "refunds": "0 30 6 * * ?"})
    assert {k: a for k, a in _actions(bundle).items() if a != "skip"} == {
        "resources.jobs.orders_refresh": "update"
    }
    emulator.reset_log()
    bundle("deploy")
    assert _writes(emulator) == ["POST jobs/reset"]
    assert set(_actions(bundle).values()) == {"skip"}
    assert client.jobs.get(job.job_id).settings.schedule.quartz_cron_expression == "0 15 7 * * ?"

    # Someone else's deploy lock: the CLI's overwrite=false write of it is refused, so it stops.
    lock = f"{ROOT}/state/deploy.lock"
    held = {"ID": "00000000-0000-0000-0000-000000000001", "AcquisitionTime": "2026-11-30T10:00:00Z"}
    # AUTO: a file, as the CLI writes it (SOURCE would need a language, as Databricks answers).
    client.workspace.upload(
        lock,
        json.dumps({**held, "User": "alice@example.com"}).encode(),
        format=ImportFormat.AUTO,
        overwrite=True,
    )
    refused = bundle("deploy", ok=False)
    assert refused.returncode != 0 and "deploy lock acquired by alice@example.com" in refused.stderr
    client.workspace.delete(lock)

    bundle("destroy", "--auto-approve")
    assert list(client.jobs.list()) == [] and list(client.pipelines.list_pipelines()) == []
    # The target's root goes, whole (the bundle's folder above it stays, as it does on a workspace).
    assert [o.path for o in client.workspace.list(f"/Users/{ME}/.bundle/demo")] == []
