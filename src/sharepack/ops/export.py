"""export: what a workspace holds, written back as a SharePack, so hand-made pipelines can be adopted.

The mapping is the inverse of `desired.py` and `schedule/job_settings.py`: every exported value
is one that, applied again, produces the settings the workspace already has. That is the round
trip the export promises — `sharepack plan` on the exported file shows no changes for what the
pack itself made, and only the adoption (sharepack's tags, the `run_date` parameter) for what
was made by hand. What has no SharePack form is left out and listed in the file's header.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import yaml

from sharepack.desired.state import SCHEDULE_JOB_SUFFIX
from sharepack.ops.export_sharing import (
    SharingExport,
    header_lines,
    read_sharing,
    recipient_entries,
    share_entry,
)
from sharepack.pack.names import PIPELINE_NAME_MAX, resource_name_problem
from sharepack.schedule.interval import MINUTE_DIVISORS
from sharepack.sync.code import CODE_DIGEST_SETTING
from sharepack.workspace.ownership import MANAGED_BY, PACK_TAG, PIPELINE_DIGEST_TAG

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

PAGE_SIZE = 100
DEFAULT_PACK_NAME = "exported"
SHARE_CONFIG = "sharepack.share"
SOURCE_CONFIG = "sharepack.source_asset"
_SUB_HOUR_CRON = re.compile(r"^0 0/(\d+) \* \* \* \?$")
_PERIODIC_UNITS = {"HOURS": "h", "DAYS": "d", "WEEKS": "w"}
_FAILURE_ALERTS = {"on-update-failure", "on-update-fatal-failure", "on-flow-failure"}
_SUCCESS_ALERTS = {"on-update-success"}
_EVENTS = ("on_start", "on_success", "on_failure")


@dataclass
class ExportResult:
    text: str  # the YAML, header included
    pack_name: str
    pipelines: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    shares: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack_name,
            "pipelines": self.pipelines,
            "jobs": self.jobs,
            "shares": self.shares,
            "recipients": self.recipients,
            "left_out": self.notes,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class _Pipeline:
    pipeline_id: str
    name: str
    spec: Mapping[str, Any]


def like_filter(pattern: str) -> str:
    """`name LIKE '<pattern>'` with the user's wildcards kept and quotes doubled."""
    return "name LIKE '" + pattern.replace("'", "''") + "'"


def export_workspace(
    client: WorkspaceClient,
    *,
    source: str,
    name_like: str | None = None,
    pack_name: str | None = None,
    parallelism: int = 8,
    now: datetime | None = None,
) -> ExportResult:
    """Read the workspace's pipelines (filtered by `name_like`), the jobs that run them, and the
    shares and recipients (see `export_sharing` for what the filter means for them)."""
    pipelines = _read_pipelines(client, name_like, parallelism)
    jobs = [
        (int(j.job_id or 0), j.settings.as_dict())
        for j in client.jobs.list(expand_tasks=True, limit=PAGE_SIZE)
        if j.settings is not None
    ]
    sharing = read_sharing(
        client,
        name_like=name_like,
        pipeline_shares={
            str(s) for p in pipelines if (s := (p.spec.get("configuration") or {}).get(SHARE_CONFIG))
        },
        parallelism=parallelism,
    )
    builder = _Builder(pipelines, jobs, pack_name, sharing)
    document = builder.build()
    header = _header(source, name_like, builder, now or datetime.now(UTC))
    return ExportResult(
        text=header + _dump(document),
        pack_name=builder.pack_name,
        pipelines=[p["name_prefix"] for p in builder.exported_pipelines],
        jobs=builder.exported_jobs,
        shares=[s["name"] for s in document.get("share", [])],
        recipients=[r["name"] for r in document.get("recipient", [])],
        notes=[*builder.notes, *sharing.notes],
        warnings=[*builder.warnings, *sharing.warnings],
    )


