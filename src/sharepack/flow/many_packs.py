"""Many packs in one run: a folder given for its packs, what two packs both declare, and the
workspace read once for all the packs bound to it.

A nightly drift check of a hundred packs is one `sharepack plan packs/`: the pipelines and jobs
of a workspace are listed once, not once a pack, while each pack keeps its own ownership, lock
and report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sharepack.errors import SpecProblem, UsageError

if TYPE_CHECKING:
    from sharepack.flow.deployment import Deployment
    from sharepack.pack import Pack

PACK_SUFFIXES = (".yaml", ".yml")
# Files that live beside packs but are not packs.
NOT_PACKS = ("sharepack-policy.yaml", "sharepack-policy.yml")


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """The files given, with each folder replaced by the packs directly in it, by name."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in PACK_SUFFIXES and p.name.lower() not in NOT_PACKS
        )
        if not found:
            raise UsageError(
                f"{path} is a folder with no SharePack in it (*.yaml, *.yml)",
                hint="give the folder that holds the packs, or the pack files themselves",
            )
        files.extend(found)
    seen: set[Path] = set()
    unique = []
    for file in files:  # `packs/ packs/a.yaml` plans a.yaml once
        key = file.resolve() if file.exists() else file
        if key not in seen:
            seen.add(key)
            unique.append(file)
    return unique


def declared(pack: Pack) -> Iterator[tuple[str, str, tuple[int, int]]]:
    """(kind, workspace name, line and column) of every resource the pack creates under a name
    that is the workspace's, not the pack's: two packs cannot both own one."""
    for pipeline in pack.pipelines:
        yield "pipeline", pipeline.name, pipeline.location
    for job in pack.jobs:
        yield "job", job.name, job.location
    for share in pack.shares:
        yield "share", share.name, share.location
    for recipient in pack.recipients:
        yield "recipient", recipient.name, recipient.location


def conflicts(packs: Sequence[Pack]) -> list[SpecProblem]:
    """A problem for each resource that a second pack of the run declares again: applied, the two
    would create it twice, or each would change what the other just wrote."""
    first: dict[tuple[str, str], tuple[Pack, tuple[int, int]]] = {}
    problems = []
    for pack in packs:
        for kind, name, (line, col) in declared(pack):
            key = (kind, name.lower() if kind in ("share", "recipient") else name)  # UC names ignore case
            if key not in first:
                first[key] = (pack, (line, col))
                continue
            other, (other_line, other_col) = first[key]
            if other is pack:
                continue  # one pack's own duplicates are its validation's to report
            problems.append(
                SpecProblem(
                    str(pack.path),
                    max(line, 1),
                    max(col, 1),
                    f"{kind} {name!r} is also declared by {other.path}:{other_line}:{other_col} "
                    f"(pack {other.name!r}); one resource can be owned by one pack only",
                    "declare it in one of the two packs only",
                )
            )
    return problems


@contextmanager
def shared_listings(
    deployments: Sequence[Deployment], *, complete: bool, trust_digest: bool
) -> Iterator[None]:
    """While planning: the packs bound to one workspace read its pipelines and jobs from one
    listing. A pack alone on its workspace reads as it always does."""
    from sharepack.workspace.listing import SharedListing

    groups: dict[int, list[Deployment]] = {}
    for deployment in deployments:
        groups.setdefault(id(deployment.workspace), []).append(deployment)
    with ExitStack() as stack:
        try:
            for group in groups.values():
                if len(group) < 2:
                    continue
                desired = [d.desired for d in group]
                listing = stack.enter_context(
                    SharedListing(
                        group[0].workspace.client,
                        pipelines={p.name for d in desired for p in d.pipelines},
                        jobs={j.name for d in desired for j in d.jobs}
                        | {n for d in desired for n in d.removed_jobs},
                        packs=[d.pack for d in desired],
                        complete=complete or any(d.pack.metadata.strategy == "DELETE" for d in group),
                        prefetch=not trust_digest,
                        parallelism=group[0].parallelism,
                        probe=group[0].workspace.create_client,
                    )
                )
                for deployment in group:
                    deployment.listing = listing
            yield
        finally:
            for deployment in deployments:
                deployment.listing = None
