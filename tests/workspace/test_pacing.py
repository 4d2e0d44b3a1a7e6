"""Requests paced to the workspace's published rate limits: a big apply or destroy is not refused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sharepack.workspace.pacing import Pacer
from tests.conftest import TOKEN
from tests.helpers import write_pack


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An emulator holding Databricks' published per-workspace limits, answering at once."""
    from sharepack.emulator import Emulator, EmulatorConfig
    from sharepack.emulator.server.faults import REALISTIC_LIMITS

    config = EmulatorConfig(token=TOKEN, run_duration_s=0, rate_limits=dict(REALISTIC_LIMITS))
    with Emulator(config) as emulator:
        monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
        yield emulator


def pack_text(n: int) -> str:
    pipelines = "\n".join(
        f"  - name_prefix: paced{i:03d}\n    source_asset: c.s.t{i}\n    schedule: {{every: 1h}}"
        for i in range(n)
    )
    return f"metadata:\n  name: paced\npipelines:\n{pipelines}\n"


def test_an_apply_and_a_destroy_past_the_rate_limits_see_at_most_one_refused_burst_an_endpoint(
    cli: Any, limited: Any, tmp_path: Path
) -> None:
    # 30 pipelines: more creates, reads and deletes than one second of each endpoint's limit.
    pack = write_pack(tmp_path, pack_text(30))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    assert cli("destroy", str(pack), "--auto-approve").code == 0
    refused = Counter(r.endpoint for r in limited.request_log() if r.status == 429)
    # Each endpoint is paced from its first 429 on (a workspace that never throttles is written at
    # full speed): only the requests already on their way then are refused, 8 at once at most.
    assert all(count <= 8 for count in refused.values()), refused
    written = {r.endpoint for r in limited.request_log() if r.method != "GET"}
    assert {"pipelines/create", "jobs/create", "pipelines/delete", "jobs/delete"} <= written


def test_an_endpoint_waits_only_after_the_workspace_refused_it_and_each_has_its_own_budget() -> None:
    pacer = Pacer({"jobs/delete": 10.0, "pipelines/": 20.0}, headroom=1.0)
    assert [pacer.delay("jobs/delete") for _ in range(40)] == [0.0] * 40  # not refused yet
    pacer.refused("jobs/delete")
    pacer.refused("pipelines/delete")
    assert pacer.delay("jobs/delete") > 0  # refused once: paced, from an empty budget
    assert pacer.delay("jobs/delete") > 0
    assert pacer.delay("pipelines/delete") > 0  # its own budget, empty too after its own refusal
    assert pacer.delay("workspace/delete") == 0.0  # no published limit: never waits
    assert pacer.delay("pipelines/get") == 0.0  # refused elsewhere, not here: untouched
