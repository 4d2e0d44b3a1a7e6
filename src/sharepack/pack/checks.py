"""Checks beyond types: names Databricks accepts, references that resolve, rules a target sets.

They run on a pack that validated, after defaults and the target are applied, and report every
problem at the YAML node that caused it (for a setting inherited from `pipeline_defaults`, the
line of the default).
"""

from __future__ import annotations

import importlib
from collections.abc import Hashable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sharepack.errors import SpecProblem, did_you_mean
from sharepack.pack.format_checks import check_format
from sharepack.pack.job_limits import check_job_limits
from sharepack.pack.models import SharePack
from sharepack.pack.names import (
    MAX_USER_TAGS,
    PIPELINE_NAME_MAX,
    email_problem,
    name_key,
    pack_name_problem,
    resource_name_problem,
    tag_problems,
    three_part_name_problem,
    uc_name_problem,
    url_problem,
)
from sharepack.pack.positions import PositionIndex
from sharepack.pack.problems import already_used, problem_at
from sharepack.pack.resolve import Resolution, YamlPath
from sharepack.pack.resolved import ResolvedPipeline
from sharepack.pack.sharing_checks import check_sharing, share_key
from sharepack.pack.sync_rules import sync_mode
from sharepack.schedule.forms import AnySchedule, EmailNotifications, EventSchedule

SCHEDULE_JOB_SUFFIX = "_schedule"


