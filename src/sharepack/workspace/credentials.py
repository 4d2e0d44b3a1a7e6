"""Credentials that would leak or break a request, refused before any request is made.

A token with a trailing newline (a CI secret pasted with its line end) makes `requests` refuse
the header — and its error quotes the whole header, token included. Credentials written into a
host URL (`https://user:pass@host`) would be printed wherever the host is, and saved in plans.
Neither message here ever contains the secret.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sharepack.errors import UsageError


def token_problem(config: Any) -> str | None:
    """What is wrong with the SDK config's token, without saying the token."""
    token = getattr(config, "token", None)
    if not isinstance(token, str) or not token:
        return None
    if token != token.strip():
        return "the token ends or starts with a newline or space (a secret pasted with its line end?)"
    if any(c.isspace() or not c.isprintable() for c in token):
        return "the token contains a space, newline or control character"
    return None


def check_token(config: Any) -> None:
    problem = token_problem(config)
    if problem:
        raise UsageError(
            f"{problem}; it was not sent",
            hint="remove the whitespace from DATABRICKS_TOKEN (or the profile's token), "
            "e.g. `export DATABRICKS_TOKEN=$(printf %s \"$DATABRICKS_TOKEN\" | tr -d '[:space:]')`",
        )


def without_credentials(url: str) -> str:
    """The URL with any user name and password removed (what may be shown)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def check_host(url: str) -> None:
    """Refuse a host URL that carries credentials; the message shows it without them."""
    if "@" in urlsplit(url).netloc:
        raise UsageError(
            f"the host URL {without_credentials(url)} carries a user name or password before '@'; "
            "it was not used",
            hint="give the host alone and the token in DATABRICKS_TOKEN (or a profile)",
        )
