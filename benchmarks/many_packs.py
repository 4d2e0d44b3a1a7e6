"""100 packs of 5 pipelines planned in one run, against one pack of 500, in a workspace of 2,000
other pipelines: one listing of the workspace serves every pack of the run."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import emulator_process
from benchmarks.generate import write_pack
from benchmarks.measure import Measurement, run_measured

PACKS, PER_PACK, OTHERS = 100, 5, 2000


def _workspace(setup: Callable[[emulator_process.EmulatorProcess], None]) -> Any:
    emulator = emulator_process.start()  # filled fast, then the regime switched on
    from databricks.sdk import WorkspaceClient

    client = WorkspaceClient(host=emulator.url, token=emulator_process.TOKEN, auth_type="pat")
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: client.pipelines.create(name=f"other_pipeline_{i:05d}"), range(OTHERS)))
    setup(emulator)
    return emulator


def many_packs(regime: str, workdir: Path, floor: Callable[[Measurement], float]) -> list[dict[str, Any]]:
    folder = workdir / "many"
    folder.mkdir(exist_ok=True)
    for t in range(PACKS):
        write_pack(folder, PER_PACK, name=f"team{t:03d}", share=f"team{t:03d}_share")
    single = write_pack(workdir, PACKS * PER_PACK, name="one", share="one_share")
    regime_config = {"latency_ms": 50} if regime == "latency" else {"profile": "realistic"}
    measured: dict[str, Measurement] = {}
    for label, target in (("many_packs_plan", folder), ("one_pack_plan", single)):

        def apply(emulator: emulator_process.EmulatorProcess, target: Path = target) -> None:
            done = run_measured(
                emulator, ["apply", str(target), "--auto-approve", "--quiet", "--host", emulator.url]
            )
            if done.exit_code != 0:
                raise RuntimeError(f"apply of {target} failed: {done.stderr_tail}")

        emulator = _workspace(apply)
        try:
            emulator.configure(**regime_config)
            measured[label] = run_measured(emulator, ["plan", str(target), "--host", emulator.url])
        finally:
            emulator.stop()
    return [
        {
            "scenario": label,
            "regime": regime,
            "n": PACKS if label == "many_packs_plan" else PACKS * PER_PACK,
            "tool": "sharepack",
            "wall_s": round(m.wall_s, 3),
            "net_s": round(m.network_s or 0.0, 3),
            "requests": m.requests,
            "mutating_requests": m.mutating_requests,
            "throttled": m.throttled,
            "exit_code": m.exit_code,
            "floor_s": floor(m),
            "net_ratio_to_floor": round((m.network_s or 0.0) / floor(m), 2) if floor(m) else None,
            "peak_rss_mb": round(m.peak_rss_mb, 1),
            "by_endpoint": m.by_endpoint,
        }
        for label, m in measured.items()
    ]
