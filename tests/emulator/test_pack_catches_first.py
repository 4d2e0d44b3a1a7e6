"""What the emulator refuses (test_refusals.py), a pack that could express it is refused first, at its line.

Not expressible in a pack, so only the service refuses them: a task with no task type or a
2.0-style top-level task (sharepack writes pipeline tasks), `max_concurrent_runs` (always 1),
`schema` with `target` (sharepack writes only `schema`), and the Workspace API cases (sharepack
writes one base64 lock file and deletes only it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sharepack.pack.job_limits import task_key
from sharepack.pack.job_limits import task_key as _task_key
from tests.pack.helpers import problems_of


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _pipelines(*names: str, extra: str = "") -> str:
    text = "pipelines:\n"
    for i, name in enumerate(names):
        text += f"  - name_prefix: {name}\n    source_asset: c.s.t{i}\n{extra}"
    return text


CASES = {
    "duplicate-task-key": (
        _pipelines("a") + "jobs:\n  j:\n    pipelines: [a, a]\n",
        "pipeline 'a' is already used",
    ),
    "task-keys-that-collide-after-cleaning": (
        _pipelines("etl.orders", "etl_orders") + "jobs:\n  j:\n    pipelines: [etl.orders, etl_orders]\n",
        "would both run as task 'etl_orders'",
    ),
    "dependency-cycle": (
        _pipelines("a", "b")
        + "jobs:\n  j:\n    tasks:\n"
        + "      - {pipeline: a, depends_on: [b]}\n      - {pipeline: b, depends_on: [a]}\n",
        "depend on each other in a cycle",
    ),
    "missing-dependency": (
        _pipelines("a") + "jobs:\n  j:\n    tasks:\n      - {pipeline: a, depends_on: [nope]}\n",
        "'nope' is not a task of this job",
    ),
    "unknown-pipeline": (
        _pipelines("a") + "jobs:\n  j:\n    pipelines: [a, ghost]\n",
        "'ghost' is not a pipeline of this pack",
    ),
    "26-tags": (
        _pipelines("a")
        + "jobs:\n  j:\n    pipelines: [a]\n    tags: {"
        + ", ".join(f"k{i}: v" for i in range(26))
        + "}\n",
        "Databricks allows 25 per pipeline or job",
    ),
    "tag-key-too-long": (
        _pipelines("a") + f"jobs:\n  j:\n    pipelines: [a]\n    tags: {{{'k' * 128}: v}}\n",
        "longer than 127 characters",
    ),
    "tag-value-too-long": (
        _pipelines("a") + f"jobs:\n  j:\n    pipelines: [a]\n    tags: {{k: {'v' * 256}}}\n",
        "longer than 255 characters",
    ),
    "1001-tasks": (
        _pipelines(*[f"p{i}" for i in range(1001)])
        + "jobs:\n  j:\n    pipelines: ["
        + ", ".join(f"p{i}" for i in range(1001))
        + "]\n",
        "Databricks allows at most 1000 tasks a job",
    ),
    "dotted-schema": (_pipelines("a", extra="    schema: main.sales\n"), "contains a period"),
    "unknown-edition": (_pipelines("a", extra="    edition: ENTERPRISE\n"), "edition"),
    "unknown-channel": (_pipelines("a", extra="    channel: BETA\n"), "channel"),
    "duplicate-pipeline-name": (_pipelines("a", "a"), "pipeline name 'a' is already used"),
}


@pytest.mark.parametrize(("body", "fragment"), CASES.values(), ids=CASES.keys())
def test_the_pack_is_refused_before_anything_is_sent(tmp_path: Path, body: str, fragment: str) -> None:
    problems = problems_of(_pack(tmp_path, body))
    assert any(fragment in p for p in problems), problems


def test_task_keys_are_what_the_jobs_api_accepts() -> None:
    assert task_key("café.orders") == "caf__orders"  # not "café_orders": \w is ASCII to the API
    assert task_key("x" * 150) == "x" * 100
    assert _task_key("a-b_c.d") == task_key("a-b_c.d") == "a-b_c_d"
