"""`make bench-peers` compares sharepack with `databricks bundle deploy` on the same work: the
bundle it generates must declare exactly the pack's pipelines and schedule jobs. Needs no CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from benchmarks.peers import databricks_cli
from benchmarks.peers.run import main
from benchmarks.peers.workload import write_bundle, write_pack

from sharepack.desired.build import desired_state
from sharepack.pack import load_pack
from sharepack.sync.code import generated_sources


def _bundle(tmp_path: Path, n: int, *, changed_every: int = 0) -> tuple[dict[str, Any], Path]:
    pack = write_pack(tmp_path / f"pack_{changed_every}.yaml", n, changed_every=changed_every)
    path = write_bundle(pack, tmp_path / "bundle")
    return yaml.safe_load(path.read_text(encoding="utf-8")), pack


def test_the_bundle_declares_the_packs_pipelines_and_schedule_jobs(tmp_path: Path) -> None:
    config, pack = _bundle(tmp_path, 12)
    desired = desired_state(load_pack(pack))
    pipelines = config["resources"]["pipelines"]
    jobs = config["resources"]["jobs"]

    assert sorted(p["name"] for p in pipelines.values()) == sorted(p.name for p in desired.pipelines)
    assert sorted(j["name"] for j in jobs.values()) == sorted(j.name for j in desired.jobs)
    assert len(pipelines) == len(jobs) == 12
    for want in desired.pipelines:
        got = pipelines[want.name]
        # Everything sharepack sends but the code's workspace path, which is the bundle's to choose.
        assert {k: v for k, v in got.items() if k != "libraries"} == {
            k: v for k, v in want.spec.items() if k != "libraries"
        }
        assert got["libraries"] == [{"file": {"path": f"./pipelines/{want.name}.py"}}]
    for want_job in desired.jobs:
        got_job = jobs[want_job.name]
        assert got_job["schedule"] == want_job.settings["schedule"]
        assert got_job["tags"] == want_job.settings["tags"]
        assert got_job["max_concurrent_runs"] == want_job.settings["max_concurrent_runs"]
        (task,) = got_job["tasks"]
        assert task["pipeline_task"]["pipeline_id"] == f"${{resources.pipelines.{want_job.pipelines[0]}.id}}"


def test_the_bundle_carries_the_same_generated_code(tmp_path: Path) -> None:
    _, pack = _bundle(tmp_path, 3)
    for name, source in generated_sources(load_pack(pack)).items():
        assert (tmp_path / "bundle" / "pipelines" / f"{name}.py").read_text(encoding="utf-8") == source


def test_the_changed_pack_moves_one_schedule_in_ten_in_both_tools(tmp_path: Path) -> None:
    before, _ = _bundle(tmp_path, 50)
    after, _ = _bundle(tmp_path, 50, changed_every=10)
    moved = [
        key
        for key, job in after["resources"]["jobs"].items()
        if job["schedule"] != before["resources"]["jobs"][key]["schedule"]
    ]
    assert len(moved) == 5
    assert after["resources"]["pipelines"] == before["resources"]["pipelines"]


def test_without_go_the_benchmark_skips_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHAREPACK_PEERS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    assert main(["--sizes", "10", "--no-write"]) == 0

    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["bench-peers: skipped — Go is not installed: no `go` on PATH to build the Databricks CLI"]
    assert not databricks_cli.binary_path().exists()
