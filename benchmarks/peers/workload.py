"""The same work for both tools: a SharePack of N scheduled pipelines, and the Databricks Asset
Bundle that declares the very same pipelines and schedule jobs.

The bundle is derived from the pack through sharepack's own desired state (what `apply` sends),
so the two cannot drift apart: same names, catalog, schema, configuration, tags, generated code
(one .py file per pipeline, a `file` library) and the same schedule job per pipeline. The job's
pipeline task points at the bundle's pipeline (`${resources.pipelines.KEY.id}`) where sharepack
fills in the ID it created.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from benchmarks.generate import TIMEZONES
from sharepack.desired.build import desired_state
from sharepack.desired.state import PIPELINE_REF_PREFIX, DesiredState
from sharepack.pack import load_pack
from sharepack.sync.code import generated_sources

PACK_NAME = "peers"
CATALOG = "bench_catalog"
SCHEMA = "bench_schema"


def pack_yaml(n: int, *, changed_every: int = 0) -> str:
    """`n` pipelines outside any share (a bundle cannot declare a Delta share, so neither does
    the pack), each with a schedule; with `changed_every=10`, every 10th schedule fires an hour
    later — the change both tools then deploy."""
    lines = ["metadata:", f"  name: {PACK_NAME}", "pipelines:"]
    for i in range(n):
        hour = (i % 24 + (1 if changed_every and i % changed_every == 0 else 0)) % 24
        lines += [
            f"  - name_prefix: {PACK_NAME}_pipeline_{i:05d}",
            f"    source_asset: src.sales.table_{i:05d}",
            f"    catalog: {CATALOG}",
            f"    schema: {SCHEMA}",
            "    schedule:",
            f'      cron: "0 {i % 60} {hour} * * ?"',
            f'      timezone: "{TIMEZONES[i % len(TIMEZONES)]}"',
        ]
    return "\n".join(lines) + "\n"


def write_pack(path: Path, n: int, *, changed_every: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(pack_yaml(n, changed_every=changed_every), encoding="utf-8")
    return path


def _key(name: str) -> str:
    """A bundle resource key: the pipeline's name (already [a-z0-9_])."""
    return name


def _code_file(pipeline: str) -> str:
    return f"./pipelines/{pipeline}.py"


def bundle_config(desired: DesiredState, bundle_name: str) -> dict[str, Any]:
    """databricks.yml, as a mapping: every desired pipeline and job, as sharepack would send it."""
    pipelines: dict[str, Any] = {}
    for pipeline in desired.pipelines:
        spec = dict(pipeline.spec)
        if "libraries" in spec:  # the generated code travels with the bundle, as a file library
            spec["libraries"] = [{"file": {"path": _code_file(pipeline.name)}}]
        pipelines[_key(pipeline.name)] = spec
    jobs: dict[str, Any] = {}
    for job in desired.jobs:
        settings = dict(job.settings)
        settings["tasks"] = [_bundle_task(task) for task in settings["tasks"]]
        jobs[_key(job.name)] = settings
    return {
        "bundle": {"name": bundle_name},
        "resources": {"pipelines": pipelines, "jobs": jobs},
    }


def _bundle_task(task: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(task)
    ref = str(task["pipeline_task"]["pipeline_id"])
    pipeline = ref.removeprefix(PIPELINE_REF_PREFIX)
    reference = f"${{resources.pipelines.{_key(pipeline)}.id}}"
    result["pipeline_task"] = {**task["pipeline_task"], "pipeline_id": reference}
    return result


def write_bundle(pack: Path, directory: Path, *, bundle_name: str | None = None) -> Path:
    """Write (or rewrite, keeping the CLI's local state in .databricks/) the bundle of `pack` into
    `directory`: databricks.yml and pipelines/<name>.py. Returns databricks.yml's path."""
    loaded = load_pack(pack)
    desired = desired_state(loaded)
    code = directory / "pipelines"
    code.mkdir(parents=True, exist_ok=True)
    sources = generated_sources(loaded)
    for name, source in sources.items():
        target = code / f"{name}.py"
        if not target.exists() or target.read_text(encoding="utf-8") != source:
            target.write_text(source, encoding="utf-8")
    config = bundle_config(desired, bundle_name or f"{loaded.name}_{len(desired.pipelines)}")
    path = directory / "databricks.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, width=200), encoding="utf-8")
    return path
