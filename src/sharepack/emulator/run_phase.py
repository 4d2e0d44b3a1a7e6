"""Where a run is in its life cycle, from the time since it started (runs and pipeline updates share it)."""

from __future__ import annotations

from typing import Any

from sharepack.emulator.store import Store


def run_phase(store: Store, row: Any, duration_s: float) -> tuple[str, str | None]:
    """(life cycle, result) of a runs row: PENDING for the first half, RUNNING, then TERMINATED."""
    elapsed_ms = store.now() - row["start_ms"]
    duration_ms = int(duration_s * 1000)
    if row["canceled"]:
        return "TERMINATED", "CANCELED"
    if elapsed_ms >= duration_ms:
        return "TERMINATED", str(row["outcome"])
    if elapsed_ms >= duration_ms // 2:
        return "RUNNING", None
    return "PENDING", None