class Checker:
    def __init__(
        self, spec: SharePack, resolution: Resolution, index: PositionIndex, file: str, now: datetime
    ) -> None:
        self.spec = spec
        self.resolution = resolution
        self.pack = resolution.pack
        self.index = index
        self.file = file
        self.now = now
        self.problems: list[SpecProblem] = []
        # Accepted, with a meaning the user should see (validate and plan show them; not errors).
        self.notices: list[SpecProblem] = []
        self.declared = {source.spec.name_prefix for source in resolution.pipelines}
        self._share_keys: dict[int, set[tuple[str, ...]]] = {}

    def report(self, path: YamlPath, message: str, hint: str | None = None, *, key: bool = False) -> None:
        self.problems.append(problem_at(self.index, self.file, path, message, hint, key=key))

    def notice(self, path: YamlPath, message: str, hint: str | None = None) -> None:
        self.notices.append(problem_at(self.index, self.file, path, message, hint))

    def run(self) -> list[SpecProblem]:
        self.check_pack()
        check_sharing(self)
        check_format(self)
        self.check_pipelines()
        self.check_jobs()
        check_job_limits(self)
        return self.problems

    def check_pack(self) -> None:
        written = self.spec.metadata is not None and self.spec.metadata.name is not None
        problem = pack_name_problem(self.pack.name) or next(
            (message for _, message in tag_problems({"pack": self.pack.name})), None
        )
        if problem:
            hint = None if written else "the file name is the default: set `metadata.name`"
            self.report(("metadata", "name") if written else (), problem, hint)
        if self.spec.metadata and self.spec.metadata.workspace_url:
            self.check_url(("metadata", "workspace_url"), self.spec.metadata.workspace_url)
        for name, target in self.spec.targets.items():
            if target.workspace and target.workspace.host:
                self.check_url(("targets", name, "workspace", "host"), target.workspace.host)

    def check_url(self, path: YamlPath, url: str) -> None:
        problem = url_problem(url)
        if problem:
            self.report(path, problem)

    def check(self, problem: str | None, path: YamlPath, hint: str | None = None) -> None:
        if problem:
            self.report(path, problem, hint)

    def unique(
        self, seen: dict[Any, int], value: str, path: YamlPath, what: str, *, key: Hashable = None
    ) -> None:
        """Report `value` if its key (by default, itself) was seen before; remember its line if not."""
        key = value if key is None else key
        line = self.index.position(path)[0]
        if key in seen:
            self.report(path, already_used(what, value, seen[key]))
        else:
            seen[key] = line

    def _covered(self, share: Any, assets: Sequence[Any], source_asset: str) -> bool:
        """Whether the share shares `source_asset` (a schema shares its tables): one set per share,
        built once, so a share of 1,000 tables and its 1,000 pipelines stay linear."""
        keys = self._share_keys.get(id(share))
        if keys is None:
            keys = {share_key(asset) for asset in assets}
            self._share_keys[id(share)] = keys
        source = name_key(source_asset)
        return source in keys or ("SCHEMA", *source[:2]) in keys

    def check_pipelines(self) -> None:
        names: dict[str, int] = {}
        production = self.pack.target is not None and self.pack.target.mode == "production"
        for pipeline, source in zip(self.pack.pipelines, self.resolution.pipelines, strict=True):
            path = source.path
            origin = source.origins
            name_path = (*path, "name_prefix")
            self.unique(names, pipeline.name, name_path, "pipeline name")
            self.check(
                resource_name_problem(pipeline.name, "pipeline", max_chars=PIPELINE_NAME_MAX, file_name=True),
                name_path,
            )
            asset_path = (*path, "source_asset")
            asset_problem = three_part_name_problem(pipeline.source_asset)
            self.check(asset_problem, asset_path)
            share = source.share
            assets = [*(share.share_assets or ()), *(share.share_assets_to_add or ())] if share else []
            shared = [asset.name for asset in assets]
            # With change lists only, the share may hold assets the pack does not name.
            if (
                not asset_problem
                and share is not None
                and share.share_assets is not None
                and not self._covered(share, assets, pipeline.source_asset)
            ):
                hint = did_you_mean(pipeline.source_asset, shared) or (
                    "add it to the share's share_assets, or sync one of: " + ", ".join(shared)
                )
                self.report(
                    asset_path, f"{pipeline.source_asset!r} is not one of the share's share_assets", hint
                )
            for key, value in (("catalog", pipeline.catalog), ("schema", pipeline.schema_name)):
                if not value and asset_problem:
                    continue  # derived from a source_asset already reported
                where = origin.get(key, path)
                set_it = None if key in origin else f"set `{key}:` on the pipeline or in pipeline_defaults"
                self.check(uc_name_problem(value, f"{key} name"), where, set_it)
            self.check_tags(pipeline.tags, origin, path, extra=pipeline.schedule)
            self.check_emails(pipeline.notifications, origin.get("notification", path))
            if pipeline.schedule is not None:
                schedule_path = origin.get("schedule", path)
                if pipeline.continuous:
                    self.report(
                        schedule_path,
                        f"pipeline {pipeline.name!r} is continuous: it runs all the time "
                        "and cannot have a schedule",
                        "remove `schedule`, or set `continuous: false`",
                    )
                self.check_schedule(pipeline.schedule, schedule_path, own=pipeline.declared_name)
            self.check_edition(pipeline, origin, path)
            if production and pipeline.development:
                self.report(
                    origin.get("development", path),
                    f"pipeline {pipeline.name!r} is in development mode, which a production target "
                    f"({self.pack.target.name if self.pack.target else ''}) never deploys",
                    "remove `development: true`, or deploy with a development target",
                )

    def check_edition(self, pipeline: ResolvedPipeline, origin: dict[str, YamlPath], path: YamlPath) -> None:
        """AUTO CDC (the generated SCD 1 and 2 code, or a team's `pipeline_source` told to apply
        changes) is a Pro and Advanced feature: a CORE pipeline fails at its first update."""
        mode = sync_mode(pipeline)
        if mode == "full_refresh" or pipeline.libraries or (pipeline.edition or "").upper() != "CORE":
            return
        self.report(
            origin.get("edition", path),
            f"pipeline {pipeline.name!r} applies changes as SCD {mode} (AUTO CDC), which the CORE "
            "edition does not have",
            "set `edition: PRO` or `ADVANCED`, or leave `edition` out (the default edition has it)",
        )

    def check_tags(
        self, tags: dict[str, str], origin: dict[str, YamlPath], path: YamlPath, extra: AnySchedule | None
    ) -> None:
        for key, message in tag_problems(tags):
            self.report(origin.get(f"tags.{key}", (*path, "tags", key)), message, key=True)
        count = len(tags.keys() | (extra.tags.keys() if extra else set()))
        # The ticket and requestor of the pack's metadata are tags too, on every pipeline and job.
        ours = 3 + len(self.pack.metadata.governance_tags)
        if count > MAX_USER_TAGS + 3 - ours:
            self.report(
                origin.get("tags", (*path, "tags")),
                f"{count} tags; Databricks allows 25 per pipeline or job and sharepack uses {ours}",
                f"keep at most {MAX_USER_TAGS + 3 - ours} tags",
            )

    def check_emails(self, notifications: EmailNotifications | None, path: YamlPath) -> None:
        if notifications is None:
            return
        for event in ("on_start", "on_success", "on_failure"):
            for i, address in enumerate(getattr(notifications, event)):
                self.check(email_problem(address), (*path, event, i))

    def check_schedule(self, schedule: AnySchedule, path: YamlPath, *, own: str | None) -> None:
        for key, message in tag_problems(schedule.tags):
            self.report((*path, "tags", key), message, key=True)
        self.check_emails(schedule.notifications, (*path, "notifications"))
        if isinstance(schedule, EventSchedule):
            self.check_event(schedule, (*path, "on"), own)
        self.check_policy(schedule, path)

    def check_event(self, schedule: EventSchedule, path: YamlPath, own: str | None) -> None:
        trigger = schedule.on
        given = [k for k in ("file_arrival", "table_update", "pipeline_updated") if getattr(trigger, k)]
        if len(given) != 1:
            self.report(
                path, "an event trigger names exactly one of: file_arrival, table_update, pipeline_updated"
            )
        if trigger.table_update is not None:
            for t, table in enumerate(trigger.table_update.tables):
                self.check(three_part_name_problem(table), (*path, "table_update", "tables", t))
        target = trigger.pipeline_updated
        if target is None:
            return
        declared_target = self.declared_name_of(target)
        where = (*path, "pipeline_updated")
        if declared_target is None:
            hint = did_you_mean(target, self.declared) or "name a pipeline of this pack (its name_prefix)"
            self.report(where, f"{target!r} is not a pipeline of this pack", hint)
        elif declared_target == own:
            self.report(where, "a pipeline cannot be triggered by its own updates (it would run forever)")

    def declared_name_of(self, name: str) -> str | None:
        if name in self.declared:
            return name
        return next((p.declared_name for p in self.pack.pipelines if p.name == name), None)

    def check_policy(self, schedule: AnySchedule, path: YamlPath) -> None:
        seconds = self.pack.policy.min_interval_seconds
        if seconds is None:
            return
        try:
            policy = importlib.import_module("sharepack.schedule.policy")
        except ImportError:  # the schedule package's policy module is not there yet
            return
        try:
            message = policy.check_min_interval(schedule, seconds, self.now)
        except ValueError as exc:  # a schedule the policy cannot evaluate is itself a problem
            message = str(exc)
        if message:
            self.report(path, message, f"policy.min_interval is {self.pack.policy.min_interval}")

    def check_jobs(self) -> None:
        schedule_jobs = {p.name + SCHEDULE_JOB_SUFFIX: p.declared_name for p in self.pack.pipelines}
        by_declared = {p.declared_name: p for p in self.pack.pipelines}
        for job, source in zip(self.pack.jobs, self.resolution.jobs, strict=True):
            path = source.path
            self.check(resource_name_problem(job.name, "job"), path)
            if job.name in schedule_jobs:
                self.report(
                    path,
                    f"job name {job.name!r} is taken by the schedule job of pipeline "
                    f"{schedule_jobs[job.name]!r}",
                    "choose another name for the orchestration",
                    key=True,
                )
            spec = source.spec
            if spec.pipelines is not None:
                refs = [(name, (*path, "pipelines", i)) for i, name in enumerate(spec.pipelines)]
            else:
                refs = [
                    (task.pipeline, (*path, "tasks", i, "pipeline"))
                    for i, task in enumerate(spec.tasks or [])
                ]
            if not refs:
                self.report(path, "the job runs no pipeline", "list at least one pipeline")
            seen: dict[str, int] = {}
            for name, ref_path in refs:
                self.unique(seen, name, ref_path, "pipeline")
                pipeline = by_declared.get(name)
                if pipeline is None:
                    hint = (
                        did_you_mean(name, self.declared) or "name a pipeline of this pack (its name_prefix)"
                    )
                    self.report(ref_path, f"{name!r} is not a pipeline of this pack", hint)
                elif pipeline.continuous:
                    self.report(ref_path, f"pipeline {name!r} is continuous and cannot run as a job task")
            if spec.tasks is not None:
                self.check_graph(spec.tasks, path)
            self.check_tags(job.tags, {}, path, extra=job.schedule)
            self.check_emails(job.notifications, (*path, "notification"))
            if job.schedule is not None:
                self.check_schedule(job.schedule, (*path, "schedule"), own=None)

    def check_graph(self, tasks: Sequence[Any], path: YamlPath) -> None:
        names = {task.pipeline for task in tasks}
        for i, task in enumerate(tasks):
            for d, dependency in enumerate(task.depends_on):
                where = (*path, "tasks", i, "depends_on", d)
                if dependency == task.pipeline:
                    self.report(where, f"{dependency!r} cannot depend on itself")
                elif dependency not in names:
                    hint = did_you_mean(dependency, names) or "add a task for it, or remove the dependency"
                    self.report(where, f"{dependency!r} is not a task of this job", hint)
        edges = {
            task.pipeline: [d for d in task.depends_on if d in names and d != task.pipeline] for task in tasks
        }
        cycle = find_cycle(edges)
        if cycle:
            self.report((*path, "tasks"), "the tasks depend on each other in a cycle: " + " -> ".join(cycle))


def find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """A cycle in a dependency graph (as a closed path), or None; iterative, linear."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in edges:
        if state.get(start):
            continue
        path: list[str] = [start]
        pending: list[Iterator[str]] = [iter(edges.get(start, []))]
        state[start] = 1
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                pending.append(iter(edges.get(nxt, [])))
    return None
