"""What a pipeline's sync keys mean, for the checks and for the code `sharepack.sync.code`
generates alike: the mode it applies changes in, and the column names applying them reserves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sharepack.pack.resolved import ResolvedPipeline

Mode = Literal["1", "2", "full_refresh"]
# The change data feed's own columns: they order and classify changes, they are not data.
CDF_COLUMNS = ("_change_type", "_commit_version", "_commit_timestamp")
# The column the generated view adds to order changes (see `sharepack.sync.code`'s module doc),
# left out of the target.
SEQUENCE_COLUMN = "_sharepack_sequence"
# What AUTO CDC adds to an SCD 2 target: the sequence a row's version started and ended at.
SCD2_COLUMNS = ("__START_AT", "__END_AT")
# Column names the generated code cannot take as keys: it leaves them out of the target or the
# engine adds them.
RESERVED_COLUMNS = (*CDF_COLUMNS, SEQUENCE_COLUMN, *SCD2_COLUMNS)


def sync_mode(pipeline: ResolvedPipeline) -> Mode:
    """How the pipeline applies changes: its `scd_type` when it says how it syncs; otherwise a
    full copy, since it names no keys to merge on."""
    if pipeline.cdc and pipeline.scd_type in ("1", "2"):
        return "1" if pipeline.scd_type == "1" else "2"
    return "full_refresh"
