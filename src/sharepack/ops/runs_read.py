"""Reading job runs and saying what they were: how they were triggered, how they ended, how long they took.

Shared by `status` (last run and statistics per job) and `history` (one job's recent runs).
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sharepack.workspace.connect import LOCAL_STATE_DIR

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

RUNS_PAGE = 25  # the Jobs API's largest runs/list page
BACKFILLS_DIR = LOCAL_STATE_DIR / "backfills"
RUN_DATE = "run_date"

# Up to this many jobs, one runs/list request per job is cheapest and exact (each job gets its
# own latest runs). Past it, one paginated runs/list across the workspace, newest first and
# bounded in time and pages, costs a fixed number of requests however many jobs the pack has;
# a job with no run inside that window then shows no recent runs, which is what "recent" means.
PER_JOB_LIMIT = 20
WORKSPACE_WINDOW = timedelta(days=7)
WORKSPACE_MAX_PAGES = 40

_SCHEDULED = frozenset({"PERIODIC", "CRON", "CONTINUOUS", "CONTINUOUS_RESTART"})
_EVENT = frozenset({"FILE_ARRIVAL", "TABLE"})
_FAILED = frozenset(
    {"FAILED", "TIMEDOUT", "INTERNAL_ERROR", "MAXIMUM_CONCURRENT_RUNS_REACHED", "UPSTREAM_FAILED"}
)


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    job_id: int
    trigger: str  # as the API says it: PERIODIC, ONE_TIME, FILE_ARRIVAL...
    state: str  # the result once finished (SUCCESS, FAILED...), else the life cycle (PENDING, RUNNING)
    start: datetime | None  # aware, UTC
    duration_s: float | None  # None while running
    url: str | None
    run_date: str | None  # the resolved `run_date` job parameter, when the run carries one

    @property
    def succeeded(self) -> bool:
        return self.state == "SUCCESS"

    @property
    def failed(self) -> bool:
        return self.state in _FAILED

    def start_local(self) -> str | None:
        return self.start.astimezone().isoformat(timespec="seconds") if self.start else None


@dataclass(frozen=True)
class RunStats:
    total: int = 0
    succeeded: int = 0
    failed: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"total": self.total, "succeeded": self.succeeded, "failed": self.failed}


def run_info(run: Any) -> RunInfo:
    """A `BaseRun` from the SDK as plain values."""
    life = run.state.life_cycle_state.value if run.state and run.state.life_cycle_state else None
    result = run.state.result_state.value if run.state and run.state.result_state else None
    start = datetime.fromtimestamp(run.start_time / 1000, UTC) if run.start_time else None
    duration: float | None = None
    if run.run_duration:
        duration = run.run_duration / 1000
    elif run.end_time and run.start_time:
        duration = (run.end_time - run.start_time) / 1000
    return RunInfo(
        run_id=int(run.run_id or 0),
        job_id=int(run.job_id or 0),
        trigger=run.trigger.value if run.trigger else "UNKNOWN",
        state=result or life or "UNKNOWN",
        start=start,
        duration_s=duration if result else None,
        url=run.run_page_url,
        run_date=_run_date(run.job_parameters or []),
    )


def _run_date(parameters: Iterable[Any]) -> str | None:
    for parameter in parameters:
        if parameter.name == RUN_DATE:
            value = parameter.value if parameter.value is not None else parameter.default
            # An unresolved reference says nothing about the date the run is for.
            return None if value is None or "{{" in str(value) else str(value)
    return None


def trigger_kind(run: RunInfo, backfill_run_ids: Collection[int] = ()) -> str:
    """scheduled, event, backfill or manual.

    A backfill run is started by hand (ONE_TIME), so the trigger alone cannot tell it from a
    manual one: a backfill record naming the run, or a `run_date` other than the day the run
    started (a scheduled or plain manual run defaults it to its trigger day), gives it away.
    """
    if run.trigger in _SCHEDULED:
        return "scheduled"
    if run.trigger in _EVENT:
        return "event"
    if run.run_id in backfill_run_ids:
        return "backfill"
    if run.run_date and run.start and run.run_date != run.start.date().isoformat():
        return "backfill"
    return "manual"


def stats(runs: Iterable[RunInfo]) -> RunStats:
    listed = list(runs)
    return RunStats(
        total=len(listed),
        succeeded=sum(r.succeeded for r in listed),
        failed=sum(r.failed for r in listed),
    )


def backfill_run_ids(directory: Path = BACKFILLS_DIR, *, job_id: int | None = None) -> set[int]:
    """Run IDs that `sharepack backfill` started, from its saved records; unreadable files are skipped."""
    found: set[int] = set()
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if job_id is not None and int(record.get("job_id", -1)) != job_id:
                continue
            dates = record.get("dates") or {}
            found.update(
                int(d["run_id"]) for d in dates.values() if isinstance(d, Mapping) and d.get("run_id")
            )
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            continue  # a half-written record must not stop history from showing the rest
    return found


def job_runs(client: WorkspaceClient, job_id: int, limit: int) -> list[RunInfo]:
    """The newest `limit` runs of one job; the SDK follows page tokens past 25."""
    runs = client.jobs.list_runs(job_id=job_id, limit=min(RUNS_PAGE, limit))
    return [run_info(r) for r in itertools.islice(runs, limit)]


def runs_by_job(
    client: WorkspaceClient,
    job_ids: Collection[int],
    *,
    per_job: int = RUNS_PAGE,
    now: datetime | None = None,
) -> dict[int, list[RunInfo]]:
    """Recent runs of each job, newest first, read with as few list calls as the pack's size allows."""
    wanted = set(job_ids)
    if not wanted:
        return {}
    if len(wanted) <= PER_JOB_LIMIT:
        return {job_id: job_runs(client, job_id, per_job) for job_id in sorted(wanted)}
    since = (now or datetime.now(UTC)) - WORKSPACE_WINDOW
    runs = client.jobs.list_runs(limit=RUNS_PAGE, start_time_from=int(since.timestamp() * 1000))
    grouped: dict[int, list[RunInfo]] = defaultdict(list)
    for run in itertools.islice(runs, RUNS_PAGE * WORKSPACE_MAX_PAGES):
        if run.job_id in wanted and len(grouped[run.job_id]) < per_job:
            grouped[int(run.job_id)].append(run_info(run))
    return {job_id: grouped.get(job_id, []) for job_id in sorted(wanted)}


def duration_words(seconds: float | None) -> str:
    """Short and readable: 42s, 3m 05s, 2h 10m."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
