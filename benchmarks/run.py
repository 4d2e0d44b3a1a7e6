"""`make bench` / `make bench-quick`: sharepack against the seed-000 baseline and the floor.

Every scenario runs against a fresh emulator process, in two regimes: latency-bound (50 ms a
request, no rate limit) and `--realistic` (50 ms and Databricks' published rate limits).
Results go to benchmarks/results.json and a table on the terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import emulator_process
from benchmarks.generate import write_pack, write_sharing_pack
from benchmarks.many_packs import many_packs
from benchmarks.measure import Measurement, run_measured
from benchmarks.startup_first_request import startup
from benchmarks.targets import print_targets

LATENCY_S = 0.05
PARALLELISM = 8
RESULTS = Path(__file__).with_name("results.json")
REGIMES = {"latency": ["--latency-ms", "50"], "realistic": ["--realistic"]}
# Databricks' published per-workspace limits (requests/s), as the emulator's --realistic profile.
RATE_LIMITS = {"jobs/create": 20, "jobs/reset": 20, "jobs/update": 10, "jobs/delete": 10, "pipelines": 20}


def _rate_for(endpoint: str) -> float:
    for key, rate in RATE_LIMITS.items():
        if key in endpoint:
            return rate
    return 20.0


SETTINGS_READ = "pipelines/get"
CODE_READ = "workspace/export"  # a pipeline's generated code, read to compare it exactly


def floor_seconds(m: Measurement, regime: str, *, read_only: bool) -> float:
    """Writes: mutating requests ÷ parallelism × latency, bounded below by the rate limits.

    A plan: its list pages one after another (the two kinds side by side), then one settings read
    per pipeline it compared exactly and one read of each generated code file, × latency: each
    kind 8 at once, the two kinds side by side (two readers, each with its own 8 connections, as
    on two endpoints with their own rate limits) — the settings reads bounded below by their rate
    limit in the realistic regime. A `--trust-digest` plan makes neither."""
    if read_only:
        gets = m.by_endpoint.get(SETTINGS_READ, 0)
        code = m.by_endpoint.get(CODE_READ, 0)
        lists = (m.requests - gets - code) * LATENCY_S / 2
        reads = -(-max(gets, code) // PARALLELISM) * LATENCY_S
        if regime == "realistic" and gets:
            # At the rate limit, by the reads that got through: a 429'd attempt (all of a plan's
            # are reads) is a cost the floor does not grant.
            reads = max(reads, (gets - m.throttled) / _rate_for(SETTINGS_READ))
        return round(lists + reads, 3)
    floor = m.mutating_requests / PARALLELISM * LATENCY_S
    if regime == "realistic":
        floor = max([floor] + [count / _rate_for(ep) for ep, count in m.mutating_by_endpoint.items()])
    return round(floor, 3)


# Seconds a fresh process spends importing Python, the SDK and the tool before its first request;
# measured once per run and reported beside wall time, so the network-bound part is visible.
STARTUP_S = 0.0


def _record(scenario: str, regime: str, n: int, tool: str, m: Measurement, floor: float) -> dict[str, Any]:
    net = max(0.0, round(m.wall_s - STARTUP_S, 3))
    if m.command_s is not None:  # timed inside the process: the imports are not in it at all
        net = m.command_s
    return {
        "scenario": scenario,
        "regime": regime,
        "n": n,
        "tool": tool,
        "wall_s": m.wall_s,
        "startup_s": STARTUP_S,
        "net_s": net,
        "requests": m.requests,
        "mutating_requests": m.mutating_requests,
        "throttled": m.throttled,
        "failed_requests": m.failed,
        "floor_s": floor,
        "ratio_to_floor": round(m.wall_s / floor, 2) if floor else None,
        "net_ratio_to_floor": round(net / floor, 2) if floor else None,
        "peak_rss_mb": m.peak_rss_mb,
        "exit_code": m.exit_code,
        "requests_by_endpoint": m.by_endpoint,
        **({"command_s": m.command_s, "network_s": m.network_s} if m.network_s is not None else {}),
        **(
            {"network_ratio_to_floor": round(m.network_s / floor, 2) if floor else None}
            if m.network_s is not None
            else {}
        ),
    }


def sharepack(emulator: emulator_process.EmulatorProcess, *args: str) -> Measurement:
    return run_measured(emulator, [*args, "--host", emulator.url])


def baseline(emulator: emulator_process.EmulatorProcess, pack: Path) -> Measurement:
    return run_measured(emulator, [str(pack)], module="benchmarks.baseline")


def scale_scenarios(
    n: int,
    regime: str,
    workdir: Path,
    *,
    with_baseline: bool,
    baseline_rerun: bool = True,
    with_reapply: bool = True,
) -> list[dict[str, Any]]:
    records = []
    pack = write_pack(workdir, n)
    changed = write_pack(workdir / "changed", n, changed_every=10) if n >= 10 else pack
    emulator = emulator_process.start(*REGIMES[regime])
    try:
        fresh = sharepack(emulator, "apply", str(pack), "--auto-approve", "--quiet")
        records.append(
            _record(
                "fresh_apply", regime, n, "sharepack", fresh, floor_seconds(fresh, regime, read_only=False)
            )
        )
        noop = sharepack(emulator, "plan", str(pack))
        records.append(
            _record("noop_plan", regime, n, "sharepack", noop, floor_seconds(noop, regime, read_only=True))
        )
        trusting = sharepack(emulator, "plan", str(pack), "--trust-digest")
        records.append(
            _record(
                "noop_plan_trust_digest",
                regime,
                n,
                "sharepack",
                trusting,
                floor_seconds(trusting, regime, read_only=True),
            )
        )
        if with_reapply:
            reapply = sharepack(emulator, "apply", str(changed), "--auto-approve", "--quiet")
            records.append(
                _record(
                    "reapply_10pct",
                    regime,
                    n,
                    "sharepack",
                    reapply,
                    floor_seconds(reapply, regime, read_only=False),
                )
            )
    finally:
        emulator.stop()
    if with_baseline:
        emulator = emulator_process.start(*REGIMES[regime])
        try:
            fresh = baseline(emulator, pack)
            records.append(
                _record(
                    "fresh_apply", regime, n, "baseline", fresh, floor_seconds(fresh, regime, read_only=False)
                )
            )
            if baseline_rerun:  # the seed algorithm has no plan: its re-run is its no-change cost
                again = baseline(emulator, pack)
                records.append(
                    _record(
                        "noop_plan",
                        regime,
                        n,
                        "baseline",
                        again,
                        floor_seconds(again, regime, read_only=True),
                    )
                )
        finally:
            emulator.stop()
    return records


def crowded_workspace(regime: str, workdir: Path, *, jobs: int, pipelines: int) -> list[dict[str, Any]]:
    """A 5-pipeline pack in a workspace that already holds thousands of other resources."""
    from databricks.sdk import WorkspaceClient

    pack = write_pack(workdir, 5, name="small")
    emulator = emulator_process.start()  # fill it fast, then switch the regime on
    try:
        client = WorkspaceClient(host=emulator.url, token=emulator_process.TOKEN, auth_type="pat")
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda i: client.jobs.create(name=f"other_job_{i:05d}"), range(jobs)))
            list(
                pool.map(lambda i: client.pipelines.create(name=f"other_pipeline_{i:05d}"), range(pipelines))
            )
        emulator.configure(**({"latency_ms": 50} if regime == "latency" else {"profile": "realistic"}))
        fresh = sharepack(emulator, "apply", str(pack), "--auto-approve", "--quiet")
        noop = sharepack(emulator, "plan", str(pack))
    finally:
        emulator.stop()
    return [
        _record(
            "crowded_fresh_apply",
            regime,
            5,
            "sharepack",
            fresh,
            floor_seconds(fresh, regime, read_only=False),
        ),
        _record(
            "crowded_noop_plan", regime, 5, "sharepack", noop, floor_seconds(noop, regime, read_only=True)
        ),
    ]


SHARING_SIZE = (50, 20, 100)  # shares, objects per share, recipients
SHARING_READS = ("shares/get", "shares/permissions")


def sharing_floor_seconds(m: Measurement) -> float:
    """A no-change sharing plan: the recipients list pages, one after another, then one GET and
    the permission page(s) of every share — independent requests, 8 at once. The pipeline and
    job lists go out beside them (one page each for a pack without pipelines), so they add nothing."""
    pages = m.by_endpoint.get("recipients/list", 0)
    reads = sum(m.by_endpoint.get(e, 0) for e in SHARING_READS)
    return round((pages + -(-reads // PARALLELISM)) * LATENCY_S, 3)


def sharing_scenarios(regime: str, workdir: Path) -> list[dict[str, Any]]:
    """50 shares x 20 objects and 100 recipients applied, then a no-change plan measured."""
    shares, objects, recipients = SHARING_SIZE
    pack = write_sharing_pack(workdir, shares, objects, recipients)
    emulator = emulator_process.start(*REGIMES[regime])

    def timed(*args: str) -> Measurement:
        # Timed inside the process, and run in workdir: 80 D2O recipients leave their
        # activation links in ./.sharepack/secrets, which is not the repository's business.
        return run_measured(
            emulator, [*args, "--host", emulator.url], module="benchmarks.timed_cli", cwd=workdir
        )

    try:
        fresh = timed("apply", str(pack), "--auto-approve", "--quiet")
        noop = timed("plan", str(pack))
    finally:
        emulator.stop()
    return [
        _record(
            "sharing_fresh_apply",
            regime,
            shares,
            "sharepack",
            fresh,
            floor_seconds(fresh, regime, read_only=False),
        ),
        _record("sharing_noop_plan", regime, shares, "sharepack", noop, sharing_floor_seconds(noop)),
    ]


ACCESS_SIZE = (100, 20, 200)  # shares, objects per share, recipients
ACCESS_READS = ("shares/get", "shares/permissions")


def access_floor_seconds(m: Measurement) -> float:
    """`sharepack access`: the share and recipient listings side by side (their pages one after
    another), then one GET and one permissions page per share, 8 at once, × latency."""
    listings = max(m.by_endpoint.get("shares/list", 0), m.by_endpoint.get("recipients/list", 0))
    reads = sum(m.by_endpoint.get(e, 0) for e in ACCESS_READS)
    return round((listings + -(-reads // PARALLELISM)) * LATENCY_S, 3)


def access_scenarios(regime: str, workdir: Path) -> list[dict[str, Any]]:
    """100 shares x 20 objects and 200 recipients applied, then `sharepack access -o json` measured."""
    shares, objects, recipients = ACCESS_SIZE
    pack = write_sharing_pack(workdir, shares, objects, recipients)
    emulator = emulator_process.start(*REGIMES[regime])

    def timed(*args: str) -> Measurement:
        return run_measured(
            emulator, [*args, "--host", emulator.url], module="benchmarks.timed_cli", cwd=workdir
        )

    try:
        applied = timed("apply", str(pack), "--auto-approve", "--quiet")
        if applied.exit_code != 0:
            raise SystemExit(f"the access benchmark's setup apply failed ({applied.exit_code})")
        report = timed("access", "-o", "json")
    finally:
        emulator.stop()
    return [_record("access_report", regime, shares, "sharepack", report, access_floor_seconds(report))]


def measure_startup() -> float:
    """Median time for a fresh process to import what a plan needs, before any request."""
    code = "import databricks.sdk, sharepack.cli, sharepack.flow.execute, sharepack.kinds.reading"
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return round(sorted(times)[1], 3)


def cold_start(workdir: Path) -> list[dict[str, Any]]:
    """`validate` of 1,000 pipelines and `--help`: no workspace, so neither may import the SDK or rich."""
    pack = write_pack(workdir, 1000, name="cold")
    records = []
    for scenario, args in (("validate", ["validate", str(pack)]), ("help", ["--help"])):
        with tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "-X", "importtime", "-m", "sharepack.cli", *args],
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
            err.seek(0)
            stderr = err.read()
        heavy = sorted(
            {
                line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in stderr.decode(errors="replace").splitlines()
                if line.rsplit("|", 1)[-1].strip() in ("databricks.sdk", "rich")
            }
        )
        records.append(
            {
                "scenario": scenario,
                "regime": "none",
                "n": 1000 if scenario == "validate" else 0,
                "tool": "sharepack",
                "wall_s": round(wall, 3),
                "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                "heavy_imports": heavy,
                "exit_code": os.waitstatus_to_exitcode(status),
            }
        )
    return records


COLUMNS = (  # (title, width, value of a record)
    ("scenario", -20, lambda r, b: r["scenario"]),
    ("regime", -10, lambda r, b: r["regime"]),
    ("n", 5, lambda r, b: r["n"]),
    ("tool", -10, lambda r, b: r["tool"]),
    ("wall s", 8, lambda r, b: f"{r['wall_s']:.2f}"),
    ("net s", 7, lambda r, b: f"{r['net_s']:.2f}"),
    ("req", 6, lambda r, b: r["requests"]),
    ("mut", 6, lambda r, b: r["mutating_requests"]),
    ("429", 5, lambda r, b: r["throttled"]),
    ("floor s", 8, lambda r, b: f"{r['floor_s']:.2f}"),
    ("net×floor", 9, lambda r, b: f"{r['net_ratio_to_floor']:.2f}" if r["net_ratio_to_floor"] else ""),
    ("base÷sp", 7, lambda r, b: f"{b['wall_s'] / r['wall_s']:.1f}" if b and r["tool"] == "sharepack" else ""),
    ("MB", 6, lambda r, b: f"{r['peak_rss_mb']:.0f}"),
)


def _row(values: list[str]) -> str:
    return " ".join(
        f"{v:<{-w}}" if w < 0 else f"{v:>{w}}" for v, (_, w, _) in zip(values, COLUMNS, strict=True)
    )


def print_table(records: list[dict[str, Any]]) -> None:
    header = _row([title for title, _, _ in COLUMNS])
    print(header)
    print("-" * len(header))
    base = {(r["scenario"], r["regime"], r["n"]): r for r in records if r["tool"] == "baseline"}
    for r in records:
        other = base.get((r["scenario"], r["regime"], r["n"]))
        print(_row([str(value(r, other)) for _, _, value in COLUMNS]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="N ≤ 100, latency regime only: under a minute")
    parser.add_argument("--sizes", type=int, nargs="*", help="override the pack sizes")
    parser.add_argument("--regimes", nargs="*", choices=list(REGIMES), help="override the regimes")
    parser.add_argument(
        "--only-sharing",
        action="store_true",
        help="only the sharing scenario (50 shares x 20 objects, 100 recipients), rows merged into "
        "results.json",
    )
    parser.add_argument(
        "--only-access",
        action="store_true",
        help="only `sharepack access` on 100 shares x 20 objects and 200 recipients, rows merged into "
        "results.json",
    )
    parser.add_argument(
        "--only-many-packs",
        action="store_true",
        help="only 100 packs x 5 pipelines planned in one run against one pack of 500, in a workspace "
        "of 2,000 other pipelines, rows merged into results.json",
    )
    parser.add_argument(
        "--only-startup",
        action="store_true",
        help="only the start-up row: process start to the first request of a 5-pipeline plan, with "
        "and without bytecode, rows merged into results.json",
    )
    parser.add_argument(
        "--only-plans",
        action="store_true",
        help="only the apply that sets up a workspace and the no-change plans on it: no re-apply, "
        "baseline, crowded workspace or cold start (e.g. --sizes 1000 --only-plans)",
    )
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10, 100] if args.quick else [10, 100, 1000])
    regimes = args.regimes or (["latency"] if args.quick else ["latency", "realistic"])
    global STARTUP_S
    STARTUP_S = measure_startup()
    print(f"startup (imports before the first request): {STARTUP_S:.2f} s", flush=True)
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "changed").mkdir()
        steps: list[tuple[str, Callable[[], list[dict[str, Any]]]]] = []
        if args.only_startup or not (
            args.only_sharing or args.only_access or args.only_plans or args.only_many_packs
        ):
            steps.append(("start-up to the first request", lambda: startup(workdir)))
        for regime in regimes if not args.only_startup else []:
            if args.only_many_packs or not (
                args.only_sharing or args.only_access or args.only_plans or args.quick
            ):
                steps.append(
                    (
                        f"{regime} many packs",
                        lambda regime=regime: many_packs(
                            regime, workdir, lambda m, regime=regime: floor_seconds(m, regime, read_only=True)
                        ),
                    )
                )
            if args.only_many_packs:
                continue
            if not args.only_sharing:
                steps.append((f"{regime} access", lambda regime=regime: access_scenarios(regime, workdir)))
            if args.only_access:
                continue
            steps.append((f"{regime} sharing", lambda regime=regime: sharing_scenarios(regime, workdir)))
            if args.only_sharing:
                continue
            for n in sizes:
                steps.append(
                    (
                        f"{regime} n={n}",
                        lambda n=n, regime=regime: scale_scenarios(
                            n,
                            regime,
                            workdir,
                            with_baseline=not args.only_plans,
                            baseline_rerun=not args.quick,
                            with_reapply=not args.only_plans,
                        ),
                    )
                )
            if args.only_plans:
                continue
            crowd = (500, 200) if args.quick else (5000, 2000)
            steps.append(
                (
                    f"{regime} crowded",
                    lambda regime=regime, crowd=crowd: crowded_workspace(
                        regime, workdir, jobs=crowd[0], pipelines=crowd[1]
                    ),
                )
            )
        if not (
            args.only_plans
            or args.only_sharing
            or args.only_access
            or args.only_many_packs
            or args.only_startup
        ):
            steps.append(("cold start", lambda: cold_start(workdir)))
        for label, step in steps:
            print(f"… {label}", flush=True)
            records.extend(step())
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": __import__("os").cpu_count(),
    }
    for record in records:
        record["machine"] = machine
    written = records
    if (
        args.only_plans or args.only_sharing or args.only_access or args.only_many_packs or args.only_startup
    ) and RESULTS.exists():
        # A partial run replaces only its own rows: the full run's other rows stay as they were.
        key = lambda r: (r["scenario"], r["regime"], r["n"], r["tool"])  # noqa: E731
        fresh = {key(r) for r in records}
        kept = [r for r in json.loads(RESULTS.read_text(encoding="utf-8")) if key(r) not in fresh]
        written = kept + records
    RESULTS.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    print()
    print_table([r for r in records if r["regime"] != "none"])
    for r in records:
        if r["scenario"] == "startup_first_request":
            print(
                f"start-up to the first request ({r['tool']}): {r['wall_s']:.2f} s median, "
                f"{r['min_s']:.2f} s min; floors {r['floors_s']}; load {r['load_average_1m']}"
            )
    print_targets(records)
    print(f"\nmachine: {machine}\nwritten: {RESULTS}")


if __name__ == "__main__":
    main()
