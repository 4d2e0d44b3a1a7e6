"""A local Databricks workspace: the Jobs, Pipelines, Workspace and Unity Catalog sharing REST APIs
on 127.0.0.1.

It imports nothing else from sharepack, so it can ship on its own. Start it in-process:

    with Emulator(EmulatorConfig()) as emu:
        WorkspaceClient(host=emu.url, token=emu.token, auth_type="pat")
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sharepack.emulator.config import (
    DEFAULT_METASTORE_ID,
    FAULT_SETTINGS,
    EmulatorConfig,
    checked_number,
    checked_setting,
    is_loopback,
)
from sharepack.emulator.iam.current_user import USER
from sharepack.emulator.jobs.runs import run_now
from sharepack.emulator.server.context import Context, RequestRecord
from sharepack.emulator.server.faults import REALISTIC_LIMITS, Faults
from sharepack.emulator.server.http_server import Server, make_handler
from sharepack.emulator.store import Store
from sharepack.emulator.unity_catalog.metastore import Metastore
from sharepack.emulator.workspace.objects import seed as seed_workspace

__all__ = ["DEFAULT_METASTORE_ID", "Emulator", "EmulatorConfig", "RequestRecord", "is_loopback"]


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        config = self.config
        if str(uuid.UUID(config.metastore_id)) != config.metastore_id:
            raise ValueError(f"metastore_id must be a lower-case UUID, not {config.metastore_id!r}")
        self._store = Store(config.state_path)
        self._store.like_backslash_escapes = config.like_backslash_escapes
        seed_workspace(self._store, USER)
        shared = config.uc_state_path is None or config.uc_state_path == config.state_path
        self._uc_store = self._store if shared else Store(str(config.uc_state_path))
        self.metastore = Metastore(
            config.metastore_id,
            config.metastore_name,
            config.sharing_organization or config.metastore_name,
            config.cloud,
            config.region,
        )
        self.metastore.register(self._uc_store)
        self._faults = Faults()
        self._ctx = Context(
            self._store, self._faults, config.token, config.run_duration_s, self._uc_store, self.metastore
        )
        self.configure(
            latency_ms=self.config.latency_ms,
            rate_limit_per_s=self.config.rate_limit_per_s,
            rate_limits=dict(self.config.rate_limits or {}),
            fault_rate=self.config.fault_rate,
            drop_rate=self.config.drop_rate,
            seed=self.config.seed,
            fail_after_mutations=self.config.fail_after_mutations,
            fail_matching=list(self.config.fail_matching),
        )
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------
    def _listen(self) -> Server:
        host = self.config.host
        if not is_loopback(host) and not self.config.allow_remote:
            shown = repr(host) if host else "'' (every address)"
            raise ValueError(
                f"host {shown} is not a loopback address: the emulator would serve its workspace and "
                "admin endpoints to the network; set allow_remote to mean it"
            )
        handler = make_handler(self._ctx, self._admin, self.config.read_timeout_s)
        return Server((host, self.config.port), handler)

    def start(self) -> Emulator:
        self._server = self._listen()
        self._ctx.base_url = self.url
        # A short poll interval: stop() waits for it, and tests stop an emulator each.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="sharepack-emulator", daemon=True
        )
        self._thread.start()
        return self

    def bind(self) -> Emulator:
        """Listen without serving yet, so a caller can print the URL first."""
        if self._server is None:
            self._server = self._listen()
            self._ctx.base_url = self.url
        return self

    def serve_forever(self) -> None:
        self.bind()
        assert self._server is not None
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()
            self._close_stores()

    def _close_stores(self) -> None:
        self._store.close()
        if self._uc_store is not self._store:
            self._uc_store.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._close_stores()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        host, port = str(self._server.server_address[0]), int(self._server.server_address[1])
        return f"http://{host}:{port}"

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def global_metastore_id(self) -> str:
        """`<cloud>:<region>:<metastore_id>`: the sharing identifier a D2D recipient names."""
        return self.metastore.global_id

    # -- test and benchmark hooks --------------------------------------------------------
    def register_metastore(self, global_id: str) -> bool:
        """Make `<cloud>:<region>:<metastore-uuid>` a metastore of this state (the one a D2D
        recipient names); False when it is one already."""
        cloud, region, metastore_id = global_id.split(":")
        if str(uuid.UUID(metastore_id)) != metastore_id:
            raise ValueError(f"metastore_id must be a lower-case UUID, not {metastore_id!r}")
        if self._uc_store.query("SELECT 1 FROM uc_metastores WHERE metastore_id = ?", (metastore_id,)):
            return False
        name = f"metastore-{metastore_id[:8]}"
        Metastore(metastore_id, name, name, cloud, region).register(self._uc_store)
        return True

    def request_log(self) -> list[RequestRecord]:
        with self._ctx.lock:
            return list(self._ctx.log)

    def mutating_count(self) -> int:
        with self._ctx.lock:
            return self._ctx.mutations

    def reset_log(self) -> None:
        with self._ctx.lock:
            self._ctx.log.clear()
            self._ctx.mutations = 0

    def configure(self, **changes: Any) -> None:
        profile = changes.pop("profile", None)
        if profile not in (None, "realistic"):
            raise ValueError(f"profile must be 'realistic', not {profile!r}")
        if profile == "realistic":
            changes.setdefault("latency_ms", 50)
            changes.setdefault("rate_limits", dict(REALISTIC_LIMITS))
        unknown = set(changes) - FAULT_SETTINGS - {"like_backslash_escapes", "run_duration_s"}
        if unknown:
            raise ValueError(f"unknown emulator settings: {', '.join(sorted(unknown))}")
        if "like_backslash_escapes" in changes and not isinstance(changes["like_backslash_escapes"], bool):
            raise ValueError(
                f"like_backslash_escapes must be true or false, not {changes['like_backslash_escapes']!r}"
            )
        if "run_duration_s" in changes:
            checked_number("run_duration_s", changes["run_duration_s"])
        for key in set(changes) & FAULT_SETTINGS:
            checked_setting(key, changes[key])
        if "like_backslash_escapes" in changes:
            self._store.like_backslash_escapes = changes.pop("like_backslash_escapes")
        if "run_duration_s" in changes:
            self._ctx.run_duration_s = float(changes.pop("run_duration_s"))
        # Every value is checked before any is set: a refused change leaves the settings as they were.
        checked = {key: checked_setting(key, value) for key, value in changes.items()}
        for key, value in checked.items():
            setattr(self._faults, key, value)
        if "seed" in changes or "rate_limits" in changes or "rate_limit_per_s" in changes:
            self._faults.reseed()
        if "fail_matching" in changes or "fail_matching_skip" in changes:
            self._faults.reset_matches()  # the skip counts from this setting on

    def set_job_outcome(self, job_id: int, outcome: str) -> None:
        if outcome not in ("SUCCESS", "FAILED"):
            raise ValueError("outcome is SUCCESS or FAILED")
        self._store.execute("INSERT OR REPLACE INTO outcomes VALUES (?, ?)", (int(job_id), outcome))

    def advance_clock(self, seconds: float) -> None:
        """Age every run by `seconds`, as if that much time had passed (PENDING -> RUNNING -> TERMINATED)."""
        with self._store.lock:
            self._store.clock_offset_ms += int(seconds * 1000)

    def simulate_scheduled_run(self, job_id: int, outcome: str = "SUCCESS") -> int:
        """A run started by the job's own schedule, as if its cron had fired."""
        self.set_job_outcome(job_id, outcome)
        started = run_now(self._store, {"job_id": job_id}, self._ctx.run_duration_s, trigger="PERIODIC")
        return int(started["run_id"])

    def _admin(self, method: str, name: str, body: dict[str, Any]) -> Any:
        if method == "GET" and name == "requests":
            return {"requests": [r.to_dict() for r in self.request_log()]}
        if method == "GET" and name == "stats":
            return {"mutating": self.mutating_count(), "requests": len(self.request_log())}
        if method == "POST" and name == "reset-log":
            self.reset_log()
            return {}
        if method == "POST" and name == "config":
            self.configure(**body)
            return {}
        if method == "POST" and name == "advance-clock":
            self.advance_clock(float(body["seconds"]))
            return {}
        if method == "POST" and name == "job-outcome":
            self.set_job_outcome(int(body["job_id"]), str(body["outcome"]))
            return {}
        raise KeyError(f"no admin endpoint {method} /admin/{name}")
