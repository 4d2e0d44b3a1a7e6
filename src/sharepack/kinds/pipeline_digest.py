"""The digest shortcut (`--trust-digest`): a pipeline's schedule job carries a digest of the settings
sharepack last applied to it; when it matches the desired settings and the job runs that very
pipeline, the pipeline's own settings (and its generated code file) need not be read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharepack.desired.state import DesiredPipeline, DesiredState

if TYPE_CHECKING:
    from sharepack.workspace.state import ActualPipeline, ActualState


def trusted_by_digest(
    pipeline: DesiredPipeline, found: ActualPipeline, desired: DesiredState, actual: ActualState
) -> bool:
    """True when the pipeline's own schedule job records that these exact settings were applied
    to this pipeline, so its settings need not be fetched."""
    carrier = next((j for j in desired.jobs if j.carries_digest_of == pipeline.name), None)
    if carrier is None:
        return False
    jobs = actual.jobs_named(carrier.name)
    if len(jobs) != 1 or not jobs[0].is_managed(desired.pack):
        return False
    return jobs[0].pipeline_digest == pipeline.digest and jobs[0].pipeline_ids == (found.pipeline_id,)


def pipelines_needing_settings(
    desired: DesiredState, actual: ActualState, *, trust_digest: bool = False
) -> list[ActualPipeline]:
    """The existing pipelines whose settings must be fetched before a plan can be built: every
    one, unless the caller accepts a schedule job's digest as proof (`--trust-digest`), which
    cannot see a pipeline edited by hand."""
    needed = []
    for pipeline in desired.pipelines:
        found = actual.pipelines_named(pipeline.name)
        unfetched = len(found) == 1 and found[0].spec is None
        if unfetched and not (trust_digest and trusted_by_digest(pipeline, found[0], desired, actual)):
            needed.append(found[0])
    return needed
