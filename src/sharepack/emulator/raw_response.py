"""An answer that is bytes, not JSON: what the raw Workspace endpoints answer (a file's own bytes,
a folder's archive). The multipart form a client sends is read in server/request_body.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawResponse:
    """An answer sent as these bytes, not serialised as JSON."""

    data: bytes
    content_type: str = "application/octet-stream"
