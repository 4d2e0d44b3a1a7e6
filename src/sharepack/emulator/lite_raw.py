"""Bodies that are bytes, not JSON: what the raw Workspace endpoints answer (a file's own bytes)
and the multipart form the Python SDK's `workspace.upload` sends."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from sharepack.emulator.lite_errors import ApiError


@dataclass(frozen=True)
class RawResponse:
    """An answer sent as these bytes, not serialised as JSON."""

    data: bytes
    content_type: str = "application/octet-stream"


def form_fields(data: bytes, content_type: str) -> dict[str, Any]:
    """A multipart/form-data body as the JSON object the same call would send: text fields as
    strings, the `content` part base64-encoded (what `workspace/import` takes as JSON)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + data)
    if not message.is_multipart():
        raise ApiError(400, "MALFORMED_REQUEST", "Invalid multipart/form-data body.")
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        value = payload if isinstance(payload, bytes) else b""
        if name == "content":
            fields[name] = base64.b64encode(value).decode()
        else:
            fields[name] = value.decode("utf-8", errors="replace")
    if str(fields.get("overwrite", "")).lower() in ("true", "1"):
        fields["overwrite"] = True
    else:
        fields.pop("overwrite", None)
    return fields
