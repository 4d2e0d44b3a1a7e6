"""pause and resume: flip `pause_status` on the jobs a pack declares, and nothing else.

Only the trigger block (`schedule`, `continuous` or `trigger`) is sent, through `jobs.update`:
the update replaces that one top-level field, so every other setting, including ones changed by
hand, stays as it is. The pack is not edited, so `sharepack plan` reports the job as out of sync
with the YAML until the pack says the same or the job is resumed.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sharepack.errors import SharepackError
from sharepack.ops.context import Named, OpsContext

PAUSED = "PAUSED"
UNPAUSED = "UNPAUSED"
TRIGGER_KEYS = ("schedule", "continuous", "trigger")

Outcome = Literal["paused", "resumed", "already paused", "already active", "no schedule"]


@dataclass(frozen=True)
class PauseResult:
    job: str
    job_id: int | None
    outcome: Outcome

    @property
    def changed(self) -> bool:
        return self.outcome in ("paused", "resumed")

    def as_dict(self) -> dict[str, Any]:
        return {"job": self.job, "job_id": self.job_id, "outcome": self.outcome, "changed": self.changed}


def trigger_key(settings: dict[str, Any]) -> str | None:
    """The block that carries the job's `pause_status`, if it has one."""
    return next((key for key in TRIGGER_KEYS if settings.get(key)), None)


def set_paused(ctx: OpsContext, names: Sequence[str], *, paused: bool) -> list[PauseResult]:
    """Pause (or resume) the jobs for NAMEs — every declared job when none is given.

    Every name is checked before anything is sent, so a typo or a missing job changes nothing.
    """
    targets = ctx.resolve(names)
    _check_all_exist(ctx, targets)
    ctx.refuse_unowned(targets)
    return [_flip(ctx, named, paused=paused) for named in targets]


def _check_all_exist(ctx: OpsContext, targets: Sequence[Named]) -> None:
    no_job = [n.asked_as for n in targets if n.job is None]
    if no_job:
        raise SharepackError(
            f"{', '.join(no_job)} has no schedule job of its own: nothing to pause",
            hint=ctx.no_job_hint(no_job[0]),
        )
    missing = [n.label for n in targets if n.actual_job is None]
    if missing:
        raise SharepackError(
            f"not in the workspace yet: {', '.join(missing)}",
            hint=f"create the jobs first: `{ctx.deployment.command('apply', ctx.deployment.pack.path)}`",
        )


def _flip(ctx: OpsContext, named: Named, *, paused: bool) -> PauseResult:
    actual = named.actual_job
    assert actual is not None and named.job is not None
    settings = dict(actual.settings)
    key = trigger_key(settings)
    if key is None:
        return PauseResult(named.job.name, actual.job_id, "no schedule")
    wanted = PAUSED if paused else UNPAUSED
    # A trigger without pause_status is active: the server's default.
    current = settings[key].get("pause_status") or UNPAUSED
    if current == wanted:
        return PauseResult(named.job.name, actual.job_id, "already paused" if paused else "already active")
    block = copy.deepcopy(dict(settings[key]))
    block["pause_status"] = wanted
    ctx.client.jobs.update(job_id=actual.job_id, new_settings=_job_settings({key: block}))
    return PauseResult(named.job.name, actual.job_id, "paused" if paused else "resumed")


def _job_settings(fields: dict[str, Any]) -> Any:
    from databricks.sdk.service.jobs import JobSettings

    return JobSettings.from_dict(fields)
