"""What every day-2 command starts from: a pack bound to its workspace, what it holds, and the
resources a user names on the command line.

A NAME may be a pipeline's name or its job's name (`<pipeline>_schedule`, or an orchestration's):
both resolve to the same declared job, so `sharepack run pack.yaml sales_daily` and
`sharepack run pack.yaml sales_daily_schedule` do the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sharepack.desired.state import DesiredJob, DesiredPipeline
from sharepack.errors import SharepackError, UsageError
from sharepack.flow.deployment import Deployment, Selection, open_deployment
from sharepack.workspace.ownership import is_managed, owner_label
from sharepack.workspace.state import ActualJob, ActualPipeline, ActualState


@dataclass(frozen=True)
class Named:
    """One declared resource a user asked for, with what the workspace holds under its name."""

    asked_as: str
    job: DesiredJob | None
    pipeline: DesiredPipeline | None
    actual_job: ActualJob | None
    actual_pipeline: ActualPipeline | None

    @property
    def label(self) -> str:
        return self.job.name if self.job else (self.pipeline.name if self.pipeline else self.asked_as)


@dataclass
class OpsContext:
    deployment: Deployment
    actual: ActualState

    @property
    def client(self):  # type: ignore[no-untyped-def]  # WorkspaceClient, imported lazily (slow import)
        return self.deployment.workspace.client

    @property
    def host(self) -> str:
        return self.deployment.workspace.host

    def declared_jobs(self) -> tuple[DesiredJob, ...]:
        return self.deployment.desired.jobs

    def declared_pipelines(self) -> tuple[DesiredPipeline, ...]:
        return self.deployment.desired.pipelines

    def actual_job(self, name: str) -> ActualJob | None:
        """The single job with this name, or None; refuses to guess between duplicates."""
        found = self.actual.jobs_named(name)
        if len(found) > 1:
            ids = ", ".join(str(j.job_id) for j in found)
            raise SharepackError(
                f"{len(found)} jobs are named {name} (ids {ids}); sharepack will not guess which one",
                hint="delete or rename the extra ones in the workspace, then run "
                f"`{self.deployment.command('plan', self.deployment.pack.path)}`",
            )
        return found[0] if found else None

    def actual_pipeline(self, name: str) -> ActualPipeline | None:
        found = self.actual.pipelines_named(name)
        return found[0] if found else None

    def job_for_pipeline(self, pipeline: str) -> DesiredJob | None:
        """The pipeline's own schedule job. Never an orchestration that also runs it: acting on
        one would start (or pause) its other pipelines too — those are named by their own name."""
        return next((j for j in self.declared_jobs() if j.carries_digest_of == pipeline), None)

    def orchestrations_of(self, pipeline: str) -> list[str]:
        jobs = self.declared_jobs()
        return [j.name for j in jobs if j.carries_digest_of is None and pipeline in j.pipelines]

    def no_job_hint(self, pipeline: str) -> str:
        runs_in = self.orchestrations_of(pipeline)
        if runs_in:
            return f"it runs in {', '.join(runs_in)}: name that job instead"
        return "give the pipeline a `schedule:` in the pack, or name a job that runs it"

    def resolve(self, names: Sequence[str], *, default_all: bool = True) -> list[Named]:
        """The declared resources for NAMEs (every declared job when none is given)."""
        if not names:
            if not default_all:
                return []
            return [self._named(j.name, j, self._pipeline_of(j)) for j in self.declared_jobs()]
        jobs = {j.name: j for j in self.declared_jobs()}
        pipelines = {p.name: p for p in self.declared_pipelines()}
        resolved: list[Named] = []
        unknown: list[str] = []
        for name in names:
            if name in jobs:
                resolved.append(self._named(name, jobs[name], self._pipeline_of(jobs[name])))
            elif name in pipelines:
                resolved.append(self._named(name, self.job_for_pipeline(name), pipelines[name]))
            else:
                unknown.append(name)
        if unknown:
            raise UsageError(
                f"not declared in {self.deployment.pack.path}: {', '.join(unknown)}",
                hint=_known_names_hint(jobs, pipelines),
            )
        return resolved

    def refuse_unowned(self, targets: Sequence[Named]) -> None:
        """Day-2 commands act only on this pack's resources: a job (or job-less pipeline) with a
        declared name that another pack owns, or that nobody tagged, is refused before anything is
        sent. `apply` adopts an untagged one (the plan shows `adopt`); another pack's stays its own."""
        pack = self.deployment.pack.name
        for named in targets:
            found: ActualJob | ActualPipeline | None = named.actual_job
            if named.job is None:
                found = named.actual_pipeline
                if found is not None and found.spec is None:
                    continue  # vouched for by this pack's schedule job (never fetched)
            if found is None or is_managed(found.tags, pack):
                continue
            kind, ident = (
                ("job", f"id {found.job_id}")
                if isinstance(found, ActualJob)
                else ("pipeline", found.pipeline_id)
            )
            if is_managed(found.tags):
                hint = f"it is {owner_label(found.tags)}'s: use that pack's file, or rename one of them"
            else:
                apply = self.deployment.command("apply", self.deployment.pack.path)
                hint = f"to make it this pack's, adopt it: `{apply}` (its plan shows it as adopt)"
            raise SharepackError(
                f"{kind} {found.name} ({ident}) is not SharePack {pack!r}'s: it belongs to "
                f"{owner_label(found.tags)}; nothing was changed",
                hint=hint,
            )

    def _pipeline_of(self, job: DesiredJob) -> DesiredPipeline | None:
        return self.deployment.desired.pipeline(job.pipelines[0]) if len(job.pipelines) == 1 else None

    def _named(self, asked: str, job: DesiredJob | None, pipeline: DesiredPipeline | None) -> Named:
        return Named(
            asked_as=asked,
            job=job,
            pipeline=pipeline,
            actual_job=self.actual_job(job.name) if job else None,
            actual_pipeline=self.actual_pipeline(pipeline.name) if pipeline else None,
        )


def _known_names_hint(jobs: Mapping[str, DesiredJob], pipelines: Mapping[str, DesiredPipeline]) -> str:
    known = sorted(set(jobs) | set(pipelines))
    shown = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
    return f"declared names: {shown}" if known else "the pack declares no pipelines"


@contextmanager
def open_ops(
    file: Path,
    *,
    target: str | None = None,
    host: str | None = None,
    profile: str | None = None,
    variables: Mapping[str, str] | None = None,
    parallelism: int = 8,
    compare: bool = False,
) -> Iterator[OpsContext]:
    """Load the pack, connect, and read what it declares.

    `compare` reads every declared pipeline's settings, for a command that reports drift (status).
    Commands that only need IDs (run, pause, history, backfill) let schedule-job digests vouch for
    the pipelines instead, as `plan --trust-digest` does: mostly list calls, not one per pipeline."""
    selection = Selection(
        target=target,
        host=host,
        profile=profile,
        variables=dict(variables or {}),
        allow_past_one_time=True,
    )
    deployment = open_deployment(file, selection, parallelism=parallelism)
    try:
        yield OpsContext(deployment=deployment, actual=deployment.read(trust_digest=not compare))
    finally:
        deployment.close()
