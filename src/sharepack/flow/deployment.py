"""One SharePack bound to one workspace: what every command that talks to Databricks starts from."""

from __future__ import annotations

import getpass
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sharepack.changes.model import Plan
from sharepack.desired.build import desired_state
from sharepack.desired.state import DesiredState
from sharepack.errors import UsageError
from sharepack.kinds.reading import ReadOptions, read_actual
from sharepack.plan.build import build_plan
from sharepack.workspace.connect import (
    LOCAL,
    LOCAL_STATE_DIR,
    Workspace,
    WorkspaceTarget,
    choose_target,
    connect,
    guard_credentials,
)
from sharepack.workspace.listing import SharedListing
from sharepack.workspace.state import ActualState
from sharepack.workspace.write import Writer

if TYPE_CHECKING:
    from sharepack.pack import Pack


@dataclass(frozen=True)
class Selection:
    """How the user picked a pack's workspace and values on the command line."""

    target: str | None = None
    host: str | None = None
    profile: str | None = None
    variables: Mapping[str, str] | None = None
    state_dir: Path = LOCAL_STATE_DIR
    # Commands that operate what exists (destroy, status, run...) accept a one-time schedule
    # whose moment has passed: that job was deployed and ran.
    allow_past_one_time: bool = False

    def flags(self) -> list[str]:
        """This selection as command-line flags, for commands sharepack suggests."""
        from sharepack.flow.suggest import selection_flags

        return selection_flags(
            target=self.target, host=self.host, profile=self.profile, variables=self.variables
        )


@dataclass
class Deployment:
    pack: Pack
    desired: DesiredState
    workspace: Workspace
    parallelism: int = 8
    # The workspaces of other targets that this pack reaches into (where its shares are mounted).
    peers: dict[str, Workspace] = field(default_factory=dict)
    selection: Selection = Selection()
    # While the packs of one run are planned: the workspace's lists, read once for all of them.
    # Cleared before anything is applied, so a read under the deploy lock is a fresh one.
    listing: SharedListing | None = None

    def command(self, *words: str | Path) -> str:
        """`sharepack WORDS...` with the flags that chose this deployment, ready to paste."""
        from sharepack.flow.suggest import command

        return command(*words, flags=self.selection.flags())

    def read(
        self, *, complete: bool = False, trust_digest: bool = False, destroy: bool = False
    ) -> ActualState:
        options = ReadOptions(
            complete=complete,
            trust_digest=trust_digest,
            destroy=destroy,
            probe=self.workspace.create_client,
            parallelism=self.parallelism,
            peers={name: peer.client for name, peer in self.peers.items()},
            shared=self.listing
            if self.listing is not None and (self.listing.complete or not complete)
            else None,
        )
        return read_actual(self.workspace.client, self.desired, options)

    def plan(
        self,
        *,
        prune: bool = False,
        select: Collection[str] = (),
        trust_digest: bool = False,
        now: datetime | None = None,
        actual: ActualState | None = None,
    ) -> Plan:
        state = actual if actual is not None else self.read(complete=prune, trust_digest=trust_digest)
        # What the sync pipelines need (source tables, catalogs) is checked before anything is planned.
        from sharepack.errors import SpecError
        from sharepack.sync.checks import sync_problems

        problems, warnings = sync_problems(self.desired, state, seed=self.seed_command())
        if problems:
            raise SpecError(problems=problems)
        plan = build_plan(
            self.desired,
            state,
            source=str(self.pack.path),
            host=self.workspace.label,
            target=self.pack.target.name if self.pack.target else None,
            prune=prune,
            select=select,
            now=now,
        )
        from sharepack.sync.presence import with_code_warnings

        plan = with_code_warnings(plan, self.workspace.client, self.desired, self.parallelism)
        return replace(plan, warnings=(*plan.warnings, *warnings)) if warnings else plan

    def seed_command(self) -> str | None:
        """For the embedded local workspace: the command that creates what the pack reads."""
        if self.workspace.emulator is None:
            return None
        from sharepack.flow.suggest import command

        return command("emulator", "--seed-from", self.pack.path, "--seed-only")

    def writer(self) -> Writer:
        peers = {name: peer.client for name, peer in self.peers.items()}
        return Writer(self.workspace.client, self.workspace.create_client, self.pack.name, peers)

    def close(self) -> None:
        for peer in self.peers.values():
            peer.close()
        self.workspace.close()


