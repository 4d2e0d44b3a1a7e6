"""The issue's targets, checked against one benchmark run: what was met, what was missed, by how much."""

from __future__ import annotations

from typing import Any

LATENCY_S = 0.05


def _find(records: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    for record in records:
        if all(record.get(k) == v for k, v in match.items()):
            return record
    return None


def check(records: list[dict[str, Any]]) -> list[tuple[str, bool, str]]:
    """(target, met, measured) for every target the run has the records for."""
    results: list[tuple[str, bool, str]] = []
    for regime in ("latency", "realistic"):
        noop = _find(records, scenario="noop_plan", regime=regime, n=1000, tool="sharepack")
        if noop:
            limit = 2 * noop["requests"] * LATENCY_S
            results.append(
                (
                    f"no-change plan, N=1000, {regime}: ≤ 25 requests",
                    noop["requests"] <= 25,
                    str(noop["requests"]),
                )
            )
            results.append(
                (
                    f"no-change plan, N=1000, {regime}: net wall ≤ 2×(requests×latency) = {limit:.2f} s",
                    noop["net_s"] <= limit,
                    f"net {noop['net_s']:.2f} s, wall {noop['wall_s']:.2f} s",
                )
            )
            results.append(
                (
                    f"no-change plan, N=1000, {regime}: wall incl. start-up ≤ {limit:.2f} s",
                    noop["wall_s"] <= limit,
                    f"{noop['wall_s']:.2f} s",
                )
            )
        fresh = _find(records, scenario="fresh_apply", regime=regime, n=1000, tool="sharepack")
        if fresh:
            wall_ratio = fresh["wall_s"] / fresh["floor_s"] if fresh["floor_s"] else None
            results.append(
                (
                    f"fresh apply, N=1000, {regime}: wall incl. start-up ≤ 1.3× floor",
                    wall_ratio is not None and wall_ratio <= 1.3,
                    f"{wall_ratio:.2f}×" if wall_ratio is not None else "no floor",
                )
            )
            results.append(
                (
                    f"fresh apply, N=1000, {regime}: net wall ≤ 1.3× floor ({fresh['floor_s']:.2f} s)",
                    fresh["net_ratio_to_floor"] is not None and fresh["net_ratio_to_floor"] <= 1.3,
                    f"{fresh['net_ratio_to_floor']}× (net {fresh['net_s']:.2f} s)",
                )
            )
            base = _find(records, scenario="fresh_apply", regime=regime, n=1000, tool="baseline")
            if regime == "latency" and base:
                speedup = base["wall_s"] / fresh["wall_s"]
                results.append(
                    (
                        "fresh apply, N=1000, latency: ≥ 6× faster than the baseline",
                        speedup >= 6,
                        f"{speedup:.1f}×",
                    )
                )
            if regime == "realistic":
                ok = fresh["failed_requests"] == 0 and fresh["exit_code"] == 0
                results.append(
                    (
                        "fresh apply, N=1000, realistic: zero failed requests",
                        ok,
                        f"{fresh['failed_requests']} failed, {fresh['throttled']} 429s absorbed",
                    )
                )
        crowded = _find(records, scenario="crowded_noop_plan", regime=regime, tool="sharepack")
        if crowded:
            results.append(
                (
                    f"crowded workspace, {regime}: no-change plan ≤ 20 requests",
                    crowded["requests"] <= 20,
                    str(crowded["requests"]),
                )
            )
    validate = _find(records, scenario="validate", n=1000)
    if validate:
        results.append(
            ("validate of 1,000 pipelines < 1 s", validate["wall_s"] < 1, f"{validate['wall_s']:.2f} s")
        )
        results.append(
            (
                "validate of 1,000 pipelines < 150 MB",
                validate["peak_rss_mb"] < 150,
                f"{validate['peak_rss_mb']:.0f} MB",
            )
        )
        results.append(
            (
                "validate and --help import neither the SDK nor rich",
                not validate["heavy_imports"],
                ", ".join(validate["heavy_imports"]) or "none imported",
            )
        )
    return results


def print_targets(records: list[dict[str, Any]]) -> None:
    print("\ntargets:")
    for target, met, measured in check(records):
        print(f"  {'MET ' if met else 'MISS'}  {target}: {measured}")
