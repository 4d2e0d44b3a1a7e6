"""Requests paced to the workspace's published rate limits: a big apply or destroy is not refused."""

from __future__ import annotations

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
    from sharepack.emulator.lite_faults import REALISTIC_LIMITS

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


def test_an_apply_and_a_destroy_past_the_rate_limits_are_never_refused(
    cli: Any, limited: Any, tmp_path: Path
) -> None:
    # 30 pipelines: more creates, reads and deletes than one second of each endpoint's limit.
    pack = write_pack(tmp_path, pack_text(30))
    assert cli("apply", str(pack), "--auto-approve", "--quiet").code == 0
    assert cli("destroy", str(pack), "--auto-approve").code == 0
    refused = [r.endpoint for r in limited.request_log() if r.status == 429]
    # Writes are paced from the start; a settings read only once the workspace refused one (a
    # workspace that never throttles reads is read at full speed): only reads already on their way
    # when the first refusal came (the 8 readers, each probing once more at most).
    assert [e for e in refused if e != "pipelines/get"] == [], refused
    assert refused.count("pipelines/get") <= 16, refused
    written = {r.endpoint for r in limited.request_log() if r.method != "GET"}
    assert {"pipelines/create", "jobs/create", "pipelines/delete", "jobs/delete"} <= written


def test_each_endpoint_has_its_own_budget_and_a_burst_of_one_second_waits_for_nothing() -> None:
    pacer = Pacer({"jobs/delete": 10.0, "pipelines/": 20.0}, headroom=1.0)
    assert [pacer.delay("jobs/delete") for _ in range(10)] == [0.0] * 10
    assert pacer.delay("jobs/delete") > 0  # the eleventh waits for its slot
    assert pacer.delay("pipelines/delete") == 0.0  # another endpoint: untouched budget
    assert pacer.delay("workspace/delete") == 0.0  # no published limit: never waits
    assert [pacer.delay("pipelines/get") for _ in range(40)] == [0.0] * 40  # not refused yet
    pacer.refused("pipelines/get")
    assert pacer.delay("pipelines/get") > 0  # refused once: paced, from an empty budget
