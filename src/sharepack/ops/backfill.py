"""`sharepack backfill`: one run of a job per logical date, the date passed as the `run_date` job
parameter, at most N in flight, with progress saved so an interrupted backfill resumes.

The record (`.sharepack/backfills/<id>.json`) is rewritten after every state change, atomically, so
a crash leaves either the old or the new record, never half of one. Each trigger carries an
idempotency token derived from the backfill, the date and the failed run it replaces (if any): a
trigger retried after a lost answer, or repeated on resume before its run ID was saved, gets the
run it already started back instead of a second one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sharepack.errors import SharepackError, UsageError
from sharepack.ops.run_wait import RunState, get_run_state, pause
from sharepack.workspace.connect import LOCAL_STATE_DIR

MAX_RUNS = 10_000
RUN_DATE_PARAMETER = "run_date"
BACKFILLS_DIR = LOCAL_STATE_DIR / "backfills"

PENDING, RUNNING, SUCCEEDED, FAILED = "pending", "running", "succeeded", "failed"
_STATES = (PENDING, RUNNING, SUCCEEDED, FAILED)
_EVERY = re.compile(r"^\s*(\d+)\s*([dwh])\s*$")
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_TOKEN_LIMIT = 64  # Databricks refuses longer idempotency tokens


# -- dates ---------------------------------------------------------------------------------------
def parse_every(text: str) -> timedelta:
    match = _EVERY.match(text)
    if match is None or int(match.group(1)) == 0:
        raise UsageError(
            f"--every {text!r}: expected a number and a unit (d, w or h)", hint="e.g. 1d, 1w, 6h"
        )
    count, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=count), "w": timedelta(weeks=count), "h": timedelta(hours=count)}[unit]


def parse_when(flag: str, text: str) -> datetime:
    """A date (2024-01-31) or a local date-time (2024-01-31T06:00), as a naive datetime."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is not a date", hint="use YYYY-MM-DD, or YYYY-MM-DDTHH:MM for hourly steps"
        ) from None
    if value.tzinfo is not None:
        raise UsageError(f"{flag} {text!r}: give the date without a time zone", hint="e.g. 2024-01-31T06:00")
    return value


def logical_dates(start: datetime, end: datetime, every: timedelta, *, with_time: bool) -> list[str]:
    """Every logical date from start to end inclusive; refuses a reversed or oversized range."""
    if start > end:
        raise UsageError(
            f"--from {_format(start, with_time)} is after --to {_format(end, with_time)}",
            hint="swap them: the range runs from the earlier date to the later one",
        )
    count = (end - start) // every + 1
    if count > MAX_RUNS:
        raise UsageError(
            f"that backfill would start {count:,} runs; sharepack refuses more than {MAX_RUNS:,}",
            hint="split the range into several backfills, or use a larger --every",
        )
    return [_format(start + every * i, with_time) for i in range(count)]


def _format(value: datetime, with_time: bool) -> str:
    return value.isoformat(timespec="seconds") if with_time else value.date().isoformat()


def needs_time(start: datetime, end: datetime, every: timedelta) -> bool:
    """Sub-day steps, or a range given with times, pass ISO date-times; otherwise plain dates."""
    midnight = datetime.min.time()
    return every % timedelta(days=1) != timedelta(0) or start.time() != midnight or end.time() != midnight


# -- the record ----------------------------------------------------------------------------------
@dataclass
class DateEntry:
    run_id: int | None = None
    state: str = PENDING


@dataclass
class BackfillRecord:
    id: str
    pack: str
    job: str
    job_id: int
    created: str
    dates: dict[str, DateEntry] = field(default_factory=dict)
    path: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "pack": self.pack,
            "job": self.job,
            "job_id": self.job_id,
            "created": self.created,
            "dates": {d: {"run_id": e.run_id, "state": e.state} for d, e in self.dates.items()},
        }

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys(_STATES, 0)
        for entry in self.dates.values():
            counted[entry.state] += 1
        return counted

    def save(self) -> None:
        """Write the whole record to a temporary file, then rename it over the old one."""
        assert self.path is not None
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
            os.replace(temporary, self.path)


