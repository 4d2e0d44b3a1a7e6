"""SharePacks of N pipelines, each with a schedule, written as YAML text."""

from __future__ import annotations

from pathlib import Path

TIMEZONES = ("UTC", "America/New_York", "Europe/Paris", "Asia/Tokyo")


def pack_yaml(n: int, *, name: str = "bench", changed_every: int = 0, share: str = "bench_share") -> str:
    """A pack with `n` pipelines; with `changed_every=10`, every 10th schedule fires an hour later."""
    lines = [
        "metadata:",
        f"  name: {name}",
        "share:",
        f"  - name: {share}",
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


def write_pack(
    directory: Path, n: int, *, name: str = "bench", changed_every: int = 0, share: str = "bench_share"
) -> Path:
    path = directory / f"{name}_{n}.yaml"
    path.write_text(pack_yaml(n, name=name, changed_every=changed_every, share=share), encoding="utf-8")
    return path


def sharing_pack_yaml(shares: int, objects: int, recipients: int, *, name: str = "bench_sharing") -> str:
    """A pack of only Delta Sharing: `recipients` recipients (every fifth D2D, each on a metastore
    of its own, the rest D2O with an IP list), `shares` shares of `objects` tables each, every
    share granted to three recipients."""
    import uuid

    lines = ["metadata:", f"  name: {name}", "recipient:"]
    for r in range(recipients):
        lines.append(f"  - name: partner_{r:03d}")
        if r % 5 == 0:
            metastore = uuid.uuid5(uuid.NAMESPACE_DNS, f"partner-{r}.example")
            lines += ["    type: D2D", f"    recipient_databricks_org: aws:us-east-1:{metastore}"]
        else:
            lines += ["    type: D2O", f"    recipient_ips: [198.51.100.{r % 250}]", "    token_expiry: 90"]
    lines.append("share:")
    for s in range(shares):
        lines += [f"  - name: bench_share_{s:03d}", f"    comment: benchmark share {s}", "    share_assets:"]
        lines += [f"      - src.db_{s:03d}.table_{o:03d}" for o in range(objects)]
        granted = ", ".join(f"partner_{(s * 3 + k) % recipients:03d}" for k in range(3))
        lines.append(f"    recipients: [{granted}]")
    return "\n".join(lines) + "\n"


def write_sharing_pack(directory: Path, shares: int, objects: int, recipients: int) -> Path:
    path = directory / f"sharing_{shares}x{objects}_{recipients}.yaml"
    path.write_text(sharing_pack_yaml(shares, objects, recipients), encoding="utf-8")
    return path
