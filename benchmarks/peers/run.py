"""`make bench-peers`: sharepack against `databricks bundle deploy` (direct engine) on the same work.

For each regime (latency-bound: 50 ms a request; `--realistic`: 50 ms and Databricks' published
rate limits) and each N, both tools get a fresh emulator of their own and do, one after another:
a fresh deploy, a no-change redeploy, a no-change plan (the CLI's must be empty: anything in it
is an emulator fidelity bug), a redeploy with 10% of the schedules changed, and a destroy.
Rows go to benchmarks/results.json (`suite: peers`) and one table with the ratios is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import emulator_process
from benchmarks.measure import Measurement, run_measured
from benchmarks.peers import databricks_cli
from benchmarks.peers.workload import write_bundle, write_pack
from benchmarks.run import REGIMES, RESULTS

SUITE = "peers"
SCENARIOS = ("fresh_deploy", "noop_redeploy", "noop_plan", "changed_10pct", "destroy")
# A tool that has not finished one step by then is killed and the step recorded as failed.
STEP_TIMEOUT_S = 1800.0


def _sharepack_version() -> str:
    from importlib.metadata import version

    return version("sharepack")


def record(
    scenario: str, regime: str, n: int, tool: str, version: str, startup_s: float, m: Measurement
) -> dict[str, Any]:
    """One row. *net* is wall time less the tool's own start-up: for the Go CLI, `databricks
    version` measured once per run; sharepack's is timed inside the process (benchmarks.timed_cli:
    the command after its imports), since a Python start-up measured apart varies by seconds on a
    busy machine. *network* (sharepack only) is its first request sent to its last answer."""
    row: dict[str, Any] = {
        "suite": SUITE,
        "scenario": scenario,
        "regime": regime,
        "n": n,
        "tool": tool,
        "version": version,
        "wall_s": m.wall_s,
        "startup_s": round(m.wall_s - m.command_s, 3) if m.command_s is not None else startup_s,
        "net_s": m.command_s if m.command_s is not None else max(0.0, round(m.wall_s - startup_s, 3)),
        "requests": m.requests,
        "requests_per_resource": round(m.requests / (2 * n), 2),
        "mutating_requests": m.mutating_requests,
        "throttled": m.throttled,
        "failed_requests": m.failed,
        "peak_rss_mb": m.peak_rss_mb,
        "exit_code": m.exit_code,
        "requests_by_endpoint": m.by_endpoint,
    }
    if m.network_s is not None:
        row["network_s"] = m.network_s
    if m.exit_code not in (0, 2):
        row["error"] = m.stderr_tail[-600:]
    return row


def sharepack_scenarios(n: int, regime: str, workdir: Path) -> list[dict[str, Any]]:
    pack = write_pack(workdir / "peers.yaml", n)
    changed = write_pack(workdir / "changed" / "peers.yaml", n, changed_every=10)
    version = _sharepack_version()
    emulator = emulator_process.start(*REGIMES[regime])

    def step(scenario: str, *args: str) -> dict[str, Any]:
        m = run_measured(
            emulator,
            [*args, "--host", emulator.url],
            module="benchmarks.timed_cli",
            cwd=workdir,
            timeout_s=STEP_TIMEOUT_S,
        )
        return record(scenario, regime, n, "sharepack", version, 0.0, m)

    try:
        return [
            step("fresh_deploy", "apply", str(pack), "--auto-approve", "--quiet"),
            step("noop_redeploy", "apply", str(pack), "--auto-approve", "--quiet"),
            step("noop_plan", "plan", str(pack)),
            step("changed_10pct", "apply", str(changed), "--auto-approve", "--quiet"),
            step("destroy", "destroy", str(changed), "--auto-approve"),
        ]
    finally:
        emulator.stop()


def plan_changes(plan_json: Path) -> dict[str, Any]:
    """What `databricks bundle plan -o json` would change: every entry whose action is not skip."""
    try:
        plan = json.loads(plan_json.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return {"readable": False, "why": str(exc)}
    entries = plan.get("plan") or {}
    changed = {
        key: {"action": entry.get("action"), "changes": entry.get("changes")}
        for key, entry in entries.items()
        if entry.get("action") not in ("skip", "", None)
    }
    return {"readable": True, "resources": len(entries), "changed": changed}


def dabs_scenarios(
    n: int, regime: str, workdir: Path, binary: Path, startup_s: float, rate_limit: int | None = None
) -> list[dict[str, Any]]:
    """`rate_limit`: the Go SDK's client-side requests/s (DATABRICKS_RATE_LIMIT), else its default."""
    pack = write_pack(workdir / "peers.yaml", n)
    changed = write_pack(workdir / "changed" / "peers.yaml", n, changed_every=10)
    bundle = workdir / "bundle"
    write_bundle(pack, bundle)
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env = databricks_cli.environment(home)
    if rate_limit:
        env["DATABRICKS_RATE_LIMIT"] = str(rate_limit)
    emulator = emulator_process.start(*REGIMES[regime])

    def step(scenario: str, *args: str, stdout: Path | None = None) -> dict[str, Any]:
        m = run_measured(
            emulator,
            list(args),
            program=[str(binary)],
            env=env,
            cwd=bundle,
            stdout=stdout,
            timeout_s=STEP_TIMEOUT_S,
        )
        return record(scenario, regime, n, "dabs", databricks_cli.VERSION, startup_s, m)

    try:
        rows = [step("fresh_deploy", "bundle", "deploy"), step("noop_redeploy", "bundle", "deploy")]
        plan_out = workdir / "plan.json"
        plan = step("noop_plan", "bundle", "plan", "-o", "json", stdout=plan_out)
        plan["plan_after_noop"] = plan_changes(plan_out)
        rows.append(plan)
        write_bundle(changed, bundle)  # the same folder: the CLI's local state stays
        rows.append(step("changed_10pct", "bundle", "deploy"))
        rows.append(step("destroy", "bundle", "destroy", "--auto-approve"))
        return rows
    finally:
        emulator.stop()


COLUMNS: tuple[tuple[str, int, Callable[[dict[str, Any], dict[str, Any]], str]], ...] = (
    ("scenario", -14, lambda s, d: s["scenario"]),
    ("regime", -9, lambda s, d: s["regime"]),
    ("n", 5, lambda s, d: str(s["n"])),
    ("sp wall", 8, lambda s, d: _seconds(s)),
    ("sp net", 7, lambda s, d: f"{s['net_s']:.2f}"),
    ("sp req", 7, lambda s, d: str(s["requests"])),
    ("dabs wall", 9, lambda s, d: _seconds(d)),
    ("dabs net", 8, lambda s, d: f"{d['net_s']:.2f}"),
    ("dabs req", 8, lambda s, d: str(d["requests"])),
    ("wall ×", 7, lambda s, d: _ratio(d["wall_s"], s["wall_s"])),
    ("net ×", 7, lambda s, d: _ratio(d["net_s"], s["net_s"])),
    ("req ×", 6, lambda s, d: _ratio(d["requests"], s["requests"])),
)


def _seconds(row: dict[str, Any]) -> str:
    return f"{row['wall_s']:.2f}" + ("!" if row["exit_code"] not in (0, 2) else "")


def _ratio(peer: float, ours: float) -> str:
    return f"{peer / ours:.1f}" if ours else "–"


def _line(values: list[str]) -> str:
    cells = zip(values, COLUMNS, strict=True)
    return " ".join(f"{v:<{-w}}" if w < 0 else f"{v:>{w}}" for v, (_, w, _) in cells)


def pairs(records: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(sharepack row, dabs row) per scenario, regime and N, in run order."""
    dabs = {(r["scenario"], r["regime"], r["n"]): r for r in records if r["tool"] == "dabs"}
    return [
        (r, dabs[(r["scenario"], r["regime"], r["n"])])
        for r in records
        if r["tool"] == "sharepack" and (r["scenario"], r["regime"], r["n"]) in dabs
    ]


def print_table(records: list[dict[str, Any]]) -> None:
    header = _line([title for title, _, _ in COLUMNS])
    print(header)
    print("-" * len(header))
    for ours, theirs in pairs(records):
        print(_line([value(ours, theirs) for _, _, value in COLUMNS]))
    print("ratios: dabs ÷ sharepack (above 1: sharepack is ahead); '!' marks a step that failed")


def targets(records: list[dict[str, Any]]) -> list[str]:
    """The issue's targets, on wall time, each MET or MISS."""
    lines = []
    for ours, theirs in pairs(records):
        if ours["n"] < 100 or ours["scenario"] == "noop_plan":
            continue
        label = f"{ours['scenario']} {ours['regime']} N={ours['n']}"
        need = 1.0
        if ours["regime"] == "latency" and ours["scenario"] == "noop_redeploy":
            need = 3.0
        elif ours["regime"] == "latency" and ours["scenario"] == "fresh_deploy":
            need = 1.5
        speedup = theirs["wall_s"] / ours["wall_s"] if ours["wall_s"] else 0.0
        fewer = ours["requests"] <= theirs["requests"]
        ok = speedup > need and fewer and theirs["exit_code"] in (0, 2) and ours["exit_code"] in (0, 2)
        lines.append(
            f"{'MET ' if ok else 'MISS'} {label}: sharepack {speedup:.1f}× faster (needs > {need:g}×), "
            f"{ours['requests_per_resource']} vs {theirs['requests_per_resource']} requests per resource"
        )
    return lines


def report_plans(records: list[dict[str, Any]]) -> None:
    for row in records:
        check = row.get("plan_after_noop")
        if check is None:
            continue
        where = f"{row['regime']} N={row['n']}"
        if not check.get("readable"):
            print(f"bundle plan after the no-change redeploy ({where}): unreadable: {check.get('why')}")
        elif check["changed"]:
            print(
                f"bundle plan after the no-change redeploy ({where}): {len(check['changed'])} of "
                f"{check['resources']} resources would change — an emulator fidelity bug:"
            )
            for key, entry in list(check["changed"].items())[:5]:
                print(f"  {entry['action']} {key}: {json.dumps(entry['changes'])[:400]}")
        else:
            unchanged = check["resources"]
            print(f"bundle plan after the no-change redeploy ({where}): empty ({unchanged} unchanged)")


def markdown(records: list[dict[str, Any]]) -> str:
    """The README's table, from recorded rows."""
    lines = [
        "| scenario | regime | N | sharepack wall s | net s | requests | writes | dabs wall s | net s | "
        "requests | writes | 429s (sp/dabs) | failed (sp/dabs) | peak MB (sp/dabs) | wall × | net × |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s, d in pairs(records):
        lines.append(
            f"| {s['scenario']} | {s['regime']} | {s['n']} | {_seconds(s)} | {s['net_s']:.2f} | "
            f"{s['requests']} | {s['mutating_requests']} | {_seconds(d)} | {d['net_s']:.2f} | "
            f"{d['requests']} | {d['mutating_requests']} | {s['throttled']}/{d['throttled']} | "
            f"{s['failed_requests']}/{d['failed_requests']} | "
            f"{s['peak_rss_mb']:.0f}/{d['peak_rss_mb']:.0f} | {_ratio(d['wall_s'], s['wall_s'])}× | "
            f"{_ratio(d['net_s'], s['net_s'])}× |"
        )
    return "\n".join(lines)


def write_results(records: list[dict[str, Any]], results: Path = RESULTS, suite: str = SUITE) -> None:
    """Replace this run's peers rows (same scenario, regime, N and tool); keep every other row."""
    key = lambda r: (r["scenario"], r["regime"], r["n"], r["tool"])  # noqa: E731
    fresh = {key(r) for r in records}
    kept = []
    if results.exists():
        kept = [
            r
            for r in json.loads(results.read_text(encoding="utf-8"))
            if r.get("suite") != suite or key(r) not in fresh
        ]
    results.write_text(json.dumps(kept + records, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 100, 1000], help="pipelines per pack")
    parser.add_argument("--regimes", nargs="*", choices=list(REGIMES), default=list(REGIMES))
    parser.add_argument(
        "--no-write", action="store_true", help="print the table, leave results.json as it is"
    )
    parser.add_argument(
        "--cli-rate-limit",
        type=int,
        metavar="RPS",
        help="run the CLI with DATABRICKS_RATE_LIMIT=RPS instead of the Go SDK's default 15/s "
        "(rows recorded as suite peers_cli_rate_limit_RPS)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="the results file to update")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the recorded peers rows as Markdown; run nothing",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        recorded = json.loads(args.results.read_text(encoding="utf-8"))
        for suite in sorted({str(r.get("suite")) for r in recorded if str(r.get("suite")).startswith(SUITE)}):
            rows = [r for r in recorded if r.get("suite") == suite]
            print(f"{suite}:\n{markdown(rows)}\n")
            for line in targets(rows):
                print(line)
            print()
        return 0
    try:
        binary = databricks_cli.ensure_cli()
    except databricks_cli.Unavailable as exc:
        print(f"bench-peers: skipped — {exc}")
        return 0
    cli_startup = databricks_cli.measure_startup(binary)
    print(
        f"Databricks CLI {databricks_cli.VERSION} ({binary}), start-up {cli_startup:.3f} s; "
        f"sharepack {_sharepack_version()} (start-up timed inside each run)",
        flush=True,
    )
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": os.cpu_count(),
    }
    suite = f"{SUITE}_cli_rate_limit_{args.cli_rate_limit}" if args.cli_rate_limit else SUITE
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for regime in args.regimes:
            for n in args.sizes:
                base = Path(tmp) / f"{regime}_{n}"
                print(f"… {regime} n={n}: sharepack", flush=True)
                step = sharepack_scenarios(n, regime, base / "sharepack")
                print(f"… {regime} n={n}: databricks bundle", flush=True)
                step += dabs_scenarios(n, regime, base / "dabs", binary, cli_startup, args.cli_rate_limit)
                # Other work on the machine shows in every time here: say how busy it was.
                load = [round(x, 2) for x in os.getloadavg()]
                for row in step:
                    row["machine"] = {**machine, "load_average": load}
                    row["suite"] = suite
                records += step
                if not args.no_write:  # each size as it is done: a long run stopped keeps what it measured
                    write_results(records, args.results, suite)
    print()
    print_table(records)
    print()
    report_plans(records)
    for line in targets(records):
        print(line)
    print(f"\nmachine: {machine}" + ("" if args.no_write else f"\nwritten: {args.results}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
