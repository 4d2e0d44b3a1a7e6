"""Reading what the workspace holds for a pack: pipelines and jobs listed (workspace.listing), every
other kind's reader run at the same time, then the settings of the pipelines a plan must compare —
unless `trust_digest` lets a schedule job's digest vouch for them (`kinds.pipeline_digest`).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharepack.desired.state import DesiredState
from sharepack.kinds import READERS
from sharepack.kinds.pipeline_digest import pipelines_needing_settings
from sharepack.workspace.listing import (
    Prefetch,
    SharedListing,
    by_name,
    completed,
    list_pipelines_and_jobs,
)
from sharepack.workspace.state import ActualJob, ActualPipeline, ActualState

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


@dataclass(frozen=True)
class ReadOptions:
    complete: bool = False  # list every job (to find what the pack no longer declares)
    # Skip fetching a pipeline's settings when its schedule job's digest vouches for them: ~N fewer
    # requests, but a pipeline edited by hand looks unchanged. Opt-in only.
    trust_digest: bool = False
    parallelism: int = 8
    # Other targets' workspaces (a mount's recipient side), by target name.
    peers: Mapping[str, WorkspaceClient] | None = None
    # The same workspace with the SDK's retries off: a throttled read is seen, and paced from then.
    probe: WorkspaceClient | None = None
    # A destroy: what only a plan's diff needs (a declared file's content) is not read.
    destroy: bool = False
    # Many packs of one run bound to this workspace: its pipelines and jobs, listed once for all.
    shared: SharedListing | None = None


def read_actual(
    client: WorkspaceClient, desired: DesiredState, options: ReadOptions = ReadOptions()
) -> ActualState:
    wanted_pipelines = {p.name for p in desired.pipelines}
    wanted_jobs = {j.name for j in desired.jobs} | set(desired.removed_jobs)
    shared = options.shared
    # Without --trust-digest every declared pipeline's settings are read: start each GET as soon
    # as the pipeline shows up in a list page instead of after the last page.
    prefetch = (
        shared.prefetch
        if shared is not None
        else Prefetch(
            client,
            wanted_pipelines if not options.trust_digest else set(),
            options.parallelism,
            options.probe,
        )
    )
    with ExitStack() as stack, ThreadPoolExecutor(max_workers=max(1, options.parallelism)) as pool:
        if shared is None:
            stack.enter_context(prefetch)  # a shared listing's prefetch is closed by its owner
        if shared is not None:
            # The listing made for all the run's packs is this pack's too: no page is read again.
            pipelines_future: Future[tuple[list[ActualPipeline], bool]] = completed((shared.pipelines, True))
            jobs_future: Future[tuple[list[ActualJob], bool]] = completed((shared.jobs, shared.complete))
        else:
            pipelines_future, jobs_future = list_pipelines_and_jobs(
                pool,
                client,
                prefetch,
                wanted_pipelines,
                wanted_jobs,
                lambda j: j.is_managed(desired.pack),
                complete=options.complete,
            )
        # Other kinds (shares, recipients...) are read at the same time as pipelines and jobs.
        other_futures = {
            reader.name: pool.submit(
                reader.read,
                client,
                desired,
                complete=options.complete,
                parallelism=options.parallelism,
                peers=options.peers,
                trust_digest=options.trust_digest
                or (options.destroy and getattr(reader, "unread_on_destroy", False)),
            )
            for reader in READERS
        }
        pipelines, _ = pipelines_future.result()
        jobs, jobs_complete = jobs_future.result()
        resources = {name: future.result() for name, future in other_futures.items()}
        state = ActualState(
            pipelines=by_name(pipelines), jobs=by_name(jobs), complete=jobs_complete, resources=resources
        )
        to_fetch = pipelines_needing_settings(desired, state, trust_digest=options.trust_digest)
        if options.complete:
            to_fetch.extend(_orphan_candidates(state, desired, {p.pipeline_id for p in to_fetch}))
        elif jobs_complete:
            # A small workspace, read whole for free: the pipelines of our undeclared jobs are cheap
            # to check, so a plain plan can say that --prune would delete them.
            to_fetch.extend(_run_by_our_undeclared_jobs(state, desired, {p.pipeline_id for p in to_fetch}))
        if not to_fetch:
            return state
        fetched = {p.pipeline_id: p for p in prefetch.results(to_fetch)}
    return ActualState(
        pipelines={
            name: tuple(fetched.get(p.pipeline_id, p) for p in found)
            for name, found in state.pipelines.items()
        },
        jobs=state.jobs,
        complete=state.complete,
        resources=state.resources,
    )


def _orphan_candidates(state: ActualState, desired: DesiredState, already: set[str]) -> list[ActualPipeline]:
    """Every undeclared pipeline of the (complete) list: only its own tags can say whether it is
    ours, and list responses carry none. Found through a job, a pipeline whose job is gone (a
    prune killed halfway) or that never had one (unscheduled) would never be pruned."""
    declared = {p.name for p in desired.pipelines}
    candidates = []
    for name, pipelines in state.pipelines.items():
        for pipeline in pipelines:
            if name in declared or pipeline.spec is not None or pipeline.pipeline_id in already:
                continue
            candidates.append(pipeline)
            already.add(pipeline.pipeline_id)
    return candidates


def _run_by_our_undeclared_jobs(
    state: ActualState, desired: DesiredState, already: set[str]
) -> list[ActualPipeline]:
    declared_jobs = {j.name for j in desired.jobs}
    candidates = []
    for name, jobs in state.jobs.items():
        for job in jobs:
            if name in declared_jobs or not job.is_managed(desired.pack):
                continue
            for pipeline_id in job.pipeline_ids:
                pipeline = state.pipeline_by_id(pipeline_id)
                if pipeline is not None and pipeline.spec is None and pipeline_id not in already:
                    candidates.append(pipeline)
                    already.add(pipeline_id)
    return candidates