def _read_pipelines(client: WorkspaceClient, name_like: str | None, parallelism: int) -> list[_Pipeline]:
    kwargs: dict[str, Any] = {"max_results": PAGE_SIZE}
    if name_like:
        kwargs["filter"] = like_filter(name_like)
    found = [
        (info.pipeline_id, info.name)
        for info in client.pipelines.list_pipelines(**kwargs)
        if info.pipeline_id and info.name
    ]

    def fetch(item: tuple[str, str]) -> _Pipeline:
        response = client.pipelines.get(item[0])
        spec = response.spec.as_dict() if response.spec else {}
        return _Pipeline(pipeline_id=item[0], name=item[1], spec=spec)

    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(found) or 1))) as pool:
        return sorted(pool.map(fetch, found), key=lambda p: p.name)


class _Builder:
    """Turns API settings into the pack's document, collecting what could not be expressed."""

    def __init__(
        self,
        pipelines: Sequence[_Pipeline],
        jobs: Sequence[tuple[int, dict[str, Any]]],
        pack_name: str | None,
        sharing: SharingExport | None = None,
    ) -> None:
        self.sharing = sharing or SharingExport()
        self.notes: list[str] = []  # what was left out, and why
        self.warnings: list[str] = []
        self.exported_pipelines: list[dict[str, Any]] = []
        self.exported_jobs: list[str] = []
        self.guessed_sources: list[str] = []
        self.pipelines = self._usable(pipelines)
        self.jobs = jobs
        self.pack_name = pack_name or self._pack_name()

    def _usable(self, pipelines: Sequence[_Pipeline]) -> dict[str, _Pipeline]:
        counts = Counter(p.name for p in pipelines)
        usable: dict[str, _Pipeline] = {}
        for pipeline in pipelines:
            problem = resource_name_problem(
                pipeline.name, "pipeline", max_chars=PIPELINE_NAME_MAX, file_name=True
            )
            if counts[pipeline.name] > 1:
                self.notes.append(f"{counts[pipeline.name]} pipelines are named {pipeline.name}: left out")
            elif problem:
                self.notes.append(f"{problem}: left out")
            elif (pipeline.spec.get("configuration") or {}).get(SHARE_CONFIG) in self.sharing.left_out_shares:
                share = pipeline.spec["configuration"][SHARE_CONFIG]
                self.notes.append(
                    f"pipeline {pipeline.name} publishes into share {share}, which is left out: left out"
                )
            elif not pipeline.spec.get("catalog"):
                self.notes.append(
                    f"pipeline {pipeline.name} publishes to the Hive metastore, not Unity Catalog: left out"
                )
            else:
                usable[pipeline.pipeline_id] = pipeline
        return usable

    def _pack_name(self) -> str:
        owners = Counter(
            str(p.spec.get("tags", {}).get(PACK_TAG))
            for p in self.pipelines.values()
            if (p.spec.get("tags") or {}).get(PACK_TAG)
        )
        owners.update(self.sharing.owners())
        if not owners:
            return DEFAULT_PACK_NAME
        name, _ = owners.most_common(1)[0]
        if len(owners) > 1:
            others = ", ".join(sorted(set(owners) - {name}))
            self.warnings.append(
                f"resources of several packs were exported; this pack is named {name}, and plan "
                f"reports those of {others} as belonging to another pack (use --name-like to export one)"
            )
        return name

    # -- the document ------------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        by_name = {p.name: p for p in self.pipelines.values()}
        own_jobs, orchestrations = self._classify_jobs()
        shares: dict[str, list[dict[str, Any]]] = {}
        loose: list[dict[str, Any]] = []
        for name in sorted(by_name):
            pipeline = by_name[name]
            entry = self._pipeline(pipeline)
            job = own_jobs.get(pipeline.pipeline_id)
            if job is not None:
                schedule = self._schedule_of(job[1], pipeline)
                if schedule is not None:
                    entry["schedule"] = schedule
                    self.exported_jobs.append(str(job[1]["name"]))
            self.exported_pipelines.append(entry)
            share = (pipeline.spec.get("configuration") or {}).get(SHARE_CONFIG)
            (shares.setdefault(str(share), []) if share else loose).append(entry)
        document: dict[str, Any] = {"metadata": {"name": self.pack_name}}
        recipients = recipient_entries(self.sharing)
        if recipients:
            document["recipient"] = recipients
        for share in self.sharing.shares:
            shares.setdefault(share, [])
        if shares:
            document["share"] = [self._share(share, entries) for share, entries in sorted(shares.items())]
        if loose or not shares:
            document["pipelines"] = loose
        jobs = {name: body for name, body in orchestrations}
        if jobs:
            document["jobs"] = jobs
        return document

    def _share(self, name: str, pipelines: list[dict[str, Any]]) -> dict[str, Any]:
        entry = share_entry(self.sharing, name, pipelines)
        if entry is not None:
            return entry
        self.warnings.append(
            f"share {name}, which pipelines publish into, is not in the metastore: plan will create it "
            "with the tables they sync"
        )
        return {
            "name": name,
            "share_assets": list(dict.fromkeys(p["source_asset"] for p in pipelines)),
            "pipelines": pipelines,
        }

    def _classify_jobs(
        self,
    ) -> tuple[dict[str, tuple[int, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
        """Each pipeline's own schedule job (`<name>_schedule` running only it), and orchestrations:
        other jobs whose tasks all run exported pipelines."""
        own: dict[str, tuple[int, dict[str, Any]]] = {}
        orchestrations: list[tuple[str, dict[str, Any]]] = []
        names = Counter(str(s.get("name", "")) for _, s in self.jobs)
        for job_id, settings in sorted(self.jobs, key=lambda j: str(j[1].get("name", ""))):
            name = str(settings.get("name", ""))
            tasks = settings.get("tasks") or []
            ids = [str((t.get("pipeline_task") or {}).get("pipeline_id", "")) for t in tasks]
            if not any(i in self.pipelines for i in ids):
                continue  # not about the exported pipelines: not ours to write down
            if not all(i in self.pipelines for i in ids):
                self.notes.append(f"job {name} also runs other tasks or pipelines not exported: left out")
                continue
            if names[name] > 1:
                self.notes.append(f"{names[name]} jobs are named {name}: left out")
                continue
            problem = resource_name_problem(name, "job")
            if problem or len(set(ids)) != len(ids):
                self.notes.append(f"{problem or f'job {name} runs a pipeline twice'}: left out")
                continue
            if any(self.pipelines[i].spec.get("continuous") for i in ids):
                self.notes.append(
                    f"job {name} runs a continuous pipeline, which cannot be scheduled: left out"
                )
                continue
            pipeline = self.pipelines[ids[0]]
            if len(ids) == 1 and name == pipeline.name + SCHEDULE_JOB_SUFFIX:
                if ids[0] in own:
                    self.notes.append(f"job {name} (id {job_id}) duplicates another schedule job: left out")
                    continue
                own[ids[0]] = (job_id, settings)
                continue
            if name.endswith(SCHEDULE_JOB_SUFFIX) and name[: -len(SCHEDULE_JOB_SUFFIX)] in {
                p.name for p in self.pipelines.values()
            }:
                self.notes.append(
                    f"job {name} is named like a schedule job but runs other pipelines: left out"
                )
                continue
            body = self._orchestration(settings, tasks)
            if body is not None:
                orchestrations.append((name, body))
                self.exported_jobs.append(name)
        return own, orchestrations

    def _pipeline(self, pipeline: _Pipeline) -> dict[str, Any]:
        spec = pipeline.spec
        configuration = {str(k): str(v) for k, v in (spec.get("configuration") or {}).items()}
        configuration.pop(SHARE_CONFIG, None)
        # Ours, and only on a pipeline that runs generated code: it follows from the code.
        generated_code = configuration.pop(CODE_DIGEST_SETTING, None) is not None
        sync = _sync_keys(configuration)
        source = configuration.pop(SOURCE_CONFIG, None) or sync.pop("source_asset", None)
        sync.pop("source_asset", None)
        schema = spec.get("schema") or spec.get("target")
        if source is None:
            table = re.sub(r"\W", "_", pipeline.name).strip("_").lower() or "table"
            source = f"{spec['catalog']}.{schema}.{table}"
            self.guessed_sources.append(pipeline.name)
        entry: dict[str, Any] = {
            "name_prefix": pipeline.name,
            "source_asset": source,
            "catalog": spec["catalog"],
            "schema": schema,
        }
        entry.update(sync)
        if not spec.get("serverless"):
            entry["serverless"] = False
        raw_libraries = spec.get("libraries") or []
        own_source = _single_path(raw_libraries) if sync else None
        if generated_code and _generated(pipeline.name, raw_libraries):
            pass  # the code sharepack generates for it: generated again from the pack
        elif own_source is not None:
            # The team's generic sync notebook, told what to sync by the `pipelines.*` keys.
            entry["pipeline_source"] = own_source
        elif libraries := self._libraries(pipeline.name, raw_libraries):
            entry["libraries"] = libraries
        if configuration:
            entry["configuration"] = configuration
        # Written whenever set, even to the default: the schedule job's digest of the pipeline
        # settings counts what was sent, so leaving it out would read as a change.
        if spec.get("channel"):
            entry["channel"] = str(spec["channel"]).upper()
        for flag in ("development", "continuous"):
            if spec.get(flag):
                entry[flag] = True
        if spec.get("photon") is not None:
            entry["photon"] = bool(spec["photon"])
        if spec.get("edition"):
            entry["edition"] = str(spec["edition"]).upper()
        tags = _user_tags(spec.get("tags") or {})
        if tags:
            entry["tags"] = tags
        notification = _pipeline_notification(spec.get("notifications") or [])
        if notification:
            entry["notification"] = _compact_notification(notification)
        return entry

    def _libraries(self, name: str, libraries: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
        result: list[dict[str, str]] = []
        for library in libraries:
            if (library.get("notebook") or {}).get("path"):
                result.append({"notebook": library["notebook"]["path"]})
            elif (library.get("file") or {}).get("path"):
                result.append({"file": library["file"]["path"]})
            elif (library.get("glob") or {}).get("include"):
                result.append({"glob": library["glob"]["include"]})
            else:
                kinds = ", ".join(sorted(library)) or "empty"
                self.notes.append(f"pipeline {name}: a library of kind {kinds} has no SharePack form")
        return result

    def _schedule_of(self, settings: Mapping[str, Any], pipeline: _Pipeline | None) -> dict[str, Any] | None:
        """The `schedule:` that produces these job settings, or None (with a note) when none does."""
        name = str(settings.get("name", ""))
        schedule = _trigger_form(settings)
        if schedule is None:
            has_trigger = any(settings.get(k) for k in ("schedule", "continuous", "trigger"))
            if has_trigger:
                self.notes.append(f"job {name}: its trigger has no SharePack form; left out")
            elif pipeline is not None:
                self.notes.append(f"job {name} has no schedule: left out (run the pipeline on demand)")
            return None
        block = next(settings[k] for k in ("schedule", "continuous", "trigger") if settings.get(k))
        if block.get("pause_status") == "PAUSED":
            schedule["paused"] = True
        if int(settings.get("max_concurrent_runs") or 1) != 1:
            schedule["max_concurrent_runs"] = int(settings["max_concurrent_runs"])
        if int(settings.get("timeout_seconds") or 0) > 0:
            schedule["timeout"] = _duration(int(settings["timeout_seconds"]))
        retries = {int(t.get("max_retries") or 0) for t in settings.get("tasks") or []}
        if len(retries) == 1 and retries != {0}:
            schedule["retries"] = retries.pop()
        if not (settings.get("queue") or {}).get("enabled", False):
            schedule["queue"] = False
        inherited = _job_emails(
            _pipeline_notification((pipeline.spec.get("notifications") or []) if pipeline else [])
        )
        notifications = _job_notifications(settings)
        if notifications and notifications != inherited:
            schedule["notifications"] = notifications
        tags = _user_tags(settings.get("tags") or {})
        pipeline_tags = _user_tags(pipeline.spec.get("tags") or {}) if pipeline else {}
        own_tags = {k: v for k, v in tags.items() if pipeline_tags.get(k) != v}
        if own_tags:
            schedule["tags"] = own_tags
        if list(schedule) == ["continuous"]:
            return {"continuous": True}
        return schedule

    def _orchestration(
        self, settings: Mapping[str, Any], tasks: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        name_of_key = {
            str(t["task_key"]): self.pipelines[str(t["pipeline_task"]["pipeline_id"])].name for t in tasks
        }
        body: dict[str, Any] = {}
        schedule = self._schedule_of(settings, None)
        if schedule is not None:
            body["schedule"] = schedule
        if not _is_chain(tasks):
            body["tasks"] = [
                {
                    "pipeline": name_of_key[str(t["task_key"])],
                    **(
                        {"depends_on": [name_of_key[str(d["task_key"])] for d in t["depends_on"]]}
                        if t.get("depends_on")
                        else {}
                    ),
                }
                for t in tasks
            ]
        else:
            body["pipelines"] = [name_of_key[str(t["task_key"])] for t in tasks]
        if schedule is None:
            tags = _user_tags(settings.get("tags") or {})
            if tags:
                body["tags"] = tags
            emails = {k: v for k, v in _job_notifications(settings).items() if k in _EVENTS}
            if emails:
                body["notification"] = _compact_notification(emails)
        return body


def _is_chain(tasks: Sequence[Mapping[str, Any]]) -> bool:
    """Each task waits for exactly the one before it: what `pipelines: [...]` produces."""
    return all(
        [str(d.get("task_key")) for d in task.get("depends_on") or []]
        == ([str(tasks[i - 1]["task_key"])] if i else [])
        for i, task in enumerate(tasks)
    )


def _trigger_form(settings: Mapping[str, Any]) -> dict[str, Any] | None:
    cron = settings.get("schedule")
    if cron and cron.get("quartz_cron_expression"):
        quartz = str(cron["quartz_cron_expression"])
        timezone = str(cron.get("timezone_id") or "UTC")
        match = _SUB_HOUR_CRON.match(quartz)
        if match and timezone == "UTC" and int(match.group(1)) in MINUTE_DIVISORS:
            return {"every": f"{int(match.group(1))}m"}
        return {"cron": quartz, "timezone": timezone}
    if settings.get("continuous"):
        return {"continuous": True}
    trigger = settings.get("trigger") or {}
    periodic = trigger.get("periodic")
    if periodic and periodic.get("unit") in _PERIODIC_UNITS:
        return {"every": f"{int(periodic['interval'])}{_PERIODIC_UNITS[periodic['unit']]}"}
    arrival = trigger.get("file_arrival")
    if arrival and arrival.get("url"):
        return {"on": {"file_arrival": {"url": arrival["url"], **_event_durations(arrival)}}}
    update = trigger.get("table_update")
    if update and update.get("table_names"):
        event: dict[str, Any] = {"tables": list(update["table_names"])}
        if update.get("condition") == "ALL_UPDATED":
            event["condition"] = "all"
        return {"on": {"table_update": {**event, **_event_durations(update)}}}
    return None


def _event_durations(config: Mapping[str, Any]) -> dict[str, str]:
    result = {}
    if config.get("min_time_between_triggers_seconds"):
        result["debounce"] = _duration(int(config["min_time_between_triggers_seconds"]))
    if config.get("wait_after_last_change_seconds"):
        result["wait_after_last_change"] = _duration(int(config["wait_after_last_change_seconds"]))
    return result


def _duration(seconds: int) -> str:
    for size, unit in ((604800, "w"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _user_tags(tags: Mapping[str, Any]) -> dict[str, str]:
    """Tags a person set: sharepack's own are written by sharepack, never in the YAML."""
    return {
        str(k): str(v)
        for k, v in sorted(tags.items())
        if k not in (MANAGED_BY, PACK_TAG, PIPELINE_DIGEST_TAG) and not str(k).lower().startswith("sharepack")
    }


def _sync_keys(configuration: dict[str, str]) -> dict[str, Any]:
    """The sync keys a pipeline's `pipelines.*` configuration spells (taken out of it), as the
    pack writes them; empty when it has no `pipelines.source_table`."""
    if "pipelines.source_table" not in configuration:
        return {}
    keys: dict[str, Any] = {"source_asset": configuration.pop("pipelines.source_table")}
    if "pipelines.target_table" in configuration:
        keys["target_asset"] = configuration.pop("pipelines.target_table")
    if "pipelines.scd_type" in configuration:
        keys["scd_type"] = configuration.pop("pipelines.scd_type")
    if "pipelines.keys" in configuration:
        keys["key_columns"] = [k.strip() for k in configuration.pop("pipelines.keys").split(",") if k.strip()]
    return keys


def _single_path(libraries: Sequence[Mapping[str, Any]]) -> str | None:
    """The path of a pipeline's only notebook or file library."""
    if len(libraries) != 1:
        return None
    for kind in ("notebook", "file"):
        path = (libraries[0].get(kind) or {}).get("path")
        if path:
            return str(path)
    return None


def _generated(name: str, libraries: Sequence[Mapping[str, Any]]) -> bool:
    path = (libraries[0].get("file") or {}).get("path") if len(libraries) == 1 else None
    return bool(path) and str(path).endswith(f"/pipelines/{name}.py")


def _pipeline_notification(notifications: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, set[str]] = {}
    for item in notifications:
        alerts = set(item.get("alerts") or [])
        emails = set(item.get("email_recipients") or [])
        if alerts & _FAILURE_ALERTS:
            result.setdefault("on_failure", set()).update(emails)
        if alerts & _SUCCESS_ALERTS:
            result.setdefault("on_success", set()).update(emails)
    return {event: sorted(emails) for event, emails in result.items() if emails}


def _job_emails(notification: Mapping[str, list[str]]) -> dict[str, list[str]]:
    return {event: sorted(notification[event]) for event in _EVENTS if notification.get(event)}


def _job_notifications(settings: Mapping[str, Any]) -> dict[str, Any]:
    emails = settings.get("email_notifications") or {}
    result: dict[str, Any] = {event: sorted(emails[event]) for event in _EVENTS if emails.get(event)}
    webhooks = settings.get("webhook_notifications") or {}
    hooks = {
        event: [str(h["id"]) for h in webhooks[event] if h.get("id")]
        for event in _EVENTS
        if webhooks.get(event)
    }
    if hooks:
        result["webhooks"] = hooks
    return result


def _compact_notification(notification: Mapping[str, Any]) -> Any:
    """A plain list means `on_failure`, the common case."""
    if list(notification) == ["on_failure"]:
        return list(notification["on_failure"])
    return dict(notification)


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as the example packs do.
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # The loader reads YAML 1.2, where `yes`/`on` stay text; quoting them keeps 1.1 readers right too.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def _literal(value: Any) -> Any:
    """Values as the loader will read them back: it substitutes `${...}` in every value (never in
    keys), so a workspace name holding `${` is written `$${` and re-planning finds the same name."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, Mapping):
        return {key: _literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_literal(item) for item in value]
    return value


def _dump(document: Mapping[str, Any]) -> str:
    return yaml.dump(
        _literal(document),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=110,
    )


def _header(source: str, name_like: str | None, builder: _Builder, now: datetime) -> str:
    lines = [
        f"# Exported by `sharepack export` from {source} on {now.strftime('%Y-%m-%d %H:%M UTC')}"
        + (f", pipelines named LIKE '{name_like}'." if name_like else "."),
        "# It declares the pipelines found and the jobs that schedule them, so that sharepack can",
        "# manage them from now on. Check it with `sharepack plan` on this file: what sharepack made",
        "# shows no changes; what was made by hand shows as `adopt` (apply adds sharepack's tags and",
        "# the run_date job parameter, and from then on the YAML is the source of truth).",
    ]
    if builder.guessed_sources:
        lines.append(
            "# source_asset is not recorded on hand-made pipelines; it was guessed for: "
            + ", ".join(builder.guessed_sources)
            + " — put the table each one syncs."
        )
    lines.extend(header_lines(builder.sharing, name_like))
    lines.extend(f"# Warning: {warning}" for warning in [*builder.warnings, *builder.sharing.warnings])
    lines.extend(f"# Not exported: {note}" for note in [*builder.notes, *builder.sharing.notes])
    return "\n".join(lines) + "\n"
