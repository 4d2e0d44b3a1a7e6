"""Limits of the Jobs API that a pack's orchestration jobs could break: checked before apply.

The emulator refuses the same (tests/emulator/test_refusals.py); here the pack names the line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sharepack.pack.checks import Checker

MAX_JOB_TASKS = 1000  # Jobs API: `tasks` "supports up to 1000 elements in write endpoints"
TASK_KEY_MAX = 100


def task_key(pipeline_name: str) -> str:
    """The task key of the task that runs a pipeline: [A-Za-z0-9_-], at most 100 characters."""
    cleaned = "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in pipeline_name)
    return cleaned[:TASK_KEY_MAX]


def check_job_limits(checker: Checker) -> None:
    """Task count, and task keys that two pipelines of one job would share."""
    by_declared = {p.declared_name: p for p in checker.pack.pipelines}
    for source in checker.resolution.jobs:
        spec = source.spec
        declared = spec.pipelines if spec.pipelines is not None else [t.pipeline for t in spec.tasks or []]
        field = "pipelines" if spec.pipelines is not None else "tasks"
        if len(declared) > MAX_JOB_TASKS:
            checker.report(
                (*source.path, field),
                f"the job runs {len(declared)} pipelines; "
                f"Databricks allows at most {MAX_JOB_TASKS} tasks a job",
                "split it into several jobs",
            )
        first: dict[str, str] = {}
        for i, name in enumerate(declared):
            pipeline = by_declared.get(name)
            if pipeline is None:
                continue  # reported by the reference check
            key = task_key(pipeline.name)
            other = first.setdefault(key, name)
            if other != name:
                path = (
                    (*source.path, "pipelines", i)
                    if spec.pipelines is not None
                    else (*source.path, "tasks", i, "pipeline")
                )
                checker.report(
                    path,
                    f"pipelines {other!r} and {name!r} would both run as task {key!r} "
                    "(a task key keeps only letters, digits, _ and -)",
                    "rename one of them so that they differ in a letter, digit, _ or -",
                )
