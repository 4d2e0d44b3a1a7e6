"""doctor's checks of a pack's sync pipelines: the same plan-time reads and checks as `plan`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharepack.ops.doctor import Check, Status

if TYPE_CHECKING:
    from sharepack.flow.deployment import Deployment

NAME = "sync sources"
CODE = "pipeline code"


def sync_checks(deployment: Deployment) -> list[Check]:
    from sharepack.sync.checks import READER, RESOURCE, SourcesReader, sync_problems
    from sharepack.workspace.state import ActualState

    desired = deployment.desired
    state = SourcesReader().read(
        deployment.workspace.client, desired, complete=False, parallelism=deployment.parallelism
    )
    problems, warnings = sync_problems(
        desired, ActualState(resources={READER: state}), seed=deployment.seed_command()
    )
    if warnings:
        return [Check(NAME, Status.skip, warnings[0])]
    from sharepack.pack import located

    checks = [Check(NAME, Status.fail, f"{located(p).where}: {p.message}", p.hint) for p in problems]
    count = len(desired.resources_of(RESOURCE))
    return checks or [Check(NAME, Status.ok, f"{count} pipeline(s): sources, keys and target catalogs found")]


def code_checks(deployment: Deployment) -> list[Check]:
    """Every declared pipeline's notebooks and files are in the workspace (not only the changed
    ones, as `plan` checks): code deleted by hand fails the pipeline's next update."""
    from sharepack.sync.presence import code_paths, missing_code

    desired = deployment.desired
    wanted = {p.name: code_paths(p.spec) for p in desired.pipelines}
    missing = missing_code(deployment.workspace.client, wanted, desired, deployment.parallelism)
    fix = "upload it, or fix the path in the pack"
    checks = [Check(CODE, Status.fail, f"pipeline {n}: {p} is not in the workspace", fix) for n, p in missing]
    return checks or [Check(CODE, Status.ok, f"{len(desired.pipelines)} pipeline(s): their code is there")]
