"""What every Unity Catalog endpoint shares: the metastore this workspace is in, securable rows
keyed by metastore, paging as UC does it, and UC's error codes."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sharepack.emulator.errors import ApiError, invalid
from sharepack.emulator.store import Store

T = TypeVar("T")

# max_results=0 asks for "a server configured value"; larger requests are capped at MAX_PAGE.
DEFAULT_PAGE = 100
MAX_PAGE = 1000
_BAD_NAME = re.compile(r"[\s./\x00-\x1f\x7f]")
TABLES = ("uc_shares", "uc_recipients", "uc_catalogs")
MAX_SHARE_NAME = 255  # Unity Catalog names are at most 255 characters (its naming rules)


@dataclass(frozen=True)
class Metastore:
    """The metastore a workspace is assigned to; `organization` names it as a D2D provider."""

    metastore_id: str
    name: str
    organization: str
    cloud: str
    region: str

    @property
    def global_id(self) -> str:
        return f"{self.cloud}:{self.region}:{self.metastore_id}"

    def register(self, store: Store) -> None:
        with store.transaction():
            rows = store.query(
                "SELECT created_ms FROM uc_metastores WHERE metastore_id = ?", (self.metastore_id,)
            )
            created = rows[0]["created_ms"] if rows else store.now()
            store.execute(
                "INSERT OR REPLACE INTO uc_metastores VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self.metastore_id,
                    self.global_id,
                    self.name,
                    self.organization,
                    self.cloud,
                    self.region,
                    created,
                ),
            )


@dataclass
class Uc:
    """A Unity Catalog request's context: the state, this workspace's metastore, its URL, its user."""

    store: Store
    metastore: Metastore
    base_url: str
    user: str

    @property
    def mid(self) -> str:
        return self.metastore.metastore_id

    # Unity Catalog names are case-insensitive and kept lower-case (databricks/cli #5531 and its
    # uppercase-name acceptance recordings): every key is folded, so `Sales` finds `sales`.
    def get(self, table: str, name: str) -> dict[str, Any] | None:
        assert table in TABLES
        rows = self.store.query(
            f"SELECT body FROM {table} WHERE metastore_id = ? AND name = ?", (self.mid, name.lower())
        )
        return dict(json.loads(rows[0]["body"])) if rows else None

    def put(self, table: str, name: str, body: dict[str, Any]) -> None:
        assert table in TABLES
        self.store.execute(
            f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", (self.mid, name.lower(), json.dumps(body))
        )

    def remove(self, table: str, name: str) -> None:
        assert table in TABLES
        self.store.execute(
            f"DELETE FROM {table} WHERE metastore_id = ? AND name = ?", (self.mid, name.lower())
        )

    def all(self, table: str, metastore_id: str | None = None) -> list[dict[str, Any]]:
        assert table in TABLES
        rows = self.store.query(
            f"SELECT body FROM {table} WHERE metastore_id = ? ORDER BY name", (metastore_id or self.mid,)
        )
        return [dict(json.loads(r["body"])) for r in rows]

    def stamps(self, body: dict[str, Any], *, created: bool) -> dict[str, Any]:
        now = self.store.now()
        if created:
            body["created_at"], body["created_by"] = now, self.user
        body["updated_at"], body["updated_by"] = now, self.user
        return body


def rename(uc: Uc, table: str, kind: str, item: dict[str, Any], new_name: Any, grant_column: str) -> None:
    """`new_name` in a share's or a recipient's PATCH: the row moves, and its grants with it."""
    name = item["name"]
    if not new_name or str(new_name).lower() == name:
        return
    new_name = check_name(kind, new_name, MAX_SHARE_NAME if kind == "Share" else None)
    if uc.get(table, new_name) is not None:
        code = "RESOURCE_ALREADY_EXISTS" if kind == "Share" else f"{kind.upper()}_ALREADY_EXISTS"
        raise already_exists(code, f"{kind} '{new_name}' already exists.")
    uc.remove(table, name)
    # The column is one of two literals chosen by the callers, never input.
    uc.store.execute(
        f"UPDATE uc_grants SET {grant_column} = ? WHERE metastore_id = ? AND {grant_column} = ?",
        (new_name, uc.mid, name),
    )
    item["name"] = new_name


def already_exists(code: str, message: str) -> ApiError:
    # Unity Catalog answers a name taken with 400 and its own code, not 409: the SDK raises
    # BadRequest (CATALOG_ALREADY_EXISTS) or ResourceAlreadyExists (RESOURCE_ALREADY_EXISTS) as
    # it does in production (the codes: the SDKs' catalog ErrorCode enum; ucx #2077 catches the
    # BadRequest of an existing catalog).
    return ApiError(400, code, message)


def does_not_exist(code: str, message: str) -> ApiError:
    return ApiError(404, code, message)


def check_name(kind: str, name: Any, max_length: int | None = None) -> str:
    """The name as Unity Catalog keeps it (lower-case), or the refusal of an invalid one."""
    if not isinstance(name, str) or not name or _BAD_NAME.search(name):
        raise invalid(
            f'{kind} name "{name}" is not a valid name. Valid names cannot be empty and cannot contain '
            "spaces, periods, forward slashes, or control characters."
        )
    if max_length is not None and len(name) > max_length:
        raise invalid(f"{kind} name is too long: {len(name)} characters, at most {max_length}.")
    return name.lower()


def flag(query: dict[str, str], key: str) -> bool:
    return query.get(key, "").lower() in ("true", "1")


def _token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _after(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid(f"Invalid page_token: {token}") from None


def page(items: list[T], query: dict[str, str], key: Callable[[T], str], field: str) -> dict[str, Any]:
    """One page of `items` (sorted by `key`); `next_page_token` only when more follow.

    Without `max_results` everything comes back in one answer, as UC documents ("not
    recommended"); 0 means the server's page length; negative is refused.
    """
    raw = query.get("max_results")
    try:
        size = None if raw in (None, "") else int(str(raw))
    except ValueError:
        raise invalid(f"Invalid max_results: {raw}") from None
    if size is not None and size < 0:
        raise invalid("max_results must be greater than or equal to 0")
    items = sorted(items, key=key)
    token = query.get("page_token")
    if token:
        last = _after(token)
        items = [item for item in items if key(item) > last]
    if size is None:
        return {field: items}
    size = DEFAULT_PAGE if size == 0 else min(size, MAX_PAGE)
    result: dict[str, Any] = {field: items[:size]}
    if len(items) > size:
        result["next_page_token"] = _token(key(items[size - 1]))
    return result
