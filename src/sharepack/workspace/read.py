"""Read what the workspace holds in as few requests as the situation allows.

Each kind starts with a few list pages. When the workspace is bigger than that and only a few
names are still missing, exact-name lookups (one request each) beat paging through thousands of
unrelated resources; otherwise the list is paged to the end. Pipeline list responses carry no
settings, so every existing declared pipeline's settings are then fetched (in parallel) — unless
`trust_digest` lets a schedule job's digest vouch for them (see `plan.build.trusted_by_digest`).
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sharepack.desired.state import DesiredState
from sharepack.kinds import READERS
from sharepack.plan.build import pipelines_needing_settings
from sharepack.workspace.state import ActualJob, ActualPipeline, ActualState

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

PAGE_SIZE = 100
# Pages read before choosing between paging on and name lookups: a workspace a little bigger
# than one page is cheaper to finish listing than to query name by name.
SCAN_PAGES = 3
# Up to this many names still to settle after the scanned pages, look them up one by one.
LOOKUP_LIMIT = 12

T = TypeVar("T")


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
        else _Prefetch(
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
            pipelines_future: Future[tuple[list[ActualPipeline], bool]] = _done((shared.pipelines, True))
            jobs_future: Future[tuple[list[ActualJob], bool]] = _done((shared.jobs, shared.complete))
        else:
            pipelines_future, jobs_future = _list_kinds(
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
            pipelines=_by_name(pipelines), jobs=_by_name(jobs), complete=jobs_complete, resources=resources
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


def _list_kinds(
    pool: ThreadPoolExecutor,
    client: WorkspaceClient,
    prefetch: _Prefetch,
    wanted_pipelines: set[str],
    wanted_jobs: set[str],
    ours: Callable[[ActualJob], bool],
    *,
    complete: bool,
) -> tuple[Future[tuple[list[ActualPipeline], bool]], Future[tuple[list[ActualJob], bool]]]:
    """The pipeline and job listings, read side by side."""
    pipelines_future = pool.submit(
        _read_kind,
        wanted_pipelines,
        lambda: prefetch.watch(_list_pipelines(client)),
        lambda name: list(prefetch.watch(iter(_lookup_pipeline(client, name)))),
        lambda p: p.name,
        lambda p: False,
        complete=complete,
        unique_names=True,
    )
    jobs_future = pool.submit(
        _read_kind,
        wanted_jobs,
        lambda: _list_jobs(client),
        lambda name: _lookup_job(client, name),
        lambda j: j.name,
        ours,
        complete=complete,
        unique_names=False,
    )
    return pipelines_future, jobs_future


def _done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


class SharedListing:
    """The pipelines and jobs of one workspace, listed once for all the packs of a run bound to it.

    Each pack then picks its own out of the lists (what it declares, what carries its name), and
    each pipeline's settings are read at most once however many packs look at it. Only the lists
    are shared: every pack still reads its other kinds, takes its own lock and is planned alone.
    `complete` says every job was listed (what prune and destroy need)."""

    def __init__(
        self, client: WorkspaceClient, desired: Sequence[DesiredState], options: ReadOptions
    ) -> None:
        self.prefetch = _Prefetch(
            client,
            set() if options.trust_digest else {p.name for d in desired for p in d.pipelines},
            options.parallelism,
            options.probe,
        )
        packs = [d.pack for d in desired]
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:
                pipelines_future, jobs_future = _list_kinds(
                    pool,
                    client,
                    self.prefetch,
                    {p.name for d in desired for p in d.pipelines},
                    {j.name for d in desired for j in d.jobs}
                    | {name for d in desired for name in d.removed_jobs},
                    lambda j: any(j.is_managed(pack) for pack in packs),
                    complete=options.complete,
                )
                self.pipelines, _ = pipelines_future.result()
                self.jobs, self.complete = jobs_future.result()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.prefetch.__exit__()

    def __enter__(self) -> SharedListing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Prefetch:
    """Settings reads started while the pipeline list is still being paged."""

    def __init__(
        self,
        client: WorkspaceClient,
        wanted: set[str],
        parallelism: int,
        probe: WorkspaceClient | None = None,
    ) -> None:
        self._client = client
        self._probe = probe
        self._wanted = wanted
        self._pool = ThreadPoolExecutor(max_workers=max(1, parallelism))
        self._futures: dict[str, Future[ActualPipeline]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> _Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def watch(self, pipelines: Iterator[ActualPipeline]) -> Iterator[ActualPipeline]:
        for pipeline in pipelines:
            if pipeline.name in self._wanted:
                self._start(pipeline)
            yield pipeline

    def _start(self, pipeline: ActualPipeline) -> Future[ActualPipeline]:
        with self._lock:
            future = self._futures.get(pipeline.pipeline_id)
            if future is None:
                future = self._pool.submit(_get_pipeline, self._client, pipeline, self._probe)
                self._futures[pipeline.pipeline_id] = future
            return future

    def results(self, pipelines: list[ActualPipeline]) -> list[ActualPipeline]:
        futures = [self._start(p) for p in pipelines]
        return [f.result() for f in futures]


def _read_kind(
    wanted: set[str],
    list_all: Callable[[], Iterator[T]],
    lookup: Callable[[str], list[T]],
    name_of: Callable[[T], str],
    ours: Callable[[T], bool],
    *,
    complete: bool,
    unique_names: bool,
) -> tuple[list[T], bool]:
    """The resources that matter — wanted by name, or ours — and whether every one was seen.

    When the whole kind fits in one page, all of it is kept: finding what the pack owns but no
    longer declares then costs nothing extra."""
    items = list_all()
    # One item past the scan tells "exactly full" (the list ends: free) from "more to come".
    scanned = list(itertools.islice(items, PAGE_SIZE * SCAN_PAGES + 1))
    if len(scanned) <= PAGE_SIZE * SCAN_PAGES:
        return scanned, True
    found = [r for r in scanned if complete or name_of(r) in wanted or ours(r)]
    missing = wanted - {name_of(r) for r in scanned}
    # Pipeline names are unique, so one seen in the scanned pages is settled; job names are not, so
    # a job seen there may have a twin further on and must be looked up too to catch duplicates.
    names = missing if unique_names else missing | {name_of(r) for r in found}
    if not complete and len(names) <= LOOKUP_LIMIT:
        looked_up = itertools.chain.from_iterable(_parallel(lookup, sorted(names), LOOKUP_LIMIT))
        unique = {_identity(r): r for r in itertools.chain(found, looked_up)}
        return list(unique.values()), False
    rest = [r for r in items if complete or name_of(r) in wanted or ours(r)]
    return found + rest, True


def _identity(resource: Any) -> str:
    if isinstance(resource, ActualJob):
        return f"job:{resource.job_id}"
    return f"pipeline:{resource.pipeline_id}"


def _by_name(resources: Iterable[ActualPipeline] | Iterable[ActualJob]) -> dict[str, tuple[Any, ...]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for resource in resources:
        grouped[resource.name].append(resource)
    return {name: tuple(items) for name, items in grouped.items()}


def _parallel(func: Callable[[Any], T], items: list[Any], parallelism: int) -> list[T]:
    if len(items) <= 1:
        return [func(i) for i in items]
    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(items)))) as pool:
        return list(pool.map(func, items))


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


def like_literal(name: str) -> str:
    """A pipeline filter that matches `name` (and perhaps a few more): callers keep exact matches.

    Whether `\\` escapes a wildcard in a pipelines filter is not documented, so none is escaped:
    `_`, `%`, `\\` and `'` each become `_`, which matches that character under either reading.
    """
    return "name LIKE '" + "".join("_" if c in "_%\\'" else c for c in name) + "'"


def _list_pipelines(client: WorkspaceClient) -> Iterator[ActualPipeline]:
    for info in client.pipelines.list_pipelines(max_results=PAGE_SIZE):
        if info.pipeline_id and info.name is not None:
            yield ActualPipeline(pipeline_id=info.pipeline_id, name=info.name)


def _lookup_pipeline(client: WorkspaceClient, name: str) -> list[ActualPipeline]:
    return [
        ActualPipeline(pipeline_id=info.pipeline_id, name=info.name)
        for info in client.pipelines.list_pipelines(filter=like_literal(name), max_results=PAGE_SIZE)
        if info.pipeline_id and info.name == name  # exact: LIKE may be case-insensitive
    ]


def _get_pipeline(
    client: WorkspaceClient, pipeline: ActualPipeline, probe: WorkspaceClient | None = None
) -> ActualPipeline:
    from sharepack.workspace.pacing import paced

    response = paced(client, probe, "pipelines/get", lambda c: c.pipelines.get(pipeline.pipeline_id))
    spec = response.spec.as_dict() if response.spec else {}
    spec.pop("id", None)
    return ActualPipeline(pipeline_id=pipeline.pipeline_id, name=pipeline.name, spec=spec)


def _job(base: Any) -> ActualJob | None:
    if base.job_id is None or base.settings is None:
        return None
    settings = base.settings.as_dict()
    return ActualJob(job_id=base.job_id, name=settings.get("name", ""), settings=settings)


def _list_jobs(client: WorkspaceClient) -> Iterator[ActualJob]:
    for base in client.jobs.list(expand_tasks=True, limit=PAGE_SIZE):
        job = _job(base)
        if job is not None:
            yield job


def _lookup_job(client: WorkspaceClient, name: str) -> list[ActualJob]:
    # The name filter is exact but case-insensitive: keep exact matches only.
    jobs = (_job(b) for b in client.jobs.list(name=name, expand_tasks=True, limit=PAGE_SIZE))
    return [j for j in jobs if j is not None and j.name == name]
