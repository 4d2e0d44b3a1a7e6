"""The CI recipe works when copied: docs/ci/sharepack.yml is run, step by step, as Actions would.

Every `run:` step that invokes sharepack is executed as written (bash -eo pipefail, the venv's
sharepack first on PATH) with the workflow's and job's env, against this repository's own packs.
Only the workspace is swapped: the secrets become an emulator's URL and token, and so does any
host a pack's target names. A step passes when bash exits 0 — the steps themselves decide which
sharepack exit codes are fine, so the test checks exactly what the workflow would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import TOKEN
from tests.helpers import edit_pipeline_by_hand

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "docs" / "ci" / "sharepack.yml"
DOC = ROOT / "docs" / "ci.md"
INVOKES_SHAREPACK = re.compile(r"(^|[\s;&|(])sharepack\s", re.MULTILINE)
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@dataclass
class StepResult:
    job: str
    name: str
    code: int
    output: str


def _workflow(text: str | None = None) -> dict[str, Any]:
    loaded = yaml.safe_load(text if text is not None else WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict)
    return triggers


def _resolve(value: Any, secrets: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("secrets."):
            return secrets[expression.removeprefix("secrets.")]
        return "0"  # github.token, a PR number: used only by steps that are not run here

    return EXPRESSION.sub(substitute, str(value))


def _repository_copy(directory: Path, workspace_url: str) -> Path:
    """The repo's packs as they are, except that a target's fixed host points at the emulator."""
    packs = directory / "sharepacks"
    packs.mkdir(parents=True)
    for pack in sorted((ROOT / "sharepacks").glob("*.yaml")):
        text = re.sub(r"(\bhost:\s*)https?://\S+", rf"\g<1>{workspace_url}", pack.read_text(encoding="utf-8"))
        (packs / pack.name).write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "schemas", directory / "schemas")
    return directory


def run_job(workflow: dict[str, Any], job: str, workdir: Path, emulator: Any) -> list[StepResult]:
    secrets = {"DATABRICKS_HOST": emulator.url, "DATABRICKS_TOKEN": TOKEN}
    spec = workflow["jobs"][job]
    output_file = workdir / f"{job}.github_output"
    output_file.write_text("", encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABRICKS_CONFIG_FILE": str(workdir / "no-databrickscfg"),
        "GITHUB_OUTPUT": str(output_file),
    }
    for scope in (workflow.get("env") or {}, spec.get("env") or {}):
        env.update({k: _resolve(v, secrets) for k, v in scope.items()})
    results = []
    for index, step in enumerate(spec["steps"]):
        script = step.get("run")
        if not script or not INVOKES_SHAREPACK.search(script):
            continue
        assert "${{" not in script, f"{job} step {index}: pass values to sharepack steps through env:"
        step_env = {**env, **{k: _resolve(v, secrets) for k, v in (step.get("env") or {}).items()}}
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=workdir,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        name = str(step.get("name") or script.splitlines()[0])
        results.append(StepResult(job, name, process.returncode, process.stdout + process.stderr))
    return results


def _outputs(workdir: Path, job: str) -> dict[str, str]:
    lines = (workdir / f"{job}.github_output").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def _assert_ok(results: list[StepResult]) -> None:
    assert results, "no step invokes sharepack"
    for result in results:
        assert result.code == 0, f"{result.job} / {result.name} exited {result.code}:\n{result.output}"


def test_the_workflow_runs_as_written_against_the_repositorys_packs(
    emulator: Any, client: Any, tmp_path: Path
) -> None:
    workflow = _workflow()
    workdir = _repository_copy(tmp_path / "repo", emulator.url)

    _assert_ok(run_job(workflow, "plan", workdir, emulator))
    plan = (workdir / "plan.md").read_text(encoding="utf-8")
    assert plan.startswith("## sharepack plan") and "to create" in plan, plan

    _assert_ok(run_job(workflow, "apply", workdir, emulator))
    assert '"exit_code": 0' in (workdir / "apply.json").read_text(encoding="utf-8")
    assert list(client.pipelines.list_pipelines()), "apply created nothing"

    _assert_ok(run_job(workflow, "drift", workdir, emulator))
    assert _outputs(workdir, "drift")["drifted"] == "false"

    edited = next(iter(client.pipelines.list_pipelines())).name
    edit_pipeline_by_hand(client, edited, schema="HAND_EDITED")
    _assert_ok(run_job(workflow, "drift", workdir, emulator))
    assert _outputs(workdir, "drift")["drifted"] == "true"
    assert "HAND_EDITED" in (workdir / "drift.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("original", "edited"),
    [("TARGET: prod", "TARGET: staging"), ("PACKS: sharepacks/multi_share.yaml", "PACKS: sharepacks/*.yaml")],
    ids=["a-target-no-pack-has", "packs-without-that-target"],
)
def test_the_check_fails_when_the_workflow_names_a_target_the_packs_lack(
    emulator: Any, tmp_path: Path, original: str, edited: str
) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert original in text
    workflow = _workflow(text.replace(original, edited))
    workdir = _repository_copy(tmp_path / "repo", emulator.url)
    failed = [r for r in run_job(workflow, "plan", workdir, emulator) if r.code != 0]
    assert failed and "no such target" in failed[0].output, failed


def test_the_workflow_keeps_secrets_from_forks_and_pins_third_party_actions() -> None:
    workflow = _workflow()
    triggers = _triggers(workflow)
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert (
        "github.event.pull_request.head.repo.full_name == github.repository" in workflow["jobs"]["plan"]["if"]
    )
    assert "schedule" in triggers and "--detailed-exitcode" in str(workflow["jobs"]["drift"])
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            uses = step.get("uses")
            if uses and not uses.startswith("actions/"):
                # A moving tag of someone else's action would run new code with this job's token.
                assert re.fullmatch(r"[^@]+@[0-9a-f]{40}", uses), uses


def test_the_doc_shows_the_workflow_file_and_no_other_copy() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert "ci/sharepack.yml" in doc
    workflow = WORKFLOW.read_text(encoding="utf-8")
    for block in re.findall(r"```ya?ml\n(.*?)```", doc, flags=re.DOTALL):
        assert block in workflow, f"docs/ci.md shows YAML that is not in docs/ci/sharepack.yml:\n{block}"
