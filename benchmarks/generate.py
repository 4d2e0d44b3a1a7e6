"""SharePacks of N pipelines, each with a schedule, written as YAML text."""

from __future__ import annotations

from pathlib import Path

TIMEZONES = ("UTC", "America/New_York", "Europe/Paris", "Asia/Tokyo")


def pack_yaml(n: int, *, name: str = "bench", changed_every: int = 0) -> str:
    """A pack with `n` pipelines; with `changed_every=10`, every 10th schedule fires an hour later."""
    lines = [
        "metadata:",
        f"  name: {name}",
        "share:",
        "  - name: bench_share",
        "    delta_share:",
        "      ext_catalog_name: bench_catalog",
        "      ext_schema_name: bench_schema",
        "    share_assets:",
    ]
    lines += [f"      - src.sales.table_{i:05d}" for i in range(n)]
    lines.append("    pipelines:")
    for i in range(n):
        hour = (i % 24 + (1 if changed_every and i % changed_every == 0 else 0)) % 24
        lines += [
            f"      - name_prefix: {name}_pipeline_{i:05d}",
            f"        source_asset: src.sales.table_{i:05d}",
            "        schedule:",
            f'          cron: "0 {i % 60} {hour} * * ?"',
            f'          timezone: "{TIMEZONES[i % len(TIMEZONES)]}"',
        ]
    return "\n".join(lines) + "\n"


def write_pack(directory: Path, n: int, *, name: str = "bench", changed_every: int = 0) -> Path:
    path = directory / f"{name}_{n}.yaml"
    path.write_text(pack_yaml(n, name=name, changed_every=changed_every), encoding="utf-8")
    return path
