"""What `sharepack status` shows: for each declared pipeline (with its schedule job) and each
orchestration job, whether it exists, whether it drifted from the YAML, how it is scheduled,
and how its recent runs went.

Everything comes from the state `open_ops(compare=True)` read (list calls, then every declared
pipeline's settings so that hand edits show as drift), the plan built on it (no extra request),
and runs listed as `runs_read.runs_by_job` decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sharepack.changes.model import Action, Change, Plan, ResourceType
from sharepack.desired.state import DesiredJob, DesiredPipeline
from sharepack.ops.context import OpsContext
from sharepack.ops.runs_read import RunInfo, RunStats, backfill_run_ids, runs_by_job, stats, trigger_kind
from sharepack.schedule.durations import duration_words
from sharepack.schedule.explain import explain, explain_quartz
from sharepack.workspace.state import ActualJob

_DRIFTED = frozenset({Action.UPDATE, Action.ADOPT, Action.AMBIGUOUS, Action.CONFLICT})
_UNITS = {"HOURS": "hour", "DAYS": "day", "WEEKS": "week"}


@dataclass(frozen=True)
class StatusRow:
    name: str
    kind: str  # "pipeline" (with its schedule job, if any) or "job" (an orchestration)
    pipeline_id: str | None = None
    job_name: str | None = None
    job_id: int | None = None
    missing: tuple[str, ...] = ()  # "pipeline", "job": what is declared but not in the workspace
    drift: bool | None = None  # None when nothing exists to compare
    drift_fields: tuple[str, ...] = ()
    schedule: str = ""
    paused: bool | None = None  # None when there is no job to pause
    next_fire: str | None = None  # ISO time for clock schedules, words for the others
    last_run: RunInfo | None = None
    last_trigger: str | None = None  # scheduled, manual, backfill or event
    run_stats: RunStats = field(default_factory=RunStats)
    notes: tuple[str, ...] = ()

    @property
    def exists(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        last = self.last_run
        return {
            "name": self.name,
            "kind": self.kind,
            "exists": self.exists,
            "missing": list(self.missing),
            "pipeline_id": self.pipeline_id,
            "job": self.job_name,
            "job_id": self.job_id,
            "drift": self.drift,
            "drift_fields": list(self.drift_fields),
            "schedule": self.schedule,
            "paused": self.paused,
            "next_fire": self.next_fire,
            "last_run": None
            if last is None
            else {
                "run_id": last.run_id,
                "state": last.state,
                "trigger": self.last_trigger,
                "start_time": last.start_local(),
                "duration_s": last.duration_s,
                "url": last.url,
            },
            "runs": self.run_stats.to_dict(),
            "notes": list(self.notes),
        }


def read_status(ctx: OpsContext, *, now: datetime | None = None, plan: Plan | None = None) -> list[StatusRow]:
    now = now or datetime.now(UTC)
    plan = plan or ctx.deployment.plan(actual=ctx.actual, now=now)
    changes = {(c.resource_type, c.name): c for c in plan.changes}
    jobs = ctx.declared_jobs()
    rows: list[StatusRow] = []
    for pipeline in ctx.declared_pipelines():
        own = next((j for j in jobs if j.carries_digest_of == pipeline.name), None)
        rows.append(_row(ctx, pipeline.name, "pipeline", pipeline, own, changes, now))
    for job in jobs:
        if job.carries_digest_of is None:
            rows.append(_row(ctx, job.name, "job", None, job, changes, now))
    job_ids = {r.job_id for r in rows if r.job_id is not None}
    runs = runs_by_job(ctx.client, job_ids, now=now)
    backfilled = backfill_run_ids() if job_ids else set()
    if not ctx.deployment.workspace.links_outlive_command:
        # The embedded emulator's port closes with this command: its run pages are dead links.
        runs = {job: [replace(r, url=None) for r in found] for job, found in runs.items()}
    return [_with_runs(r, runs.get(r.job_id, []) if r.job_id is not None else [], backfilled) for r in rows]


def _row(
    ctx: OpsContext,
    name: str,
    kind: str,
    pipeline: DesiredPipeline | None,
    job: DesiredJob | None,
    changes: Mapping[tuple[ResourceType, str], Change],
    now: datetime,
) -> StatusRow:
    missing: list[str] = []
    notes: list[str] = []
    relevant: list[Change] = []
    pipeline_id: str | None = None
    if pipeline is not None:
        found_pipelines = ctx.actual.pipelines_named(pipeline.name)
        pipeline_id = found_pipelines[0].pipeline_id if found_pipelines else None
        if pipeline_id is None:
            missing.append("pipeline")
        if (ResourceType.PIPELINE, pipeline.name) in changes:
            relevant.append(changes[(ResourceType.PIPELINE, pipeline.name)])
    actual_job: ActualJob | None = None
    if job is not None:
        found_jobs = ctx.actual.jobs_named(job.name)
        if len(found_jobs) > 1:
            ids = ", ".join(str(j.job_id) for j in found_jobs)
            notes.append(f"{len(found_jobs)} jobs are named {job.name} (ids {ids})")
        actual_job = found_jobs[0] if len(found_jobs) == 1 else None
        if not found_jobs:
            missing.append("job")
        if (ResourceType.JOB, job.name) in changes:
            relevant.append(changes[(ResourceType.JOB, job.name)])
    drifted = [c for c in relevant if c.action in _DRIFTED]
    notes.extend(c.message for c in drifted if c.message)
    exists_any = pipeline_id is not None or actual_job is not None
    paused, next_fire = _trigger_state(actual_job.settings, now) if actual_job else (None, None)
    return StatusRow(
        name=name,
        kind=kind,
        pipeline_id=pipeline_id,
        job_name=job.name if job else None,
        job_id=actual_job.job_id if actual_job else None,
        missing=tuple(missing),
        drift=bool(drifted) if exists_any else None,
        drift_fields=tuple(f"{c.name}: {d.path}" for c in drifted for d in c.diff),
        schedule=_schedule_words(ctx, name, job, now),
        paused=paused,
        next_fire=next_fire,
        notes=tuple(notes),
    )


def _with_runs(row: StatusRow, runs: list[RunInfo], backfilled: set[int]) -> StatusRow:
    last = runs[0] if runs else None
    return replace(
        row,
        last_run=last,
        last_trigger=trigger_kind(last, backfilled) if last else None,
        run_stats=stats(runs),
    )


def _schedule_words(ctx: OpsContext, name: str, job: DesiredJob | None, now: datetime) -> str:
    """The declared schedule in words; paused-ness is shown on its own, from the workspace."""
    if job is None:
        runners = [j.name for j in ctx.declared_jobs() if name in j.pipelines]
        return f"run by {', '.join(runners)}" if runners else "not scheduled"
    if job.schedule is None:
        return "manual only"
    return explain(job.schedule, now).description.removesuffix(" (paused)")


def _trigger_state(settings: Mapping[str, Any], now: datetime) -> tuple[bool | None, str | None]:
    """Paused or not, and when it fires next, from the job as the workspace holds it: that is
    what actually fires, even when it drifted from the YAML."""
    schedule = settings.get("schedule")
    if isinstance(schedule, Mapping):
        paused = schedule.get("pause_status") == "PAUSED"
        if paused:
            return True, None
        quartz, timezone = schedule.get("quartz_cron_expression", ""), schedule.get("timezone_id") or "UTC"
        try:
            runs = explain_quartz(str(quartz), str(timezone), now, 1).next_runs
        except Exception:  # a cron edited by hand that sharepack cannot read: say it, don't fail
            return False, f"cron {quartz} ({timezone})"
        return False, runs[0].isoformat(timespec="minutes") if runs else "never again"
    continuous = settings.get("continuous")
    if isinstance(continuous, Mapping):
        paused = continuous.get("pause_status") == "PAUSED"
        return paused, None if paused else "continuous"
    trigger = settings.get("trigger")
    if isinstance(trigger, Mapping):
        paused = trigger.get("pause_status") == "PAUSED"
        return paused, None if paused else _trigger_words(trigger)
    return None, "manual only"


def _trigger_words(trigger: Mapping[str, Any]) -> str:
    periodic = trigger.get("periodic")
    if isinstance(periodic, Mapping):
        count = int(periodic.get("interval") or 1)
        word = _UNITS.get(str(periodic.get("unit")), str(periodic.get("unit", "")).lower())
        return f"every {count} {word}{'s' if count != 1 else ''} after the last run started"
    if isinstance(trigger.get("file_arrival"), Mapping):
        return f"on file arrival in {trigger['file_arrival'].get('url', '?')}"
    if isinstance(trigger.get("table_update"), Mapping):
        tables = trigger["table_update"].get("table_names") or []
        debounce = trigger["table_update"].get("min_time_between_triggers_seconds")
        text = f"on update of {', '.join(tables)}"
        return f"{text} (at most once every {duration_words(int(debounce))})" if debounce else text
    return "on its trigger"
