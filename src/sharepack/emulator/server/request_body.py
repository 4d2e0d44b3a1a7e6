"""A request's body: read within its Content-Length, MAX_BODY_BYTES and the socket's read timeout,
then taken as the endpoint takes it (a JSON object, a file's bytes, or the fields of the multipart
form the Python SDK's `workspace.upload` sends)."""

from __future__ import annotations

import base64
import json
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from io import BufferedIOBase
from typing import Any, BinaryIO

from sharepack.emulator.errors import ApiError

# Endpoints whose request body is not JSON: a file's bytes.
RAW_BODY = frozenset({"workspace-files/import-file"})
# Larger bodies answer 413 unread: Databricks' own ceiling for a workspace import is 10 MB.
MAX_BODY_BYTES = 10 * 1024 * 1024


def read_body(headers: Message, rfile: BinaryIO | BufferedIOBase) -> bytes:
    """The bytes sent, read within MAX_BODY_BYTES and the socket's read timeout."""
    if "Transfer-Encoding" in headers:
        # Not implemented here: reading such a body as no body would leave its bytes to
        # be parsed as the next request.
        raise ApiError(411, "LENGTH_REQUIRED", "Send the body with a Content-Length.")
    if len(headers.get_all("Content-Length") or []) > 1:
        # Which one counts is how requests are smuggled: refuse, as RFC 9112 asks.
        raise ApiError(400, "MALFORMED_REQUEST", "More than one Content-Length.")
    raw = (headers.get("Content-Length") or "0").strip()
    # Digits only: int() also takes "-1", "+5", "1_000" and " 7 ", none of them a length.
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(400, "MALFORMED_REQUEST", f"Invalid Content-Length: {raw[:40]!r}")
    # Checked on the text first: int() of a 5,000-digit string is itself refused.
    if len(raw) > len(str(MAX_BODY_BYTES)) or int(raw) > MAX_BODY_BYTES:
        raise ApiError(
            413,
            "REQUEST_ENTITY_TOO_LARGE",
            f"The request body is larger than {MAX_BODY_BYTES} bytes.",
        )
    length = int(raw)
    data = bytearray()
    while len(data) < length:
        # read1: what has arrived so far survives a timeout (read() would lose it). Each
        # pass either grows `data` or ends the loop.
        try:
            # getattr: the socket file is buffered (it has read1); the stubs of older mypy
            # releases type it as BinaryIO, which does not declare read1 (newer: BufferedIOBase).
            chunk = getattr(rfile, "read1")(length - len(data))  # noqa: B009
        except TimeoutError:
            break
        if not chunk:
            break
        data += chunk
    if len(data) < length:
        raise ApiError(
            400, "MALFORMED_REQUEST", f"The request body ended after {len(data)} of {length} bytes."
        )
    return bytes(data)


def parse_body(headers: Message, data: bytes, endpoint: str) -> Any:
    """The body as the endpoint takes it: bytes for a RAW_BODY endpoint, the form's fields
    for a multipart upload (the Python SDK's `workspace.upload`), else a JSON object."""
    if endpoint in RAW_BODY:
        return data
    content_type = headers.get("Content-Type", "")
    if endpoint == "workspace/import" and content_type.startswith("multipart/form-data"):
        return form_fields(data, content_type)
    if not data:
        return {}
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        # RecursionError: `[` nested deeper than the parser's stack (a few thousand levels).
        raise ApiError(400, "MALFORMED_REQUEST", "Invalid JSON in request body") from None
    if not isinstance(parsed, dict):
        # Databricks' message: every endpoint's body is an object.
        raise ApiError(
            400,
            "MALFORMED_REQUEST",
            "Invalid JSON given in the body of the request - expected a map",
        )
    return parsed


def form_fields(data: bytes, content_type: str) -> dict[str, Any]:
    """A multipart/form-data body as the JSON object the same call would send: text fields as
    strings, the `content` part base64-encoded (what `workspace/import` takes as JSON)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + data)
    if not message.is_multipart():
        raise ApiError(400, "MALFORMED_REQUEST", "Invalid multipart/form-data body.")
    fields: dict[str, Any] = {}
    for part in message.walk():
        if part is message:
            continue
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