def load(path: str | Path, selection: Selection, *, user: str | None = None) -> Pack:
    from sharepack.pack import load_pack

    return load_pack(
        path,
        target=selection.target,
        variables=dict(selection.variables or {}),
        user=user or _local_user(),
        allow_past_one_time=selection.allow_past_one_time,
    )


def workspace_target(pack: Pack, selection: Selection) -> WorkspaceTarget:
    """Where the pack's commands go; refuses (before connecting) a pack host other than the one
    the environment's or profile's credentials are for."""
    target = pack.target
    metadata_url = pack.metadata.workspace_url if pack.metadata else None
    chosen = choose_target(
        flag_host=selection.host,
        flag_profile=selection.profile,
        target_name=target.name if target else selection.target,
        target_host=target.host if target else None,
        target_profile=target.profile if target else None,
        metadata_url=metadata_url,
    )
    pack_host, source = metadata_url, "the pack's metadata.workspace_url"
    if target is not None and target.host:
        pack_host, source = target.host, f"the host of target {target.name}"
    elif target is not None and target.profile and not selection.profile:
        pack_host = None  # the target chose its own credentials (and so their host)
    guard_credentials(
        chosen, explicit_host=bool(selection.host), pack_host=pack_host, pack_host_source=source
    )
    return chosen


def open_deployment(
    path: str | Path,
    selection: Selection,
    *,
    parallelism: int = 8,
    pack: Pack | None = None,
    workspace: Workspace | None = None,
) -> Deployment:
    """`pack` is the already loaded `load(path, selection)`, when the caller has it; `workspace`
    its workspace, already connected for another pack of the run."""
    pack = pack or load(path, selection)
    workspace = workspace or connect(workspace_target(pack, selection), state_dir=selection.state_dir)
    try:
        if pack.target is not None and pack.target.mode == "development" and selection.target != LOCAL:
            # Development names carry the workspace user's name, as bundles do: ask the workspace.
            me = workspace.client.current_user.me()
            pack = load(path, selection, user=_short_name(me.user_name or _local_user()))
        deployment = Deployment(
            pack=pack,
            desired=desired_state(pack),
            workspace=workspace,
            parallelism=parallelism,
            selection=selection,
        )
        deployment.peers.update(_connect_peers(path, pack, selection))
        return deployment
    except BaseException:
        workspace.close()
        raise


def _connect_peers(path: str | Path, pack: Pack, selection: Selection) -> dict[str, Workspace]:
    """The workspaces of the targets where the pack's shares are mounted (the recipients' side)."""
    from dataclasses import replace

    names = sorted({s.mount.target for s in pack.shares if s.mount is not None})
    current = pack.target.name if pack.target else None
    peers: dict[str, Workspace] = {}
    try:
        for name in names:
            if name == current:
                raise UsageError(
                    f"target {name!r} is where this pack's shares are mounted (the recipient's side); "
                    "apply the pack to the provider's target, which mounts them there"
                )
            other = load(path, replace(selection, target=name, host=None, profile=None))
            peer_selection = replace(selection, target=name, host=None, profile=None)
            peers[name] = connect(workspace_target(other, peer_selection), state_dir=selection.state_dir)
    except BaseException:
        for peer in peers.values():
            peer.close()
        raise
    return peers


def _short_name(user_name: str) -> str:
    local = user_name.split("@", 1)[0]
    return "".join(c if c.isalnum() else "_" for c in local).lower()


def _local_user() -> str:
    try:
        return _short_name(getpass.getuser())
    except Exception:
        return "user"
