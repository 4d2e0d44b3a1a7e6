"""What a request's handler is given (the Context: the workspace's state, its metastore, its URL,
the run duration) and what the server keeps of every request (the request log, the count of
writes)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sharepack.emulator.iam.current_user import USER
from sharepack.emulator.server.faults import Faults
from sharepack.emulator.store import Store
from sharepack.emulator.unity_catalog.metastore import Metastore, Uc

# The body a handler gets is the JSON object sent, or the bytes themselves for a RAW_BODY endpoint;
# it answers a JSON object, or a RawResponse sent as is.
Handler = Callable[["Context", Any, dict[str, str], tuple[str, ...]], Any]


@dataclass
class RequestRecord:
    method: str
    path: str
    status: int
    duration_ms: float
    endpoint: str
    # When it arrived (epoch seconds): a benchmark times a tool's start-up to its first request.
    received_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "endpoint": self.endpoint,
            "received_at": self.received_at,
        }


class Context:
    def __init__(
        self,
        store: Store,
        faults: Faults,
        token: str,
        run_duration_s: float,
        uc_store: Store | None = None,
        metastore: Metastore | None = None,
    ) -> None:
        self.store = store
        self.uc_store = uc_store or store
        self.metastore = metastore or Metastore("", "", "", "", "")
        self.faults = faults
        self.token = token
        self.run_duration_s = run_duration_s
        self.base_url = ""
        self.log: list[RequestRecord] = []
        self.mutations = 0
        self.lock = threading.Lock()

    @property
    def uc(self) -> Uc:
        return Uc(self.uc_store, self.metastore, self.base_url, USER)

    def known_catalogs(self) -> frozenset[str] | None:
        """This metastore's catalogs (lower case), or None while it has none."""
        rows = self.uc_store.query(
            "SELECT name FROM uc_catalogs WHERE metastore_id = ?", (self.metastore.metastore_id,)
        )
        return frozenset(str(r["name"]).lower() for r in rows) or None
