"""What a schedule means, for the plan: a description, the next runs, and warnings worth reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice

from sharepack.schedule.describe import describe_quartz
from sharepack.schedule.dst import dst_warnings
from sharepack.schedule.events import describe_event
from sharepack.schedule.forms import (
    AnySchedule,
    ContinuousSchedule,
    CronSchedule,
    EventSchedule,
    IntervalSchedule,
    OneTimeSchedule,
)
from sharepack.schedule.interval import INTERVAL_BASIS, parse_interval
from sharepack.schedule.once import one_time_instant
from sharepack.schedule.quartz_eval import fire_times
from sharepack.schedule.quartz_parse import parse_quartz
from sharepack.schedule.zones import zone

NEXT_RUNS = 3


@dataclass(frozen=True)
class ScheduleExplanation:
    description: str
    next_runs: list[datetime] = field(default_factory=list)  # aware, in the schedule's timezone
    warnings: list[str] = field(default_factory=list)


def explain(
    schedule: AnySchedule, now: datetime | None = None, count: int = NEXT_RUNS
) -> ScheduleExplanation:
    """Describe `schedule`; for clock-based forms also its next `count` runs and DST warnings."""
    now = now or datetime.now(UTC)
    paused = " (paused)" if schedule.paused else ""
    if isinstance(schedule, CronSchedule):
        explanation = explain_quartz(schedule.quartz, schedule.timezone, now, count)
        return ScheduleExplanation(
            explanation.description + paused, explanation.next_runs, explanation.warnings
        )
    if isinstance(schedule, ContinuousSchedule):
        return ScheduleExplanation(
            "Runs continuously: a new run starts as soon as the previous one ends" + paused
        )
    if isinstance(schedule, IntervalSchedule):
        interval = parse_interval(schedule.every)
        if interval.quartz is None:
            return ScheduleExplanation(
                f"Every {interval.description.removeprefix('every ')}{paused}", warnings=[]
            )
        clock = explain_quartz(interval.quartz, "UTC", now, count)
        text = f"Every {interval.description.removeprefix('every ')} (sent as the cron {interval.quartz})"
        return ScheduleExplanation(text + paused, clock.next_runs, clock.warnings)
    if isinstance(schedule, OneTimeSchedule):
        return _explain_once(schedule, now, paused)
    if isinstance(schedule, EventSchedule):
        return ScheduleExplanation(describe_event(schedule.on) + paused)
    raise TypeError(f"not a schedule: {schedule!r}")


def explain_quartz(quartz: str, timezone: str, now: datetime, count: int = NEXT_RUNS) -> ScheduleExplanation:
    description, runs, warnings = _explain_quartz(quartz, timezone, now, count)
    return ScheduleExplanation(description, list(runs), list(warnings))


@lru_cache(maxsize=512)
def _explain_quartz(
    quartz: str, timezone: str, now: datetime, count: int
) -> tuple[str, tuple[datetime, ...], tuple[str, ...]]:
    # A plan explains every job at the same `now`, and big packs repeat a few expressions:
    # 1,000 jobs cost ~1 s of evaluation without this.
    expression = parse_quartz(quartz)
    runs = tuple(islice(fire_times(expression, zone(timezone), now), count))
    warnings = dst_warnings(expression, timezone, now)
    if not runs:
        warnings.insert(0, "it never fires again: every time it names is in the past")
    return f"{describe_quartz(expression.text)} ({timezone})", runs, tuple(warnings)


def _explain_once(schedule: OneTimeSchedule, now: datetime, paused: str) -> ScheduleExplanation:
    moment = one_time_instant(schedule.at, schedule.timezone)
    text = f"Once, at {moment.isoformat()} ({schedule.timezone}){paused}"
    if moment <= now:
        return ScheduleExplanation(text, [], ["that moment has passed: the job will not run again"])
    warnings = []
    local = moment.replace(tzinfo=None)
    if zone(schedule.timezone).utcoffset(local.replace(fold=0)) != zone(schedule.timezone).utcoffset(
        local.replace(fold=1)
    ):
        warnings.append(
            f"{local:%Y-%m-%d %H:%M} happens twice in {schedule.timezone}; it runs the second time "
            f"({moment.isoformat()})"
        )
    return ScheduleExplanation(text, [moment], warnings)


def interval_basis() -> str:
    """The sentence a plan shows under an interval schedule: what the interval is measured from."""
    return INTERVAL_BASIS
