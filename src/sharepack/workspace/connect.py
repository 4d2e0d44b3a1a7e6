"""Which workspace to talk to, and a client for it that fails in seconds when the host is down.

Order of precedence for the host: --host/--profile flags, the target's `workspace`, the pack's
`metadata.workspace_url`, then the SDK's own unified auth (DATABRICKS_* variables,
~/.databrickscfg). `local` anywhere means the embedded emulator with its state under
`.sharepack/` in the current directory. A pack host other than the one the environment's or
profile's credentials are for is refused (`guard_credentials`, host_guard.py) unless --host says so.
"""

from __future__ import annotations

import configparser
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from sharepack.errors import UsageError, WorkspaceError
from sharepack.workspace.credentials import check_host, check_token
from sharepack.workspace.retry import RetryProgress, reporting_clock, retry_budget_s, retry_server_errors

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

LOCAL = "local"
LOCAL_STATE_DIR = Path(".sharepack")
CONNECT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class WorkspaceTarget:
    """Where a command goes: the embedded emulator, or a host and/or profile for the SDK."""

    local: bool = False
    host: str | None = None
    profile: str | None = None
    local_name: str | None = None  # `local:NAME`: another embedded workspace, in its own metastore

    @property
    def label(self) -> str:
        if self.local:
            return f"local emulator {self.local_name}" if self.local_name else "local emulator"
        return self.host or (f"profile {self.profile}" if self.profile else "default profile")


def choose_target(
    *,
    flag_host: str | None = None,
    flag_profile: str | None = None,
    target_name: str | None = None,
    target_host: str | None = None,
    target_profile: str | None = None,
    metadata_url: str | None = None,
) -> WorkspaceTarget:
    if flag_host == LOCAL or (flag_host is None and flag_profile is None and target_name == LOCAL):
        return WorkspaceTarget(local=True)
    if flag_host or flag_profile:
        return WorkspaceTarget(host=normalise_host(flag_host), profile=flag_profile)
    if target_host == LOCAL:
        return WorkspaceTarget(local=True)
    if target_host and target_host.startswith(LOCAL + ":"):
        return WorkspaceTarget(local=True, local_name=target_host.split(":", 1)[1])
    if target_host or target_profile:
        return WorkspaceTarget(host=normalise_host(target_host), profile=target_profile)
    if metadata_url == LOCAL:
        return WorkspaceTarget(local=True)
    if metadata_url:
        return WorkspaceTarget(host=normalise_host(metadata_url))
    return WorkspaceTarget()


def normalise_host(host: str | None) -> str | None:
    if host is None:
        return None
    host = host.strip().rstrip("/")
    if "://" not in host:
        host = f"https://{host}"
    check_host(host)
    parsed = urlparse(host)
    try:
        parsed.port  # noqa: B018 (raises on a port that is not a number from 0 to 65535)
    except ValueError:
        raise UsageError(
            f"{host!r} is not a workspace URL: its port is not a number from 1 to 65535",
            hint="e.g. https://adb-123.4.azuredatabricks.net or http://127.0.0.1:8765",
        ) from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageError(
            f"{host!r} is not a workspace URL", hint="e.g. https://adb-123.4.azuredatabricks.net"
        )
    return host


def guard_credentials(
    chosen: WorkspaceTarget, *, explicit_host: bool, pack_host: str | None, pack_host_source: str
) -> None:
    """Refuse, before any connection, to send credentials given for one host to another the pack
    names. `local` needs no credentials, and an explicit --host is the user's own choice."""
    from sharepack.workspace.host_guard import NamedHost, credentials_source, refuse_foreign_host

    if chosen.local or explicit_host or not pack_host or pack_host == LOCAL or pack_host.startswith("local:"):
        return
    given = host_from_environment(chosen.profile)
    refuse_foreign_host(
        NamedHost(str(normalise_host(pack_host)), pack_host_source),
        NamedHost(given, credentials_source(chosen.profile)) if given else None,
    )


@dataclass
class Workspace:
    client: WorkspaceClient
    create_client: WorkspaceClient  # same auth, SDK retries off: see workspace.write
    host: str
    label: str
    emulator: Any = None
    _closed: bool = field(default=False, repr=False)

    @property
    def links_outlive_command(self) -> bool:
        """False for the embedded emulator: its port closes when the command ends, so a run-page
        link printed for it is dead by the time anyone clicks it."""
        return self.emulator is None

    def close(self) -> None:
        if self.emulator is not None and not self._closed:
            self.emulator.stop()
        self._closed = True

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(target: WorkspaceTarget, *, state_dir: Path = LOCAL_STATE_DIR) -> Workspace:
    if target.local:
        return _connect_local(state_dir, target.local_name)
    host = target.host or host_from_environment(target.profile)
    if host:
        check_reachable(host)
    kwargs: dict[str, Any] = {}
    if target.host:
        kwargs["host"] = target.host
    if target.profile:
        kwargs["profile"] = target.profile
    client = _client(**kwargs)
    return Workspace(
        client=client,
        create_client=_client(no_retry=True, **kwargs),
        host=str(client.config.host),
        label=str(client.config.host),
    )


def local_config(state_dir: Path, name: str | None = None) -> Any:
    """The emulator config of the local workspace `name` (None: the default one).

    Every local workspace keeps its jobs and pipelines in a file of its own, and all of them share
    one Unity Catalog (local.db) in which each has its own metastore, so a D2D share from one is
    seen as a provider in another, as between two real workspaces."""
    import uuid

    from sharepack.emulator import EmulatorConfig

    shared_catalog = str(state_dir / "local.db")
    if name is None:
        return EmulatorConfig(state_path=shared_catalog)
    return EmulatorConfig(
        state_path=str(state_dir / f"local-{name}.db"),
        uc_state_path=shared_catalog,
        metastore_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"sharepack-local-metastore:{name}")),
        metastore_name=f"local-{name}",
    )


