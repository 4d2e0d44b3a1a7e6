"""The resource kinds sharepack manages, and the readers that read their state.

Adding a kind is one module and one line here: `plan.build`, `plan.destroy`, `plan.freshness` and
`apply` walk these lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sharepack.changes.model import ResourceType
from sharepack.kinds.base import Kind, Reader
from sharepack.kinds.grant import GrantKind
from sharepack.kinds.job import JobKind
from sharepack.kinds.mount import MountKind, MountReader
from sharepack.kinds.pipeline import PipelineKind
from sharepack.kinds.recipient import RecipientKind
from sharepack.kinds.schema import SchemaKind
from sharepack.kinds.share import ShareKind
from sharepack.kinds.share_objects import ShareObjectsKind
from sharepack.kinds.sharing_state import SharingReader
from sharepack.kinds.workspace_file import WorkspaceFileKind, WorkspaceFileReader
from sharepack.sync.checks import SourcesReader

if TYPE_CHECKING:
    from sharepack.pack import Pack

# In rank order: created in this order, deleted in the reverse.
KINDS: tuple[Kind, ...] = (
    RecipientKind(),
    ShareKind(),
    ShareObjectsKind(),
    GrantKind(),
    SchemaKind(),
    WorkspaceFileKind(),
    PipelineKind(),
    JobKind(),
    MountKind(),
)
KIND_OF: Mapping[ResourceType, Kind] = {k.resource_type: k for k in KINDS}
READERS: tuple[Reader, ...] = (SharingReader(), MountReader(), WorkspaceFileReader(), SourcesReader())


def desired_resources(pack: Pack) -> dict[str, tuple[Any, ...]]:
    """The desired values of the kinds beyond pipelines and jobs, keyed by resource type."""
    from sharepack.kinds.mount import desired_mounts
    from sharepack.kinds.schema import desired_schemas
    from sharepack.kinds.sharing_desired import desired_recipients, desired_shares
    from sharepack.kinds.workspace_file import desired_files
    from sharepack.sync.checks import RESOURCE, desired_sources

    return {
        ResourceType.RECIPIENT.value: desired_recipients(pack),
        ResourceType.SHARE.value: desired_shares(pack),
        ResourceType.CATALOG.value: desired_mounts(pack.shares),
        ResourceType.WORKSPACE_FILE.value: desired_files(pack),
        ResourceType.SCHEMA.value: desired_schemas(pack),
        RESOURCE: desired_sources(pack),  # checked at plan time, never written
    }
