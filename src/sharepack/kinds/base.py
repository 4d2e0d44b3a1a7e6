"""What every resource kind tells the planner and the applier.

A kind is one module holding its identity, how it is read, its ownership mark, its diff rules and
its writes. `plan.build`, `plan.destroy`, `plan.render` and `apply` walk the registered kinds
(`sharepack.kinds.KINDS`) and know none of them by name: adding a kind is one module, one line in
the registry, a `ResourceType` member and its desired values in `desired/`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sharepack.changes.model import Action, Change, ResourceType

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from sharepack.desired.state import DesiredState
    from sharepack.workspace.state import ActualState
    from sharepack.workspace.write import Writer


@dataclass(frozen=True)
class PlanInput:
    desired: DesiredState
    actual: ActualState
    prune: bool = False
    select: frozenset[str] = frozenset()  # names given to --select; empty: everything
    # The changes of the kinds planned before this one (a job's diff needs its pipelines' IDs).
    earlier: tuple[Change, ...] = ()
    # One instant for the whole plan: every schedule's next runs are computed from the same moment.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def selected(self, *names: str) -> bool:
        return not self.select or any(n in self.select for n in names)


@dataclass(frozen=True)
class PlanOutput:
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    # Resources found but compared by a digest their neighbour records, not by their own settings
    # (`--trust-digest`): the plan's summary says how many.
    digest_only: int = 0


@dataclass
class WriteContext:
    """What writes share while a plan is applied: the IDs learnt so far. Whether a write may run
    at all is decided before it is called, by the applier (`sharepack.apply.executor.Settled`)."""

    writer: Writer
    ids: dict[str, str] = field(default_factory=dict)  # change key -> the ID it now has
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Written:
    """A write's result. `notice` is said once to the person at the terminal and never kept:
    a D2O recipient's activation link is a secret."""

    id: str | None = None
    notice: str | None = None


@dataclass(frozen=True)
class Marked:
    """A resource as found, with the pack its mark names (None: no sharepack mark)."""

    name: str
    owner: str | None
    observed: str


def with_orphans(
    what: str,
    resource_type: ResourceType,
    changes: list[Change],
    found: Iterable[Marked],
    declared: Set[str],
    given: PlanInput,
) -> PlanOutput:
    """The changes, plus deletes of this pack's resources it no longer declares — made only with
    --prune; without it they are named in a warning."""
    pack = given.desired.pack
    declared = {name.lower() for name in declared}  # Unity Catalog names: compared folded
    orphans = [
        Change(
            Action.DELETE,
            resource_type,
            m.name,
            pack,
            id=m.name,
            observed=m.observed,
            message="no longer declared in the SharePack",
        )
        for m in sorted(found, key=lambda m: m.name)
        if m.name.lower() not in declared and m.owner == pack and given.selected(m.name)
    ]
    if orphans and not given.prune:
        names = ", ".join(c.name for c in orphans)
        warning = (
            f"{len(orphans)} {what}(s) of this SharePack are no longer declared ({names}); "
            "run with --prune to delete them"
        )
        return PlanOutput(tuple(changes), (warning,))
    return PlanOutput((*changes, *orphans))


def destroy_marked(
    what: str, resource_type: ResourceType, found: Iterable[Marked], declared: Set[str], pack: str
) -> PlanOutput:
    """Deletes of everything carrying this pack's mark; a declared one without it is said and left."""
    changes, warnings = [], []
    declared = {name.lower() for name in declared}
    for m in sorted(found, key=lambda m: m.name):
        if m.owner == pack:
            changes.append(Change(Action.DELETE, resource_type, m.name, pack, id=m.name, observed=m.observed))
        elif m.name.lower() in declared:
            warnings.append(f"{what} {m.name} does not carry this pack's mark: left alone")
    return PlanOutput(tuple(changes), tuple(warnings))


# The message of a destroy's change that releases what the pack adopted instead of deleting it;
# `destroy --delete-adopted` turns exactly these changes into deletes (plan.destroy).
RELEASED = "adopted by this pack, not made by it: released (its mark removed), not deleted"


def release(
    resource_type: ResourceType, name: str, pack: str, observed: str, settings: Mapping[str, Any]
) -> Change:
    return Change(
        Action.UPDATE,
        resource_type,
        name,
        pack,
        id=name,
        observed=observed,
        settings=settings,
        message=f"{RELEASED}; destroy --delete-adopted deletes it",
    )


class Kind(Protocol):
    resource_type: ResourceType
    # Created in ascending rank, deleted in descending: a share before its objects, its objects
    # before the pipelines that sync them, and the other way round on destroy.
    rank: int
    fatal: bool  # whether a failed write fails the apply (schedules do not: seed 000)
    label: str  # plural, for summaries: "recipients"
    always_summarised: bool

    @property
    def noun(self) -> str:
        """What a plan calls one change of it: "recipient", "objects of share"."""
        ...

    def plan(self, given: PlanInput) -> PlanOutput: ...

    def destroy(self, desired: DesiredState, actual: ActualState) -> PlanOutput: ...

    def observed(self, change: Change, actual: ActualState) -> str: ...

    def waits_for(self, change: Change, planned: Set[str]) -> set[str]:
        """Changes to let finish first, for order alone (their failure does not stop this one)."""
        ...

    def depends_on(self, change: Change) -> set[str]:
        """Changes that must have been applied (or already be true) for this one to run at all:
        the applier waits for them and skips this change when one of them did not happen."""
        ...

    def write(self, change: Change, context: WriteContext) -> Written: ...

    def declared(self, desired: DesiredState) -> set[str]:
        """The names it declares that `--select` must match exactly as written (Unity Catalog
        names, under `desired.resources`, are matched in any case by the planner)."""
        ...

    def uses(self, change: Change) -> set[str] | None:
        """The keys of what this resource uses, for the order of deletions: each is deleted only
        after this one. None (what most kinds say): anything deleted after it, by rank."""
        ...

    def notes(self, change: Change) -> list[str]:
        """Lines every plan format shows under a change that writes (how a pipeline syncs)."""
        ...

    def summary(self, change: Change) -> list[str]:
        """Lines the text plan adds under them (what a created pipeline will be)."""
        ...

    def review(self, changes: list[Change], actual: ActualState, pack: str) -> tuple[list[Change], list[str]]:
        """The whole plan's changes once every kind has planned: a kind may keep back a delete that
        something else still relies on, saying why in a warning."""
        ...


class KindDefaults:
    """What most kinds say to the optional parts of `Kind`: nothing declared beyond
    `desired.resources`, no notes, nothing to review, in the apply summary only when it changed."""

    resource_type: ResourceType
    always_summarised = False  # a row in the apply summary even when nothing of it changed

    @property
    def noun(self) -> str:
        return self.resource_type.value

    def declared(self, desired: DesiredState) -> set[str]:
        return set()

    def uses(self, change: Change) -> set[str] | None:
        return None

    def notes(self, change: Change) -> list[str]:
        return []

    def summary(self, change: Change) -> list[str]:
        return []

    def review(self, changes: list[Change], actual: ActualState, pack: str) -> tuple[list[Change], list[str]]:
        return changes, []


class Reader(Protocol):
    """Reads the state of one family of kinds (they often come back from the same API calls)."""

    name: str

    def read(
        self,
        client: WorkspaceClient,
        desired: DesiredState,
        *,
        complete: bool,
        parallelism: int,
        peers: Mapping[str, WorkspaceClient] | None = None,  # other targets' workspaces, by target
        trust_digest: bool = False,  # --trust-digest: what a digest vouches for need not be read
    ) -> Any: ...
