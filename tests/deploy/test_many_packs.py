"""Many packs in one run: a folder of packs planned, applied and destroyed with the workspace read
once for all of them, each pack with its own ownership and summary line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import write_pack

from sharepack.workspace import listing


def pack_text(name: str, pipelines: list[str], *, every: str = "1h") -> str:
    body = "\n".join(
        f"  - name_prefix: {p}\n    source_asset: c.s.{p}\n    schedule: {{every: {every}}}"
        for p in pipelines
    )
    return f"metadata:\n  name: {name}\npipelines:\n{body}\n"


def write_packs(folder: Path, count: int, per_pack: int = 3) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [
        write_pack(folder, pack_text(f"team{t}", [f"team{t}_p{i}" for i in range(per_pack)]), f"team{t}.yaml")
        for t in range(count)
    ]


def requests(emulator: Any) -> Counter[str]:
    return Counter(r.endpoint for r in emulator.request_log())


def mutating(emulator: Any) -> list[str]:
    return [r.endpoint for r in emulator.request_log() if r.method != "GET"]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pages of 4 make a workspace of a few dozen resources "big": listing it costs many pages.
    monkeypatch.setattr(listing, "PAGE_SIZE", 4)


def test_a_plan_of_a_folder_lists_the_workspace_once_for_all_its_packs(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, small_pages: None
) -> None:
    for i in range(40):  # other teams' pipelines: the lists span many pages
        client.pipelines.create(name=f"other_{i:02d}")
    write_packs(tmp_path / "packs", 4, per_pack=4)
    assert cli("apply", "packs", "--auto-approve", "--quiet").code == 0
    workspace_env.reset_log()
    result = cli("plan", "packs")
    assert result.code == 0, result.output
    counts = requests(workspace_env)
    # 56 pipelines in pages of 4: one listing is 14 pages (15 with the empty last page), or, when the
    # first pages hold some of the run's names, 4 scanned pages and up to 12 name lookups; four packs
    # reading on their own would each scan 4 pages and look up its names: 20 requests or more.
    assert counts["pipelines/list"] <= 16, counts
    assert counts["jobs/list"] <= 5, counts
    # Each declared pipeline's settings read exactly once.
    assert counts["pipelines/get"] == 16, counts


def test_each_pack_of_a_folder_has_its_summary_line_and_the_run_its_total(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    write_packs(tmp_path / "packs", 3, per_pack=2)
    result = cli("plan", "packs")
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    for t in range(3):
        # 2 pipelines, their 2 schedule jobs and their 2 generated code files.
        assert f"packs/team{t}.yaml: 6 to create, 0 to update, 0 to adopt, 0 to delete, 0 unchanged." in lines
    assert "Total of 3 packs: 18 to create, 0 to update, 0 to adopt, 0 to delete, 0 unchanged." in lines


def test_a_nightly_drift_check_of_a_folder_exits_2_only_when_a_pack_drifted(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    packs = write_packs(tmp_path / "packs", 3, per_pack=2)
    assert cli("apply", "packs", "--auto-approve", "--quiet").code == 0
    quiet = cli("plan", "packs", "--detailed-exitcode")
    assert quiet.code == 0, quiet.output
    packs[1].write_text(pack_text("team1", ["team1_p0", "team1_p1"], every="2h"), encoding="utf-8")
    drifted = cli("plan", "packs", "--detailed-exitcode")
    assert drifted.code == 2, drifted.output
    assert "packs/team1.yaml: 0 to create, 2 to update" in drifted.stdout
    assert (
        "packs/team0.yaml: 0 to create, 0 to update, 0 to adopt, 0 to delete, 6 unchanged." in drifted.stdout
    )


def test_two_packs_declaring_one_pipeline_fail_the_plan_naming_both_files_before_any_request(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    first = write_pack(tmp_path, pack_text("alpha", ["shared_sync", "alpha_only"]), "alpha.yaml")
    second = write_pack(tmp_path, pack_text("beta", ["beta_only", "shared_sync"]), "beta.yaml")
    workspace_env.reset_log()
    result = cli("apply", str(first), str(second), "--auto-approve")
    assert result.code == 1
    # beta declares it at its second pipeline (line 7), alpha at its first (line 4).
    assert f"{second}:7:5: pipeline 'shared_sync' is also declared by {first}:4:5" in result.output
    assert "Traceback" not in result.output
    assert workspace_env.request_log() == []  # nothing read, nothing written


def test_a_folder_applied_then_destroyed_leaves_each_pack_owning_only_its_own(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    write_packs(tmp_path / "packs", 2, per_pack=2)
    assert cli("apply", "packs", "--auto-approve", "--quiet").code == 0
    tags = {p.name: client.pipelines.get(p.pipeline_id).spec.tags for p in client.pipelines.list_pipelines()}
    assert {name: t.get("sharepack_pack") for name, t in tags.items()} == {
        "team0_p0": "team0",
        "team0_p1": "team0",
        "team1_p0": "team1",
        "team1_p1": "team1",
    }
    (tmp_path / "packs" / "team1.yaml").unlink()
    result = cli("destroy", "packs", "--auto-approve")
    assert result.code == 0, result.output
    # Only the pack still in the folder is destroyed: the other's resources are not its to delete.
    assert sorted(p.name for p in client.pipelines.list_pipelines()) == ["team1_p0", "team1_p1"]


def test_a_folder_without_packs_and_a_policy_file_beside_packs_are_told_apart(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("plan", "empty")
    assert result.code != 0 and "empty is a folder with no SharePack in it" in result.output
    write_packs(tmp_path / "packs", 1, per_pack=1)
    (tmp_path / "packs" / "sharepack-policy.yaml").write_text("rules: []\n", encoding="utf-8")
    result = cli("plan", "packs")
    assert result.code == 0, result.output
    assert "1 to create" in result.stdout or "3 to create" in result.stdout
