"""Raw HTTP against the emulator, for what the SDK hides (status codes, headers, admin endpoints)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def http(
    url: str, method: str = "GET", body: Any = None, token: str | None = None
) -> tuple[int, dict[str, str], Any]:
    """Status, headers and parsed JSON body of one request; HTTP errors are answers, not exceptions."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"{}")
