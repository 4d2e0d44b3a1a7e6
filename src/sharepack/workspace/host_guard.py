"""Credentials go only to the host they were given for.

DATABRICKS_HOST + DATABRICKS_TOKEN, or a profile, are credentials *for a host*. A pack (or its
target) naming another host must not receive them: a pull request that edits one line of a pack
could otherwise send a CI job's token anywhere. Checked before any connection is made. An explicit
`--host` is the user naming the host for the credentials they hold, so it wins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from sharepack.errors import SharepackError


class ForeignHost(SharepackError):
    """The pack names another host than the credentials were given for: nothing was sent."""


@dataclass(frozen=True)
class NamedHost:
    url: str
    source: str  # where it was named, for the message


def same_host(a: str, b: str) -> bool:
    return _key(a) == _key(b)


def _key(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url if "://" in url else f"https://{url}")
    scheme = (parts.scheme or "https").lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower().rstrip("."), port


def refuse_foreign_host(pack_host: NamedHost | None, credentials_host: NamedHost | None) -> None:
    """Raise ForeignHost when both are known and differ."""
    if pack_host is None or credentials_host is None or same_host(pack_host.url, credentials_host.url):
        return
    raise ForeignHost(
        f"the pack names workspace {pack_host.url} ({pack_host.source}), but the credentials here are "
        f"for {credentials_host.url} ({credentials_host.source}); nothing was sent to either",
        hint=(
            f"to use {credentials_host.url}, pass --host {credentials_host.url} (an explicit --host wins "
            f"over the pack); to use {pack_host.url}, give credentials for it (--profile NAME, or "
            "DATABRICKS_HOST/DATABRICKS_TOKEN set for it), or choose another of the pack's targets "
            "with --target NAME"
        ),
    )


def credentials_source(profile: str | None) -> str:
    """Where the host of the credentials the SDK would use comes from, in words."""
    if profile:
        return f"profile {profile}"
    if os.environ.get("DATABRICKS_HOST"):
        return "DATABRICKS_HOST"
    return f"profile {os.environ.get('DATABRICKS_CONFIG_PROFILE') or 'DEFAULT'} in ~/.databrickscfg"
