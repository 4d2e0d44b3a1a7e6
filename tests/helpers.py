"""Small helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_pack(directory: Path, text: str, name: str = "pack.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def edit_pipeline_by_hand(client: Any, name: str, **changes: Any) -> None:
    """What a person does in the UI: the pipeline's settings change, its schedule job does not."""
    pipeline_id = next(p.pipeline_id for p in client.pipelines.list_pipelines() if p.name == name)
    spec = client.pipelines.get(pipeline_id).spec.as_dict()
    client.api_client.do("PUT", f"/api/2.0/pipelines/{pipeline_id}", body={**spec, **changes})


def list_shares(client: Any, **kwargs: Any) -> Any:
    """`shares.list_shares` (newer SDKs) or `shares.list` (the floor, 0.56): the same endpoint."""
    lister = getattr(client.shares, "list_shares", None) or client.shares.list
    return lister(**kwargs)


def analytics_global_id() -> str:
    """The global metastore ID of the local `analytics` workspace: what a D2D recipient names."""
    from sharepack.workspace.connect import LOCAL_STATE_DIR, local_config

    config = local_config(LOCAL_STATE_DIR, "analytics")
    return f"{config.cloud}:{config.region}:{config.metastore_id}"
