"""The resource kinds sharepack manages, and the readers that read their state.

Adding a kind is one module and one line here: `plan.build`, `plan.destroy`, `plan.freshness`,
`apply` and the reader (`kinds.reading`) walk these lists and name no kind.
"""

from __future__ import annotations

from collections.abc import Mapping

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
from sharepack.kinds.workspace_file import WorkspaceFileKind
from sharepack.kinds.workspace_file_state import WorkspaceFileReader
from sharepack.sync.checks import SourcesReader

# In the order a plan lists their changes, each kind planned with the changes of those before it
# (a job's needs its pipelines'). Writes follow `rank` instead: created in ascending rank, deleted
# in descending.
KINDS: tuple[Kind, ...] = (
    RecipientKind(),
    ShareKind(),
    ShareObjectsKind(),
    GrantKind(),
    SchemaKind(),
    WorkspaceFileKind(),
    MountKind(),
    PipelineKind(),
    JobKind(),
)
KIND_OF: Mapping[ResourceType, Kind] = {k.resource_type: k for k in KINDS}
READERS: tuple[Reader, ...] = (SharingReader(), MountReader(), WorkspaceFileReader(), SourcesReader())
