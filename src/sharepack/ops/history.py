"""What `sharepack history` shows: one job's recent runs, newest first, each with how it was triggered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sharepack.errors import SharepackError, UsageError
from sharepack.ops.context import OpsContext
from sharepack.ops.runs_read import RunInfo, backfill_run_ids, job_runs, trigger_kind

DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class HistoryEntry:
    run: RunInfo
    trigger: str  # scheduled, manual, backfill or event

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run.run_id,
            "job_id": self.run.job_id,
            "trigger": self.trigger,
            "api_trigger": self.run.trigger,
            "state": self.run.state,
            "start_time": self.run.start_local(),
            "duration_s": self.run.duration_s,
            "run_date": self.run.run_date,
            "url": self.run.url,
        }


@dataclass(frozen=True)
class History:
    name: str  # the job's name
    job_id: int
    entries: list[HistoryEntry]


def read_history(ctx: OpsContext, name: str, *, limit: int = DEFAULT_LIMIT) -> History:
    (named,) = ctx.resolve([name])
    if named.job is None:
        raise UsageError(
            f"{name} has no schedule job of its own, so it has no job runs to show",
            hint=ctx.no_job_hint(name),
        )
    actual = named.actual_job
    if actual is None:
        raise SharepackError(
            f"job {named.job.name} does not exist in {ctx.host} yet",
            hint=f"create it with `{ctx.deployment.command('apply', ctx.deployment.pack.path)}`",
        )
    backfilled = backfill_run_ids(job_id=actual.job_id)
    entries = [
        HistoryEntry(r, trigger_kind(r, backfilled)) for r in job_runs(ctx.client, actual.job_id, limit)
    ]
    return History(name=named.job.name, job_id=actual.job_id, entries=entries)
