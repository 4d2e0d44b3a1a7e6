"""Every `schedule:` form a SharePack accepts, as one discriminated union.

A schedule may be written as a string ("continuous", "@daily", "0 0 2 * * ?") or as a mapping
whose keys say which form it is (`cron`, `every`, `at`, `on`, `continuous`). `_schedule_kind`
picks the variant so that pydantic reports errors against that variant only.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sharepack.schedule.cron import to_quartz
from sharepack.schedule.durations import duration_seconds
from sharepack.schedule.events import event_seconds

# Files in the system's zone database that are not zones Databricks (Java's tz IDs) knows:
# `localtime` is whatever this machine is set to, `Factory` is "no zone set", `posixrules` a default.
_NOT_ZONES = frozenset(("localtime", "Factory", "posixrules"))


@functools.cache
def _known_zones() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones()) - _NOT_ZONES


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
        # ZoneInfo also opens any file of the database: `posix/…` and `right/…` copies (the latter
        # with leap seconds) and the non-zones above. Only IANA zone names are accepted.
        if name not in _known_zones():
            raise ValueError(name)
    except (ZoneInfoNotFoundError, ValueError):
        from sharepack.errors import did_you_mean

        # Mistyped keys get a suggestion; a mistyped zone (America/New_Yrok) deserves one too.
        suggestion = did_you_mean(name, sorted(_known_zones()))
        advice = suggestion or "use an IANA name such as 'UTC' or 'Europe/Paris'"
        raise ValueError(f"unknown timezone {name!r}; {advice}") from None
    return name


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmailNotifications(_Frozen):
    """Who is told of what. A plain list of emails in YAML means `on_failure`."""

    on_start: list[str] = Field(default_factory=list)
    on_success: list[str] = Field(default_factory=list)
    on_failure: list[str] = Field(default_factory=list)
    # IDs of workspace notification destinations (Slack, Teams, webhooks), by event.
    webhooks: dict[Literal["on_start", "on_success", "on_failure"], list[str]] = Field(default_factory=dict)


def _emails_shorthand(value: Any) -> Any:
    if isinstance(value, list):
        return {"on_failure": value}
    return value


Notifications = Annotated[EmailNotifications, BeforeValidator(_emails_shorthand)]


class ScheduleOptions(_Frozen):
    """Options every schedule form takes."""

    paused: bool = False
    max_concurrent_runs: int = Field(1, ge=1, le=1000)
    timeout: str | int | None = None  # a duration: "2h" or seconds
    retries: int = Field(0, ge=0, le=100)
    notifications: Notifications | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    queue: bool = True

    @field_validator("timeout")
    @classmethod
    def _timeout_is_duration(cls, value: str | int | None) -> str | int | None:
        if value is not None:
            duration_seconds(value)
        return value


class CronSchedule(ScheduleOptions):
    """Quartz (6-7 fields), 5-field Unix cron, or a preset such as "@daily" or "weekdays at 09:30"."""

    kind: Literal["cron"] = "cron"
    cron: str
    timezone: str = "UTC"

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        to_quartz(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        return check_timezone(value)

    @model_validator(mode="after")
    def _fires_at_all(self, info: ValidationInfo) -> CronSchedule:
        from sharepack.schedule.cron import never_fires, never_fires_message
        from sharepack.schedule.once import clock

        context = info.context if isinstance(info.context, dict) else {}
        if context.get("allow_past"):
            return self  # operating what was deployed: an expression that ran out is still it
        if never_fires(self.quartz, self.timezone, context.get("now") or clock()):
            raise ValueError(never_fires_message(self.cron))
        return self

    @property
    def quartz(self) -> str:
        return to_quartz(self.cron)


class ContinuousSchedule(ScheduleOptions):
    """The pipeline's job runs all the time: Databricks restarts it when a run ends."""

    kind: Literal["continuous"] = "continuous"
    continuous: Literal[True] = True


class IntervalSchedule(ScheduleOptions):
    """Every N minutes/hours/days/weeks, measured from the end of... see `sharepack.schedule`."""

    kind: Literal["interval"] = "interval"
    every: str

    @field_validator("every")
    @classmethod
    def _valid_interval(cls, value: str) -> str:
        from sharepack.schedule.interval import parse_interval

        parse_interval(value)
        return value


class OneTimeSchedule(ScheduleOptions):
    """Once, at a moment in the schedule's timezone."""

    kind: Literal["once"] = "once"
    at: datetime
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        return check_timezone(value)

    @model_validator(mode="after")
    def _fires_in_the_future(self, info: ValidationInfo) -> OneTimeSchedule:
        # "now" comes from the validation context (`model_validate(..., context={"now": ...})`)
        # so that tests and plans are deterministic; otherwise the clock in `once`.
        from sharepack.schedule.once import clock, one_time_problem

        context = info.context if isinstance(info.context, dict) else {}
        now = context.get("now") or clock()
        problem = one_time_problem(self.at, self.timezone, now, allow_past=bool(context.get("allow_past")))
        if problem:
            raise ValueError(problem)
        return self


def _event_duration(value: str | int | None, info: ValidationInfo) -> str | int | None:
    event_seconds(value, str(info.field_name))
    return value


class FileArrival(_Frozen):
    url: str
    debounce: str | int | None = None  # min time between triggers
    wait_after_last_change: str | int | None = None

    _durations = field_validator("debounce", "wait_after_last_change")(_event_duration)


class TableUpdate(_Frozen):
    tables: list[str] = Field(min_length=1)
    condition: Literal["any", "all"] = "any"
    debounce: str | int | None = None
    wait_after_last_change: str | int | None = None

    _durations = field_validator("debounce", "wait_after_last_change")(_event_duration)


class EventTrigger(_Frozen):
    """Exactly one of the events."""

    file_arrival: FileArrival | None = None
    table_update: TableUpdate | None = None
    pipeline_updated: str | None = None  # another pipeline of the pack, by name


class EventSchedule(ScheduleOptions):
    kind: Literal["event"] = "event"
    on: EventTrigger


_KIND_BY_KEY = {"cron": "cron", "every": "interval", "at": "once", "on": "event", "continuous": "continuous"}


def _normalise(value: Any) -> Any:
    """Strings become mappings so that every form validates the same way."""
    if isinstance(value, str):
        if value.strip().lower() == "continuous":
            return {"continuous": True}
        return {"cron": value}
    return value


def _schedule_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return str(getattr(value, "kind", None))
    if isinstance(value, dict):
        if "kind" in value:
            return str(value["kind"])
        for key, kind in _KIND_BY_KEY.items():
            if key in value:
                return kind
    return None  # pydantic reports: unable to extract tag


Schedule = Annotated[
    Annotated[CronSchedule, Tag("cron")]
    | Annotated[ContinuousSchedule, Tag("continuous")]
    | Annotated[IntervalSchedule, Tag("interval")]
    | Annotated[OneTimeSchedule, Tag("once")]
    | Annotated[EventSchedule, Tag("event")],
    Discriminator(
        _schedule_kind,
        custom_error_type="schedule_form",
        custom_error_message=(
            "a schedule is 'continuous', a cron string, or a mapping with one of: cron, every, at, on"
        ),
    ),
    BeforeValidator(_normalise),
]

AnySchedule = CronSchedule | ContinuousSchedule | IntervalSchedule | OneTimeSchedule | EventSchedule
