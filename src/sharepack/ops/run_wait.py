"""Where a job run or a pipeline update stands, and polling until it ends.

Runs are polled one `jobs.get_run` at a time; there is no push from the workspace. The interval is a
module constant so tests set it to 0 and never sleep.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

POLL_INTERVAL_S = 1.0

# Databricks' life cycle states after which a run never changes again.
_TERMINAL_LIFE_CYCLES = frozenset({"TERMINATED", "SKIPPED", "INTERNAL_ERROR"})
_TERMINAL_UPDATE_STATES = frozenset({"COMPLETED", "FAILED", "CANCELED"})


@dataclass(frozen=True)
class RunState:
    """One moment of a run: `life_cycle` (PENDING, RUNNING, TERMINATED...) and, once ended, `result`."""

    life_cycle: str
    result: str | None = None
    message: str = ""

    @property
    def terminal(self) -> bool:
        return self.life_cycle in _TERMINAL_LIFE_CYCLES

    @property
    def succeeded(self) -> bool:
        return self.terminal and self.result in ("SUCCESS", "COMPLETED")

    @property
    def label(self) -> str:
        """The one word a person reads: RUNNING while it runs, then SUCCESS, FAILED, CANCELED..."""
        return (self.result or self.life_cycle) if self.terminal else self.life_cycle


def _enum_value(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def state_of_run(run: Any) -> RunState:
    """The state of an SDK `Run`, from its `state` (life cycle and result)."""
    state = getattr(run, "state", None)
    if state is None:
        return RunState("PENDING")
    life = _enum_value(state.life_cycle_state) or "PENDING"
    result = _enum_value(state.result_state)
    if life in _TERMINAL_LIFE_CYCLES and result is None:
        # SKIPPED and INTERNAL_ERROR runs carry no result; they did not succeed.
        result = life
    return RunState(life, result, state.state_message or "")


def get_run_state(client: Any, run_id: int) -> RunState:
    return state_of_run(client.jobs.get_run(run_id))


def get_update_state(client: Any, pipeline_id: str, update_id: str) -> RunState:
    """A pipeline update's state, mapped onto run states (TERMINATED once it completed or failed)."""
    response = client.pipelines.list_updates(pipeline_id, until_update_id=update_id)
    for update in response.updates or []:
        if update.update_id == update_id:
            state = _enum_value(update.state) or "QUEUED"
            if state in _TERMINAL_UPDATE_STATES:
                return RunState("TERMINATED", "SUCCESS" if state == "COMPLETED" else state)
            return RunState("RUNNING" if state == "RUNNING" else "PENDING")
    return RunState("PENDING")


def pause() -> None:
    """Wait one poll interval (nothing at all when tests set the interval to 0)."""
    if POLL_INTERVAL_S > 0:
        time.sleep(POLL_INTERVAL_S)
