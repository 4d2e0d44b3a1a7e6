"""A create that finds its name taken never takes over what it finds: only this pack's copy is kept.

The races here are made deterministic: a resource with the name appears between the plan and
the create (made by hand, or by another pack), then the create is refused (409) or its answer is
lost. And the real thing: two packs that declare the same names, applied at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TOKEN
from tests.helpers import write_pack
from tests.reliability.census import census, pack_yaml


def _hand_made_pipeline(client: Any, name: str) -> str:
    created = client.api_client.do("POST", "/api/2.0/pipelines", body={"name": name, "catalog": "hand"})
    return str(created["pipeline_id"])


def _hand_made_job(client: Any, name: str) -> int:
    return int(client.api_client.do("POST", "/api/2.1/jobs/create", body={"name": name})["job_id"])


def test_a_pipeline_made_by_hand_while_applying_is_a_conflict_and_left_alone(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from databricks.sdk.service.pipelines import PipelinesAPI

    original = PipelinesAPI.create
    made: list[str] = []

    def create_after_a_hand_made_one(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("name") == "p001" and not made:
            made.append(_hand_made_pipeline(client, "p001"))  # in the window: the create gets a 409
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PipelinesAPI, "create", create_after_a_hand_made_one)
    pack = write_pack(tmp_path, pack_yaml(3))
    result = cli("apply", str(pack), "--auto-approve")
    assert result.code == 1
    assert "pipeline p001 was created meanwhile by someone else" in result.output
    hand_made = client.pipelines.get(made[0]).spec
    assert hand_made.catalog == "hand" and not hand_made.tags  # not re-tagged, not rewritten
    pipelines, jobs = census(client)
    assert pipelines == Counter({"p000": 1, "p001": 1, "p002": 1})
    assert "p001_schedule" not in jobs  # its job was skipped, not pointed at someone else's pipeline
    plan = cli("plan", str(pack))
    assert "adopt" in plan.stdout  # what the user does next, if it is meant to be ours


def test_a_job_of_another_pack_found_after_a_lost_answer_is_not_joined_by_a_second(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from databricks.sdk.errors import TemporarilyUnavailable
    from databricks.sdk.service.jobs import JobsAPI

    original = JobsAPI.create
    made: list[int] = []

    def create_lost_after_another_one(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("name") == "p000_schedule" and not made:
            made.append(_hand_made_job(client, "p000_schedule"))
            client.jobs.update(
                made[0], new_settings=_tags({"managed_by": "sharepack", "sharepack_pack": "b"})
            )
            raise TemporarilyUnavailable("the answer was lost")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(JobsAPI, "create", create_lost_after_another_one)
    pack = write_pack(tmp_path, pack_yaml(2))
    result = cli("apply", str(pack), "--auto-approve")
    assert "job p000_schedule was created meanwhile by SharePack 'b'" in result.output
    _, jobs = census(client)
    assert jobs == Counter({"p000_schedule": 1, "p001_schedule": 1})
    assert client.jobs.get(made[0]).settings.tags["sharepack_pack"] == "b"


def _tags(tags: dict[str, str]) -> Any:
    from databricks.sdk.service.jobs import JobSettings

    return JobSettings(tags=tags)


def _apply_process(pack: Path, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABRICKS_HOST": url, "DATABRICKS_TOKEN": TOKEN}
    return subprocess.Popen(
        [sys.executable, "-m", "sharepack.cli", "apply", str(pack), "--auto-approve", "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _owners(client: Any) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Each pipeline's owning pack by name; each job's owning pack and the pipeline it runs."""
    pipelines = {
        p.name: (client.pipelines.get(p.pipeline_id).spec.tags or {}).get("sharepack_pack", "")
        for p in client.pipelines.list_pipelines()
    }
    names = {p.pipeline_id: p.name for p in client.pipelines.list_pipelines()}
    jobs = {}
    for job in client.jobs.list(expand_tasks=True):
        settings = job.settings
        runs = names.get(settings.tasks[0].pipeline_task.pipeline_id, "(gone)") if settings.tasks else ""
        jobs[settings.name] = ((settings.tags or {}).get("sharepack_pack", ""), runs)
    return pipelines, jobs


@pytest.mark.parametrize("trial", range(2))
def test_two_packs_declaring_the_same_names_applied_at_once_never_take_each_others(
    trial: int, cli: Any, emulator: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    race_two_packs(cli, emulator, client, tmp_path, monkeypatch)


def race_two_packs(
    cli: Any, emulator: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two packs declaring the same 40 names, applied at once (more trials under `make soak`)."""
    n = 40
    emulator.configure(latency_ms=10)
    first = write_pack(tmp_path, pack_yaml(n).replace("{name: reliable}", "{name: alpha}"), "a.yaml")
    second = write_pack(tmp_path, pack_yaml(n).replace("{name: reliable}", "{name: beta}"), "b.yaml")
    processes = [_apply_process(first, emulator.url), _apply_process(second, emulator.url)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    assert all("Traceback" not in err for _, err in results), results
    pipelines, jobs = census(client)
    # No duplicates: each name is one pipeline and at most one job.
    assert set(pipelines.values()) == {1} and len(pipelines) == n, pipelines
    assert set(jobs.values()) <= {1}, jobs
    # No takeovers: nothing was rewritten, and each job runs a pipeline of its own pack.
    rewrites = [r for r in emulator.request_log() if r.method == "PUT" or r.path.endswith("/jobs/reset")]
    assert rewrites == []
    owners, job_owners = _owners(client)
    for job, (owner, runs) in job_owners.items():
        assert owners.get(runs) == owner, (job, owner, runs, owners)
    # No foreign deletions: destroying one pack leaves every resource of the other as it was.
    monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    alpha_before = {name for name, owner in owners.items() if owner == "alpha"}
    assert cli("destroy", str(second), "--auto-approve").code == 0
    owners_after, jobs_after = _owners(client)
    assert set(owners_after) == alpha_before and set(owners_after.values()) <= {"alpha"}
    assert all(runs in owners_after for _, runs in jobs_after.values())
