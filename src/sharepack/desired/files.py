"""The pipeline code sharepack generates and uploads: one file per sync pipeline, in the pack's folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sharepack.sync.code import file_path, pack_folder, render, root_of, sync_spec

if TYPE_CHECKING:
    from sharepack.pack import Pack

SUBFOLDER = "pipelines"


@dataclass(frozen=True)
class DesiredFile:
    name: str  # the workspace path
    pipeline: str
    content: str
    folder: str  # the pack's folder of generated code: <root>/<pack>/pipelines


def desired_files(pack: Pack) -> tuple[DesiredFile, ...]:
    root = root_of(pack)
    folder = f"{pack_folder(pack.name, root)}/{SUBFOLDER}"
    files = []
    for pipeline in pack.pipelines:
        spec = sync_spec(pack.name, pipeline)
        if spec is not None:
            path = file_path(pack.name, pipeline.name, root)
            files.append(DesiredFile(path, pipeline.name, render(spec), folder))
    return tuple(files)
