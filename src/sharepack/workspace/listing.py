"""Listing pipelines and jobs in as few requests as the situation allows.

Each kind starts with a few list pages. When the workspace is bigger than that and only a few
names are still missing, exact-name lookups (one request each) beat paging through thousands of
unrelated resources; otherwise the list is paged to the end. Pipeline list responses carry no
settings: `Prefetch` starts each wanted pipeline's GET as soon as it shows up in a page.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from sharepack.workspace.state import ActualJob, ActualPipeline

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

PAGE_SIZE = 100
# Pages read before choosing between paging on and name lookups: a workspace a little bigger
# than one page is cheaper to finish listing than to query name by name.
SCAN_PAGES = 3
# Up to this many names still to settle after the scanned pages, look them up one by one.
LOOKUP_LIMIT = 12

T = TypeVar("T")


def list_pipelines_and_jobs(
    pool: ThreadPoolExecutor,
    client: WorkspaceClient,
    prefetch: Prefetch,
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
        lambda name: list(prefetch.watch(iter(lookup_pipeline(client, name)))),
        lambda p: p.name,
        lambda p: False,
        complete=complete,
        unique_names=True,
    )
    jobs_future = pool.submit(
        _read_kind,
        wanted_jobs,
        lambda: _list_jobs(client),
        lambda name: lookup_job(client, name),
        lambda j: j.name,
        ours,
        complete=complete,
        unique_names=False,
    )
    return pipelines_future, jobs_future


def completed(value: T) -> Future[T]:
    """A future already holding `value`: the run's shared listing, handed to one pack's read."""
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
        self,
        client: WorkspaceClient,
        *,
        pipelines: set[str],
        jobs: set[str],
        packs: Sequence[str],
        complete: bool,
        prefetch: bool,
        parallelism: int,
        probe: WorkspaceClient | None = None,
    ) -> None:
        self.prefetch = Prefetch(client, pipelines if prefetch else set(), parallelism, probe)
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:
                pipelines_future, jobs_future = list_pipelines_and_jobs(
                    pool,
                    client,
                    self.prefetch,
                    pipelines,
                    jobs,
                    lambda j: any(j.is_managed(pack) for pack in packs),
                    complete=complete,
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


class Prefetch:
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

    def __enter__(self) -> Prefetch:
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


def by_name(resources: Iterable[ActualPipeline] | Iterable[ActualJob]) -> dict[str, tuple[Any, ...]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for resource in resources:
        grouped[resource.name].append(resource)
    return {name: tuple(items) for name, items in grouped.items()}


def _parallel(func: Callable[[Any], T], items: list[Any], parallelism: int) -> list[T]:
    if len(items) <= 1:
        return [func(i) for i in items]
    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(items)))) as pool:
        return list(pool.map(func, items))


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


def lookup_pipeline(client: WorkspaceClient, name: str) -> list[ActualPipeline]:
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


def _job_from(base: Any) -> ActualJob | None:
    if base.job_id is None or base.settings is None:
        return None
    settings = base.settings.as_dict()
    return ActualJob(job_id=base.job_id, name=settings.get("name", ""), settings=settings)


def _list_jobs(client: WorkspaceClient) -> Iterator[ActualJob]:
    for base in client.jobs.list(expand_tasks=True, limit=PAGE_SIZE):
        job = _job_from(base)
        if job is not None:
            yield job


def lookup_job(client: WorkspaceClient, name: str) -> list[ActualJob]:
    # The name filter is exact but case-insensitive: keep exact matches only.
    jobs = (_job_from(b) for b in client.jobs.list(name=name, expand_tasks=True, limit=PAGE_SIZE))
    return [j for j in jobs if j is not None and j.name == name]
