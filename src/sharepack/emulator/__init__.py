"""A local Databricks workspace: the Jobs, Pipelines, Workspace and Unity Catalog sharing REST APIs
on 127.0.0.1.

It imports nothing else from sharepack, so it can ship on its own. Start it in-process:

    with Emulator(EmulatorConfig()) as emu:
        WorkspaceClient(host=emu.url, token=emu.token, auth_type="pat")
"""

from __future__ import annotations

import ipaddress
import re
import threading
import uuid
from dataclasses import dataclass, field, fields
from typing import Any

from sharepack.emulator import lite_workspace
from sharepack.emulator.lite_faults import REALISTIC_LIMITS, Faults, RequestRecord
from sharepack.emulator.lite_pipelines import USER
from sharepack.emulator.lite_runs import run_now
from sharepack.emulator.lite_server import READ_TIMEOUT_S, Context, Server, make_handler
from sharepack.emulator.lite_store import Store
from sharepack.emulator.lite_uc import Metastore

__all__ = ["DEFAULT_METASTORE_ID", "Emulator", "EmulatorConfig", "RequestRecord", "is_loopback"]

DEFAULT_METASTORE_ID = "5e7a5a9e-0c41-4d6b-9a53-10ca1c0de001"


@dataclass
class EmulatorConfig:
    state_path: str = ":memory:"
    token: str = "dapi-local-emulator"
    latency_ms: float = 0
    rate_limit_per_s: float | None = None
    rate_limits: dict[str, float] | None = None
    fault_rate: float = 0
    drop_rate: float = 0
    seed: int = 0
    run_duration_s: float = 0.05
    host: str = "127.0.0.1"
    port: int = 0
    fail_after_mutations: int | None = None
    fail_matching: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    # The Unity Catalog metastore this workspace is assigned to. Two emulators whose
    # `uc_state_path` is the same file and whose `metastore_id`s differ are two workspaces in two
    # metastores that see each other's Delta Sharing (a D2D recipient in one makes a provider in
    # the other). `uc_state_path` defaults to `state_path`.
    metastore_id: str = DEFAULT_METASTORE_ID
    metastore_name: str = "local-metastore"
    sharing_organization: str | None = None  # the provider name recipients see; default: metastore_name
    cloud: str = "aws"
    region: str = "us-west-2"
    uc_state_path: str | None = None
    # Whether `\` escapes the next character in a pipelines `name LIKE` filter. Databricks' reading
    # is not measured; sharepack must find its pipelines under both.
    like_backslash_escapes: bool = True
    # Listening anywhere but loopback serves this workspace (and its admin endpoints) to the
    # network with one well-known token; it must be asked for.
    allow_remote: bool = False
    # Seconds a client may stay silent mid-request (or idle between requests) before the
    # emulator closes its connection.
    read_timeout_s: float = READ_TIMEOUT_S

    @classmethod
    def realistic(cls, **overrides: Any) -> EmulatorConfig:
        """50 ms a request and Databricks' published per-workspace rate limits."""
        return cls(latency_ms=50, rate_limits=dict(REALISTIC_LIMITS), **overrides)


_FAULT_FIELDS = {f.name for f in fields(Faults) if not f.name.startswith("_")}


def is_loopback(host: str) -> bool:
    """Whether binding `host` listens on this machine only ("" and 0.0.0.0 listen everywhere)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _number(name: str, value: Any, *, low: float = 0, high: float | None = None) -> float:
    # bool is an int to Python, but `"fault_rate": true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValueError(f"{name} must be a number, not {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ValueError(f"{name} must be {bounds}, not {value!r}")
    return float(value)


def _whole(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")
    return int(value)


def _pattern(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, not {value!r}")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{name} is not a regular expression: {exc}") from None
    return value


def _rule(value: Any) -> tuple[str, str, int, str, str]:
    shape = "fail_matching rules are [method, path regex, status, error_code, message]"
    if not isinstance(value, (list, tuple)) or len(value) != 5:
        raise ValueError(f"{shape}, not {value!r}")
    method, path, status, code, message = value
    if not all(isinstance(v, str) for v in (method, code, message)):
        raise ValueError(f"{shape}, not {value!r}")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError(f"fail_matching status must be an HTTP status, not {status!r}")
    return method, _pattern("fail_matching path", path), status, code, message


def _checked(key: str, value: Any) -> Any:
    """`value` for setting `key`, or ValueError naming the setting: a wrong type set at run time
    would otherwise fail inside every later request (a string fault_rate crashed them all)."""
    if key in ("latency_ms", "stall_s"):
        return _number(key, value)
    if key in ("fault_rate", "drop_rate"):
        return _number(key, value, high=1)
    if key == "rate_limit_per_s":
        return None if value is None else _number(key, value, low=1e-9)
    if key == "rate_limits":
        if not isinstance(value, dict):
            raise ValueError(f"rate_limits must be an object of endpoint: requests a second, not {value!r}")
        return {str(k): _number(f"rate_limits[{k!r}]", v, low=1e-9) for k, v in value.items()}
    if key in ("seed", "stall_count", "fail_matching_skip"):
        return _whole(key, value)
    if key == "fail_after_mutations":
        return None if value is None else _whole(key, value)
    if key == "stall_endpoint":
        return _pattern(key, value)
    if key == "fail_matching":
        if not isinstance(value, list):
            raise ValueError(f"fail_matching must be a list of rules, not {value!r}")
        return [_rule(rule) for rule in value]
    return value


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        config = self.config
        if str(uuid.UUID(config.metastore_id)) != config.metastore_id:
            raise ValueError(f"metastore_id must be a lower-case UUID, not {config.metastore_id!r}")
        self._store = Store(config.state_path)
        self._store.like_backslash_escapes = config.like_backslash_escapes
        lite_workspace.seed(self._store, USER)
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
        unknown = set(changes) - _FAULT_FIELDS - {"like_backslash_escapes", "run_duration_s"}
        if unknown:
            raise ValueError(f"unknown emulator settings: {', '.join(sorted(unknown))}")
        if "like_backslash_escapes" in changes and not isinstance(changes["like_backslash_escapes"], bool):
            raise ValueError(
                f"like_backslash_escapes must be true or false, not {changes['like_backslash_escapes']!r}"
            )
        if "run_duration_s" in changes:
            _number("run_duration_s", changes["run_duration_s"])
        for key in set(changes) & _FAULT_FIELDS:
            _checked(key, changes[key])
        if "like_backslash_escapes" in changes:
            self._store.like_backslash_escapes = changes.pop("like_backslash_escapes")
        if "run_duration_s" in changes:
            self._ctx.run_duration_s = float(changes.pop("run_duration_s"))
        # Every value is checked before any is set: a refused change leaves the settings as they were.
        checked = {key: _checked(key, value) for key, value in changes.items()}
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
