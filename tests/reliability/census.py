"""Counting what a workspace holds: the measure of convergence."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.helpers import list_shares


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


# -- Delta Sharing -------------------------------------------------------------------------------
# D2D recipients need metastores of their own: the emulator refuses two recipients for one.
_METASTORES = (
    "aws:eu-west-1:0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3",
    "azure:westeurope:7d0a61b2-5c1e-4f3a-9b8c-0d1e2f3a4b5c",
)


def sharing_pack_yaml(shares: int, tables: int, *, pipelines: int = 1) -> str:
    """Two D2D recipients and one D2O, `shares` shares of `tables` tables each (share 0 also
    shares a whole schema) granted in a pattern that gives every share one or two recipients,
    and `pipelines` pipelines on the first share."""
    lines = ["metadata: {name: reliable}", "recipient:"]
    for i, metastore in enumerate(_METASTORES):
        lines += [f"  - name: d2d_{i}", "    type: D2D", f"    recipient_databricks_org: {metastore}"]
    lines += [
        "  - name: d2o_0",
        "    type: D2O",
        "    recipient: partner@example.com",
        "    recipient_ips: [203.0.113.7, 198.51.100.0/24]",
        "    token_expiry: 30",
        "share:",
    ]
    for s in range(shares):
        lines += [f"  - name: share_{s}", f"    comment: share number {s}", "    share_assets:"]
        lines += [f"      - src.db{s}.t{t}" for t in range(tables)]
        if s == 0:
            lines.append("      - src.whole_schema")
        lines.append(f"    recipients: {declared_grants(s)}".replace("'", ""))
        if s == 0 and pipelines:
            lines += ["    delta_share: {ext_catalog_name: cat, ext_schema_name: sch}", "    pipelines:"]
            for p in range(pipelines):
                lines += [
                    f"      - name_prefix: sp{p:03d}",
                    f"        source_asset: src.db0.t{p % tables}",
                    "        schedule: {every: 1h}",
                ]
    return "\n".join(lines) + "\n"


def declared_grants(share: int) -> list[str]:
    return [["d2d_0", "d2o_0"], ["d2d_1"], ["d2d_0", "d2d_1", "d2o_0"]][share % 3]


def sharing_census(client: Any) -> dict[str, Any]:
    """Every name as often as the metastore lists it: a duplicate shows as a count of 2."""
    recipients = Counter(r.name for r in client.recipients.list())
    shares = Counter(s.name for s in list_shares(client))
    objects = {
        name: Counter(o.name for o in client.shares.get(name, include_shared_data=True).objects or [])
        for name in shares
    }
    grants: dict[str, Counter[str]] = {}
    for name in shares:
        held: Counter[str] = Counter()
        token = None
        while True:  # permissions are paged
            page = client.shares.share_permissions(name, max_results=0, page_token=token)
            held.update(a.principal for a in page.privilege_assignments or [])
            token = page.next_page_token
            if not token:
                break
        grants[name] = held
    return {"recipients": recipients, "shares": shares, "objects": objects, "grants": grants}


def assert_sharing_exactly_declared(client: Any, shares: int, tables: int, *, pipelines: int = 1) -> None:
    found = sharing_census(client)
    assert found["recipients"] == Counter({"d2d_0": 1, "d2d_1": 1, "d2o_0": 1}), found["recipients"]
    assert found["shares"] == Counter({f"share_{s}": 1 for s in range(shares)}), found["shares"]
    for s in range(shares):
        wanted = Counter({f"src.db{s}.t{t}": 1 for t in range(tables)})
        if s == 0:
            wanted["src.whole_schema"] = 1
        assert found["objects"][f"share_{s}"] == wanted, (s, found["objects"][f"share_{s}"])
        assert found["grants"][f"share_{s}"] == Counter(declared_grants(s)), (s, found["grants"])
    assert Counter(p.name for p in client.pipelines.list_pipelines()) == Counter(
        {f"sp{p:03d}": 1 for p in range(pipelines)}
    )
    assert Counter(j.settings.name for j in client.jobs.list()) == Counter(
        {f"sp{p:03d}_schedule": 1 for p in range(pipelines)}
    )