def _connect_local(state_dir: Path, name: str | None = None) -> Workspace:
    from sharepack.emulator import Emulator
    from sharepack.workspace.local_state import check_state, opening_state

    if state_dir.exists() and not state_dir.is_dir():
        raise WorkspaceError(f"{state_dir} is a file, not the folder for the local workspace's state")
    state_dir.mkdir(parents=True, exist_ok=True)
    config = local_config(state_dir, name)
    if config.uc_state_path:
        check_state(Path(config.uc_state_path))
    with opening_state(Path(config.state_path)):
        emulator = Emulator(config).start()
    kwargs: dict[str, Any] = {"host": emulator.url, "token": emulator.token, "auth_type": "pat"}
    return Workspace(
        client=_client(**kwargs),
        create_client=_client(no_retry=True, **kwargs),
        host=emulator.url,
        label=f"local emulator ({config.state_path})",
        emulator=emulator,
    )


def _client(*, no_retry: bool = False, **kwargs: Any) -> WorkspaceClient:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

    from sharepack.workspace.retry import no_retry_clock

    progress = RetryProgress()
    if no_retry:
        kwargs["clock"] = no_retry_clock()
    else:
        kwargs["clock"] = reporting_clock(progress)
        if "retry_timeout_seconds" not in kwargs and not os.environ.get("DATABRICKS_RETRY_TIMEOUT_SECONDS"):
            kwargs["retry_timeout_seconds"] = retry_budget_s()
    try:
        with _profile_only(bool(kwargs.get("profile")) and not kwargs.get("host")):
            client = WorkspaceClient(config=Config(**kwargs))
    except ValueError as exc:
        # The SDK's auth errors name the methods it tried; they never include secrets.
        raise WorkspaceError(
            f"cannot authenticate: {_first_line(str(exc))}", hint=_missing_credentials_hint(kwargs)
        ) from None
    # The SDK read the token and host from wherever they came (flags, environment, profile).
    check_token(client.config)
    check_host(str(client.config.host or ""))
    if not no_retry:
        retry_server_errors(client, progress)
    return client


def _missing_credentials_hint(kwargs: dict[str, Any]) -> str:
    """Say what is missing: with a host already known, that is the token, not the host."""
    profile = kwargs.get("profile")
    if profile:
        return (
            f"give profile {profile!r} a host and a token in ~/.databrickscfg, "
            "or pass --host with DATABRICKS_TOKEN set"
        )
    host = kwargs.get("host") or os.environ.get("DATABRICKS_HOST")
    if host:
        return (
            f"no token for {host}: set DATABRICKS_TOKEN, or pass --profile NAME for a profile in "
            "~/.databrickscfg that has one"
        )
    return "set DATABRICKS_HOST and DATABRICKS_TOKEN, pass --host/--profile, or use --target local"


@contextmanager
def _profile_only(active: bool) -> Iterator[None]:
    """While a client for a chosen profile is built, hide DATABRICKS_* variables.

    The SDK lets the environment override a profile's values, so with DATABRICKS_HOST and
    DATABRICKS_TOKEN set for one workspace, `--profile prod` (or a target's profile) would
    silently deploy to the other."""
    if not active:
        yield
        return
    kept = {"DATABRICKS_CONFIG_FILE"}
    hidden = {k: v for k, v in os.environ.items() if k.startswith("DATABRICKS_") and k not in kept}
    for name in hidden:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(hidden)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def host_from_environment(profile: str | None) -> str | None:
    if not profile and os.environ.get("DATABRICKS_HOST"):
        return normalise_host(os.environ["DATABRICKS_HOST"])
    path = Path(os.environ.get("DATABRICKS_CONFIG_FILE", "~/.databrickscfg")).expanduser()
    section = profile or os.environ.get("DATABRICKS_CONFIG_PROFILE") or "DEFAULT"
    if not path.is_file():
        return None
    parser = configparser.ConfigParser()
    try:
        parser.read(path)
    except configparser.Error:
        return None
    if section == "DEFAULT":
        value = parser.defaults().get("host")
    elif parser.has_section(section):
        value = parser.get(section, "host", fallback=None)
    else:
        raise UsageError(
            f"profile {section!r} is not in {path}",
            hint=f"profiles there: {', '.join(parser.sections()) or 'none'}",
        )
    return normalise_host(value)


def check_reachable(host: str, timeout: float | None = None) -> None:
    """Fail in seconds, not after the SDK's five-minute retry budget, when nothing answers."""
    timeout = CONNECT_TIMEOUT_S if timeout is None else timeout
    parsed = urlparse(host)
    if not parsed.hostname:
        raise UsageError(
            f"{host!r} is not a workspace URL", hint="e.g. https://adb-123.4.azuredatabricks.net"
        )
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise WorkspaceError(
            f"cannot reach {parsed.scheme}://{parsed.hostname}:{port}: {reason}",
            hint="check the host, your network or VPN; for the local emulator use --target local",
        ) from None
    _check_answers(host, timeout)


def _check_answers(host: str, timeout: float) -> None:
    """A proxy or firewall can accept the connection and then say nothing: the SDK would wait out
    its five-minute budget. Any HTTP answer (even an error status) means the host is alive."""
    import urllib.error
    import urllib.request

    url = host.rstrip("/") + "/.well-known/databricks-config"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=timeout):
            pass
    except urllib.error.HTTPError:
        pass  # it answered
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise WorkspaceError(
                f"{host} accepted the connection but sent no answer within {timeout:g} s",
                hint="check the URL (is it the workspace, not a proxy?), your network or VPN",
            ) from None
        # TLS and other oddities: the SDK's own error will say more than we can here.
