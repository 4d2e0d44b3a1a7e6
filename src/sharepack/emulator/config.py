"""What an emulator is started with (EmulatorConfig), and the checks a setting changed while it
runs must pass."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, fields
from typing import Any

from sharepack.emulator.server.faults import REALISTIC_LIMITS, Faults
from sharepack.emulator.server.http_server import READ_TIMEOUT_S

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


# The settings of injected faults: what configure() sets on Faults.
FAULT_SETTINGS = {f.name for f in fields(Faults) if not f.name.startswith("_")}


def is_loopback(host: str) -> bool:
    """Whether binding `host` listens on this machine only ("" and 0.0.0.0 listen everywhere)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_number(name: str, value: Any, *, low: float = 0, high: float | None = None) -> float:
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


def checked_setting(key: str, value: Any) -> Any:
    """`value` for setting `key`, or ValueError naming the setting: a wrong type set at run time
    would otherwise fail inside every later request (a string fault_rate crashed them all)."""
    if key in ("latency_ms", "stall_s"):
        return checked_number(key, value)
    if key in ("fault_rate", "drop_rate"):
        return checked_number(key, value, high=1)
    if key == "rate_limit_per_s":
        return None if value is None else checked_number(key, value, low=1e-9)
    if key == "rate_limits":
        if not isinstance(value, dict):
            raise ValueError(f"rate_limits must be an object of endpoint: requests a second, not {value!r}")
        return {str(k): checked_number(f"rate_limits[{k!r}]", v, low=1e-9) for k, v in value.items()}
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
