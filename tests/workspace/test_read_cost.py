"""How many requests reading the workspace costs: what makes `plan` fast in CI and on big packs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sharepack.workspace import listing
from tests.helpers import write_pack


def pack_text(n: int, prefix: str = "p") -> str:
    pipelines = "\n".join(
        f"  - name_prefix: {prefix}{i:03d}\n    source_asset: c.s.t{i}\n    schedule: {{every: 1h}}"
        for i in range(n)
    )
    return f"metadata:\n  name: cost\npipelines:\n{pipelines}\n"


def reads(emulator: Any) -> Counter[str]:
    return Counter(r.endpoint for r in emulator.request_log() if r.method == "GET")


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pages of 4 make "bigger than the scanned pages" reachable with a handful of resources.
    monkeypatch.setattr(listing, "PAGE_SIZE", 4)


def test_noop_plan_lists_each_kind_once_when_it_fits_the_scan(
    cli: Any, workspace_env: Any, tmp_path: Path, small_pages: None
) -> None:
    pack = write_pack(tmp_path, pack_text(12))  # exactly SCAN_PAGES full pages of each kind
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    workspace_env.reset_log()
    result = cli("plan", str(pack), "--trust-digest")
    # 12 pipelines, their 12 schedule jobs and their 12 generated files.
    assert result.code == 0 and "36 unchanged" in result.stdout, result.output
    # 3 pages of each kind, then at most one empty page or lookup-free finish: never one per resource
    # (the generated files: one list of the pack's folder; the digests vouch for their content).
    assert sum(reads(workspace_env).values()) <= 9, reads(workspace_env)


def test_the_default_plan_adds_one_settings_read_per_pipeline_and_nothing_else(
    cli: Any, workspace_env: Any, tmp_path: Path, small_pages: None
) -> None:
    pack = write_pack(tmp_path, pack_text(12))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    workspace_env.reset_log()
    result = cli("plan", str(pack))
    assert result.code == 0 and "36 unchanged" in result.stdout, result.output
    counts = reads(workspace_env)
    # Pipeline lists carry no settings: comparing them exactly costs one GET each, never more;
    # the workspace keeps no digest of a file, so each generated file is read once too.
    assert counts.pop("pipelines/get") == 12, counts
    assert counts.pop("workspace/export") == 12, counts
    assert sum(counts.values()) <= 9, counts


def test_a_big_pack_pages_through_lists_instead_of_looking_up_each_name(
    cli: Any, workspace_env: Any, tmp_path: Path, small_pages: None
) -> None:
    pack = write_pack(tmp_path, pack_text(40))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    workspace_env.reset_log()
    assert cli("plan", str(pack), "--trust-digest").code == 0
    counts = reads(workspace_env)
    # One table read finds that this workspace (an emulator with nothing seeded) knows no tables.
    assert counts == Counter({"pipelines/list": 10, "jobs/list": 10, "workspace/list": 1, "tables/get": 1}), (
        counts
    )
    workspace_env.reset_log()
    assert cli("plan", str(pack)).code == 0
    counts = reads(workspace_env)
    assert counts == Counter(
        {
            "pipelines/list": 10,
            "jobs/list": 10,
            "pipelines/get": 40,
            "workspace/list": 1,
            "workspace/export": 40,
            "tables/get": 1,
        }
    ), counts


def test_a_small_pack_in_a_crowded_workspace_looks_its_names_up(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path, small_pages: None
) -> None:
    for i in range(60):
        client.jobs.create(name=f"someone_elses_job_{i}")
        client.pipelines.create(name=f"someone_elses_pipeline_{i}")
    pack = write_pack(tmp_path, pack_text(2))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    workspace_env.reset_log()
    result = cli("plan", str(pack))
    assert result.code == 0 and "6 unchanged" in result.stdout, result.output
    counts = reads(workspace_env)
    # The scanned pages (and one more to see the list goes on), then 2 lookups per kind —
    # instead of 16 pages of someone else's resources each.
    assert counts["pipelines/list"] <= 4 + 2 and counts["jobs/list"] <= 4 + 2, counts


def test_an_apply_reads_each_pipelines_settings_once_not_again_under_the_lock(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(12))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    changed = write_pack(tmp_path, pack_text(12).replace("every: 1h}", "every: 2h}", 1), "changed.yaml")
    workspace_env.reset_log()
    assert cli("apply", str(changed), "--auto-approve", "--quiet").code == 0
    # The re-read under the deploy lock looks for another apply, which the lists and the schedule
    # jobs' digests show: it need not fetch every pipeline's settings a second time.
    assert reads(workspace_env)["pipelines/get"] == 12, reads(workspace_env)


def sharing_pack_text(shares: int, recipients: int) -> str:
    names = [f"partner_{r:02d}" for r in range(recipients)]
    lines = ["metadata:", "  name: cost", "recipient:"]
    for r, name in enumerate(names):
        lines += [f"  - name: {name}", "    type: D2O", f"    recipient_ips: [203.0.113.{r}]"]
    lines.append("share:")
    for s in range(shares):
        lines += [f"  - name: share_{s:02d}", "    share_assets:"]
        lines += [f"      - src.db{s}.t{t}" for t in range(4)]
        lines.append(f"    recipients: [{names[s % recipients]}, {names[(s + 1) % recipients]}]")
    return "\n".join(lines) + "\n"


def test_a_noop_sharing_plan_reads_each_share_once_and_lists_recipients_once(
    cli: Any, workspace_env: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, sharing_pack_text(5, 5))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    workspace_env.reset_log()
    result = cli("plan", str(pack))
    assert result.code == 0 and "25 resource(s) unchanged" in result.stdout, result.output
    # Recipient lists carry every field we compare; share lists carry no objects, so each share
    # costs one GET with its objects and one permissions page. The pipeline and job lists look
    # for pipelines of this pack that are no longer declared. Nothing is read twice.
    assert Counter(r.endpoint for r in workspace_env.request_log()) == Counter(
        {
            "recipients/list": 1,
            "shares/get": 5,
            "shares/permissions": 5,
            "pipelines/list": 1,
            "jobs/list": 1,
        }
    )


def test_a_share_with_more_grants_than_a_page_reads_each_permissions_page(
    cli: Any, workspace_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sharepack.kinds import sharing_state

    monkeypatch.setattr(sharing_state, "PAGE_SIZE", 2)  # 5 grants on one share: 3 pages
    text = sharing_pack_text(1, 5).replace(
        "recipients: [partner_00, partner_01]",
        "recipients: [partner_00, partner_01, partner_02, partner_03, partner_04]",
    )
    pack = write_pack(tmp_path, text)
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    workspace_env.reset_log()
    assert cli("plan", str(pack), "--detailed-exitcode").code == 0
    counts = Counter(r.endpoint for r in workspace_env.request_log())
    assert (counts["shares/get"], counts["shares/permissions"], counts["recipients/list"]) == (1, 3, 3), (
        counts
    )


def test_destroy_deletes_the_code_folder_in_one_call_without_reading_its_files(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(6))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    workspace_env.reset_log()
    result = cli("destroy", str(pack), "--auto-approve")
    assert result.code == 0, result.output
    counts = reads(workspace_env)
    # Each file is the code of a pipeline whose settings (read for its ownership tags) name it:
    # that pipeline vouches for it, so no file is read. The one export is the deploy lock's file.
    assert counts["workspace/export"] == 1, counts
    writes = Counter(r.endpoint for r in workspace_env.request_log() if r.method in ("POST", "DELETE"))
    deletes = (writes["pipelines/delete"], writes["jobs/delete"], writes["workspace/delete"])
    assert deletes == (6, 6, 1 + 1), writes  # the code folder, recursively, and the lock
    assert list(client.pipelines.list_pipelines()) == []


def test_a_destroy_finished_after_its_pipelines_went_reads_each_leftover_file_before_deleting_it(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(3))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    gone = next(p for p in client.pipelines.list_pipelines() if p.name == "p000")
    client.pipelines.delete(gone.pipeline_id)  # as an earlier destroy, interrupted, left it
    workspace_env.reset_log()
    assert cli("destroy", str(pack), "--auto-approve").code == 0, "destroy failed"
    # Nothing vouches for p000's file any more: its mark is read, then it is deleted on its own.
    assert reads(workspace_env)["workspace/export"] == 1 + 1, reads(workspace_env)
    writes = Counter(r.endpoint for r in workspace_env.request_log() if r.method in ("POST", "DELETE"))
    assert writes["workspace/delete"] == 3 + 1, writes
    assert list(client.workspace.list("/Workspace/Shared/.sharepack/cost/pipelines")) == []


def test_a_prune_of_every_pipeline_deletes_the_code_folder_in_one_call(
    cli: Any, workspace_env: Any, client: Any, tmp_path: Path
) -> None:
    pack = write_pack(tmp_path, pack_text(3))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    sharing_only = "metadata:\n  name: cost\nrecipient:\n  - name: r1\n"
    sharing_only += "    type: D2O\n    recipient_ips: [198.51.100.1]\n"
    pack.write_text(sharing_only, encoding="utf-8")
    workspace_env.reset_log()
    result = cli("apply", str(pack), "--prune", "--auto-approve")
    assert result.code == 0, result.output
    writes = Counter(r.endpoint for r in workspace_env.request_log() if r.method in ("POST", "DELETE"))
    assert (writes["pipelines/delete"], writes["jobs/delete"], writes["workspace/delete"]) == (3, 3, 1 + 1), (
        writes
    )
    assert list(client.pipelines.list_pipelines()) == []
    assert [o.path for o in client.workspace.list("/Workspace/Shared/.sharepack/cost")] == []
