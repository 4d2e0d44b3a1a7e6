"""doctor's checks of a pack's sync pipelines: the same plan-time reads and checks as `plan`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharepack.ops.doctor import Check, Status

if TYPE_CHECKING:
    from sharepack.deployment import Deployment

NAME = "sync sources"


def sync_checks(deployment: Deployment) -> list[Check]:
    from sharepack.sync_checks import READER, RESOURCE, SourcesReader, sync_problems
    from sharepack.workspace.state import ActualState

    desired = deployment.desired
    state = SourcesReader().read(
        deployment.workspace.client, desired, complete=False, parallelism=deployment.parallelism
    )
    problems, warnings = sync_problems(desired, ActualState(resources={READER: state}))
    if warnings:
        return [Check(NAME, Status.skip, warnings[0])]
    checks = [Check(NAME, Status.fail, f"{p.file}:{p.line}:{p.col}: {p.message}", p.hint) for p in problems]
    count = len(desired.resources_of(RESOURCE))
    return checks or [Check(NAME, Status.ok, f"{count} pipeline(s): sources, keys and target catalogs found")]
