"""Counting what a workspace holds: the measure of convergence."""

from __future__ import annotations

from collections import Counter
from typing import Any


def census(client: Any) -> tuple[Counter[str], Counter[str]]:
    pipelines = Counter(p.name for p in client.pipelines.list_pipelines())
    jobs = Counter(j.settings.name for j in client.jobs.list())
    return pipelines, jobs


def pack_yaml(n: int) -> str:
    lines = [
        "metadata: {name: reliable}",
        "share:",
        "  - name: s",
        "    delta_share: {ext_catalog_name: cat, ext_schema_name: sch}",
        "    share_assets:",
    ]
    lines += [f"      - src.db.t{i}" for i in range(n)]
    lines.append("    pipelines:")
    for i in range(n):
        lines += [
            f"      - name_prefix: p{i:03d}",
            f"        source_asset: src.db.t{i}",
            f'        schedule: {{cron: "0 {i % 60} 3 * * ?", timezone: UTC}}',
        ]
    return "\n".join(lines) + "\n"


def assert_exactly_declared(client: Any, n: int) -> None:
    pipelines, jobs = census(client)
    assert pipelines == Counter({f"p{i:03d}": 1 for i in range(n)}), pipelines
    assert jobs == Counter({f"p{i:03d}_schedule": 1 for i in range(n)}), jobs