def new_record(pack: str, job: str, job_id: int, dates: Sequence[str], directory: Path) -> BackfillRecord:
    now = datetime.now(UTC)
    backfill_id = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    return BackfillRecord(
        id=backfill_id,
        pack=pack,
        job=job,
        job_id=job_id,
        created=now.isoformat(timespec="seconds"),
        dates={d: DateEntry() for d in dates},
        path=directory / f"{backfill_id}.json",
    )


def load_record(backfill_id: str, directory: Path) -> BackfillRecord:
    path = directory / f"{backfill_id}.json"
    if not _ID.match(backfill_id) or not path.is_file():
        known = sorted(p.stem for p in directory.glob("*.json")) if directory.is_dir() else []
        raise UsageError(
            f"no backfill {backfill_id!r} in {directory}",
            hint=f"known backfills: {', '.join(known[-10:])}" if known else "start one without --resume",
        )
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        dates = {
            str(d): DateEntry(
                None if e.get("run_id") is None else int(e["run_id"]),
                str(e["state"]) if e.get("state") in _STATES else PENDING,
            )
            for d, e in raw["dates"].items()
        }
        return BackfillRecord(
            id=str(raw["id"]),
            pack=str(raw["pack"]),
            job=str(raw["job"]),
            job_id=int(raw["job_id"]),
            created=str(raw["created"]),
            dates=dates,
            path=path,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SharepackError(
            f"{path} is not a backfill record ({exc})", hint="delete it and start the backfill again"
        ) from None


def idempotency_token(backfill_id: str, day: str, replaces: int | None) -> str:
    """The same token for the same trigger, so a repeated request never starts a second run."""
    token = f"sharepack-backfill-{backfill_id}-{day}" + (f"-after-{replaces}" if replaces else "")
    if len(token) <= _TOKEN_LIMIT:
        return token
    return "sharepack-backfill-" + hashlib.sha256(token.encode()).hexdigest()[:40]


# -- running -------------------------------------------------------------------------------------
Listener = Callable[[str, DateEntry], None]


def run_backfill(
    client: Any, record: BackfillRecord, *, max_parallel: int, on_change: Listener | None = None
) -> BackfillRecord:
    """Run every date not yet succeeded, at most `max_parallel` in flight, saving after each change.

    Dates already running (from an interrupted backfill) are waited for, not started again.
    """
    notify = on_change or (lambda _day, _entry: None)
    queue = [d for d, e in record.dates.items() if e.state in (PENDING, FAILED)]
    in_flight = [d for d, e in record.dates.items() if e.state == RUNNING and e.run_id is not None]
    queue += [d for d, e in record.dates.items() if e.state == RUNNING and e.run_id is None]
    queue.sort()
    while queue or in_flight:
        while queue and len(in_flight) < max_parallel:
            day = queue.pop(0)
            _trigger(client, record, day)
            in_flight.append(day)
            notify(day, record.dates[day])
        changed = False
        for day in list(in_flight):
            entry = record.dates[day]
            assert entry.run_id is not None
            state = get_run_state(client, entry.run_id)
            if state.terminal:
                _finish(record, day, state)
                in_flight.remove(day)
                notify(day, entry)
                changed = True
        if in_flight and not changed:
            pause()
    return record


def _trigger(client: Any, record: BackfillRecord, day: str) -> None:
    entry = record.dates[day]
    replaces = entry.run_id if entry.state == FAILED else None
    response = client.jobs.run_now(
        record.job_id,
        job_parameters={RUN_DATE_PARAMETER: day},
        idempotency_token=idempotency_token(record.id, day, replaces),
    ).response
    entry.run_id = int(response.run_id)
    entry.state = RUNNING
    record.save()


def _finish(record: BackfillRecord, day: str, state: RunState) -> None:
    record.dates[day].state = SUCCEEDED if state.succeeded else FAILED
    record.save()
