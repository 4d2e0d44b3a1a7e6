"""Step 1 of plan → confirm → apply: the packs opened against their workspaces, and planned.

Every file is validated before any workspace is contacted, packs bound to one workspace share one
connection and one listing, and a pack's `metadata.strategy` decides what its plan may do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sharepack.changes.model import Plan
from sharepack.errors import UsageError
from sharepack.flow.deployment import Deployment, Selection, open_deployment
from sharepack.flow.strategy import strategy_plan
from sharepack.plan.destroy import build_destroy_plan

PlanPair = tuple[Plan, Deployment]


@dataclass(frozen=True)
class DeployOptions:
    target: str | None = None
    host: str | None = None
    profile: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    prune: bool = False
    trust_digest: bool = False  # --trust-digest: skip fetching pipelines a schedule job's digest vouches for
    parallelism: int = 8
    allow_past_one_time: bool = False  # destroy: a one-time job that already ran is still ours to delete
    delete_adopted: bool = False  # destroy: delete what the pack adopted instead of releasing it

    @property
    def selection(self) -> Selection:
        return Selection(
            target=self.target,
            host=self.host,
            profile=self.profile,
            variables=self.variables,
            allow_past_one_time=self.allow_past_one_time,
        )


def open_packs(files: Sequence[Path], options: DeployOptions) -> list[Deployment]:
    from sharepack.errors import SpecError
    from sharepack.flow.many_packs import conflicts, pack_files

    files = pack_files(files)
    problems = []
    deployments: list[Deployment] = []
    packs = []
    # Validate every file before connecting anywhere: all problems at once, nothing half-done.
    from sharepack.flow.deployment import load, workspace_target

    for path in files:
        try:
            packs.append(load(path, options.selection))
        except SpecError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SpecError(problems=problems)
    names = [p.name for p in packs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(
            f"two files declare the same SharePack name: {', '.join(duplicates)}", hint="set metadata.name"
        )
    problems = conflicts(packs)
    if problems:
        raise SpecError(problems=problems)
    from sharepack.workspace.connect import Workspace, WorkspaceTarget, connect

    # Packs bound to one workspace share one connection (and, for `local`, one emulator).
    connected: dict[WorkspaceTarget, Workspace] = {}
    try:
        for path, pack in zip(files, packs, strict=True):
            target = workspace_target(pack, options.selection)
            if target not in connected:
                connected[target] = connect(target, state_dir=options.selection.state_dir)
            deployments.append(
                open_deployment(
                    path,
                    options.selection,
                    parallelism=options.parallelism,
                    pack=pack,
                    workspace=connected[target],
                )
            )
    except BaseException:
        for workspace in connected.values():
            workspace.close()
        for deployment in deployments:
            deployment.close()
        raise
    return deployments


def make_plans(files: Sequence[Path], options: DeployOptions) -> list[PlanPair]:
    if not files:
        raise UsageError("no SharePack file given", hint="e.g. sharepack plan sharepacks/*.yaml")
    from sharepack.flow.many_packs import shared_listings

    deployments = open_packs(files, options)
    plans = []
    try:
        with shared_listings(deployments, complete=options.prune, trust_digest=options.trust_digest):
            for deployment in deployments:
                # NEW: the usual plan; UPDATE refuses creates; DELETE plans the pack's destruction.
                plan = strategy_plan(
                    deployment, prune=options.prune, select=options.select, trust_digest=options.trust_digest
                )
                plans.append(
                    (replace(plan, extra={**plan.extra, "workspace": _target_record(deployment)}), deployment)
                )
    except BaseException:
        for deployment in deployments:
            deployment.close()
        raise
    return plans


def make_destroy_plans(files: Sequence[Path], options: DeployOptions) -> list[PlanPair]:
    from sharepack.flow.many_packs import shared_listings

    deployments = open_packs(files, options)
    plans = []
    try:
        with shared_listings(deployments, complete=True, trust_digest=False):
            for deployment in deployments:
                actual = deployment.read(complete=True, destroy=True)
                plan = build_destroy_plan(
                    deployment.desired,
                    actual,
                    source=str(deployment.pack.path),
                    host=deployment.workspace.label,
                    delete_adopted=options.delete_adopted,
                )
                plans.append((replace(plan, extra={**plan.extra, "destroy": True}), deployment))
    except BaseException:
        for deployment in deployments:
            deployment.close()
        raise
    return plans


def _target_record(deployment: Deployment) -> dict[str, Any]:
    return {"target": deployment.pack.target.name if deployment.pack.target else None}
