"""export: the exported pipelines and the jobs that run them, as the pack's document.

What cannot be expressed is left out, with a note saying why; the shares and recipients come
from `export_sharing`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sharepack.desired.state import SCHEDULE_JOB_SUFFIX
from sharepack.ops.export_settings import (
    EVENTS,
    compact_notification,
    duration_text,
    is_chain,
    job_emails,
    job_notifications,
    pipeline_notification,
    trigger_form,
    user_tags,
)
from sharepack.ops.export_sharing import SharingExport, recipient_entries, share_entry
from sharepack.pack.names import PIPELINE_NAME_MAX, resource_name_problem
from sharepack.sync.code import CODE_DIGEST_SETTING
from sharepack.workspace.ownership import PACK_TAG

DEFAULT_PACK_NAME = "exported"
SHARE_CONFIG = "sharepack.share"
SOURCE_CONFIG = "sharepack.source_asset"


@dataclass(frozen=True)
class ExportedPipeline:
    pipeline_id: str
    name: str
    spec: Mapping[str, Any]


class DocumentBuilder:
    """Turns API settings into the pack's document, collecting what could not be expressed."""

    def __init__(
        self,
        pipelines: Sequence[ExportedPipeline],
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

    def _usable(self, pipelines: Sequence[ExportedPipeline]) -> dict[str, ExportedPipeline]:
        counts = Counter(p.name for p in pipelines)
        usable: dict[str, ExportedPipeline] = {}
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

    def _pipeline(self, pipeline: ExportedPipeline) -> dict[str, Any]:
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
        tags = user_tags(spec.get("tags") or {})
        if tags:
            entry["tags"] = tags
        notification = pipeline_notification(spec.get("notifications") or [])
        if notification:
            entry["notification"] = compact_notification(notification)
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

    def _schedule_of(
        self, settings: Mapping[str, Any], pipeline: ExportedPipeline | None
    ) -> dict[str, Any] | None:
        """The `schedule:` that produces these job settings, or None (with a note) when none does."""
        name = str(settings.get("name", ""))
        schedule = trigger_form(settings)
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
            schedule["timeout"] = duration_text(int(settings["timeout_seconds"]))
        retries = {int(t.get("max_retries") or 0) for t in settings.get("tasks") or []}
        if len(retries) == 1 and retries != {0}:
            schedule["retries"] = retries.pop()
        if not (settings.get("queue") or {}).get("enabled", False):
            schedule["queue"] = False
        inherited = job_emails(
            pipeline_notification((pipeline.spec.get("notifications") or []) if pipeline else [])
        )
        notifications = job_notifications(settings)
        if notifications and notifications != inherited:
            schedule["notifications"] = notifications
        tags = user_tags(settings.get("tags") or {})
        pipeline_tags = user_tags(pipeline.spec.get("tags") or {}) if pipeline else {}
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
        if not is_chain(tasks):
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
            tags = user_tags(settings.get("tags") or {})
            if tags:
                body["tags"] = tags
            emails = {k: v for k, v in job_notifications(settings).items() if k in EVENTS}
            if emails:
                body["notification"] = compact_notification(emails)
        return body


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
