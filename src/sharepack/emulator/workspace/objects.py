"""The Workspace API: import (JSON, multipart, or the raw bytes of workspace-files/import-file),
export (base64 JSON, or the bytes themselves on direct_download), get-status, list, delete and
mkdirs of files, notebooks and folders.

Paths are kept as a workspace keeps them: `/Workspace/Users/x`, `//Users/x/` and `/Users/x` name
one object, and answers call it `/Users/x` (a real workspace's get-status of
`//Workspace/Users/...` answers `/Users/...`). `/`, `/Users`, `/Shared` and the user's home folder
exist from the start, as in a new workspace."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import zipfile
from typing import Any

from sharepack.emulator.errors import ApiError, invalid, not_found
from sharepack.emulator.raw_response import RawResponse
from sharepack.emulator.store import Store

# A source file whose first line is its language's mark is imported (AUTO) as a notebook, its
# extension dropped — how the Databricks CLI's sync turns `# Databricks notebook source` files
# into notebooks.
NOTEBOOK_MARKS = {
    ".py": ("PYTHON", b"# Databricks notebook source"),
    ".sql": ("SQL", b"-- Databricks notebook source"),
    ".scala": ("SCALA", b"// Databricks notebook source"),
    ".r": ("R", b"# Databricks notebook source"),
}
LANGUAGES = {"PYTHON", "SQL", "SCALA", "R"}
# Bounds on one path, checked before any work: a 30,000-segment mkdirs would otherwise make
# 30,000 folders in one request. Not measured against a real workspace (its limits are not
# documented); they are far above any path a pack makes and bound the cost of one request.
MAX_PATH_CHARS = 4096
MAX_PATH_DEPTH = 128


def seed(store: Store, user: str) -> None:
    """The folders every workspace has: its root, /Users, /Shared and the user's home."""
    now = store.now()
    with store.lock:
        # A state file from before paths were kept canonical holds `/Workspace/...` spellings.
        store.execute("UPDATE OR IGNORE files SET path = substr(path, 11) WHERE path LIKE '/Workspace/%'")
        for path in ("/", "/Users", "/Shared", f"/Users/{user}"):
            if not store.query("SELECT 1 FROM files WHERE path = ?", (path,)):
                _put(store, path, "DIRECTORY", "", "", now)


def canonical(value: Any) -> str:
    """The path the workspace keeps for `value`: slashes collapsed, no trailing one, and no
    `/Workspace` prefix."""
    text = str(value or "")
    if not text.startswith("/"):
        raise invalid(f"Path ({text}) must be an absolute path starting with /.")
    if len(text) > MAX_PATH_CHARS:
        raise invalid(f"Path is {len(text)} characters long; the limit is {MAX_PATH_CHARS}.")
    path = re.sub("/+", "/", text).rstrip("/") or "/"
    if path.count("/") > MAX_PATH_DEPTH:
        raise invalid(f"Path has {path.count('/')} levels; the limit is {MAX_PATH_DEPTH}.")
    if path == "/Workspace":
        return "/"
    return path[len("/Workspace") :] if path.startswith("/Workspace/") else path


def _parents(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]


def _object_id(path: str) -> int:
    """A stable numeric id per path (48 bits: exact in JavaScript too)."""
    return int(hashlib.sha1(path.encode()).hexdigest()[:12], 16)


def _put(store: Store, path: str, kind: str, content: str, language: str, now: int) -> None:
    """Write one object; a file written again keeps its created_at."""
    store.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (path, kind, content))
    store.execute(
        "INSERT INTO file_meta VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
        "language = excluded.language, modified_ms = excluded.modified_ms",
        (path, language, now, now),
    )


def lookup(store: Store, value: Any) -> Any:
    """The object at `value` (any spelling of its path), or None."""
    rows = store.query(
        "SELECT f.path, f.kind, f.content, m.language, m.created_ms, m.modified_ms FROM files f "
        "LEFT JOIN file_meta m ON m.path = f.path WHERE f.path = ?",
        (canonical(value),),
    )
    return rows[0] if rows else None


def _found(store: Store, value: Any) -> Any:
    row = lookup(store, value)
    if row is None:
        raise not_found(f"Path ({value}) doesn't exist.")
    return row


def mkdirs(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    path = canonical(body.get("path"))
    now = store.now()
    with store.lock:
        for directory in [*_parents(path), path]:
            rows = store.query("SELECT kind FROM files WHERE path = ?", (directory,))
            if rows and rows[0]["kind"] != "DIRECTORY":
                raise ApiError(
                    400,
                    "RESOURCE_ALREADY_EXISTS",
                    f"Cannot create directory {directory}: a file exists there.",
                )
            if not rows:
                _put(store, directory, "DIRECTORY", "", "", now)
    return {}


def _jupyter_language(data: bytes) -> str | None:
    """The language of a Jupyter notebook's JSON, or None when `data` is not one."""
    try:
        notebook = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None
    metadata: Any = notebook.get("metadata")
    info: Any = metadata.get("language_info") if isinstance(metadata, dict) else None
    info = info if isinstance(info, dict) else {}
    language = str(info.get("name") or "python").upper()
    return language if language in LANGUAGES else "PYTHON"


def _notebook(path: str, data: bytes) -> tuple[str, str] | None:
    """(path without extension, language) when AUTO makes this file a notebook: a source file
    with its mark, or a Jupyter `.ipynb` (imported as a notebook, as the Databricks CLI's sync
    expects of Jupyter files: databricks/cli libs/filer/workspace_files_extensions_client.go)."""
    stem, dot, extension = path.rpartition(".")
    if dot and extension.lower() == "ipynb" and "/" not in extension:
        language = _jupyter_language(data)
        return (stem, language) if language else None
    mark = NOTEBOOK_MARKS.get(f".{extension.lower()}") if dot and "/" not in extension else None
    if mark is None or not data.startswith(mark[1]):
        return None
    return stem, mark[0]


def _write(
    store: Store, given: Any, data: bytes, *, overwrite: bool, form: str, language: str = ""
) -> dict[str, Any]:
    """Import `data` at `given` as `form` dictates: RAW a file, AUTO (and import-file) a file or,
    by its mark, a notebook, SOURCE a notebook in `language`."""
    path, kind = canonical(given), "FILE"
    if form in ("AUTO", "import-file"):
        notebook = _notebook(path, data)
        if notebook is not None:
            (path, language), kind = notebook, "NOTEBOOK"
    elif form == "SOURCE":
        if language not in LANGUAGES:
            raise invalid(f"The language is required to import {given} as SOURCE.")
        kind = "NOTEBOOK"
    with store.lock:
        existing = store.query("SELECT kind FROM files WHERE path = ?", (path,))
        if existing and (existing[0]["kind"] not in ("FILE", "NOTEBOOK") or not overwrite):
            if existing[0]["kind"] == "FILE" and kind == "FILE" and form == "import-file":
                # import-file's own refusal, the one the Databricks CLI's deploy lock relies on.
                raise ApiError(409, "RESOURCE_ALREADY_EXISTS", f"File already exists at ({path}).")
            if existing[0]["kind"] == "NOTEBOOK" and form == "import-file":
                # Over a notebook, import-file answers 400 with no error_code (databricks/cli
                # libs/filer/workspace_files_client.go: "the JSON error_code is empty").
                raise ApiError(400, "", f"Path ({path}) already exists.")
            raise ApiError(400, "RESOURCE_ALREADY_EXISTS", f"Path ({path}) already exists.")
        for parent in _parents(path):
            rows = store.query("SELECT kind FROM files WHERE path = ?", (parent,))
            if not rows or rows[0]["kind"] != "DIRECTORY":
                raise not_found(f"The parent folder ({parent}) does not exist.")
        _put(
            store,
            path,
            kind,
            base64.b64encode(data).decode(),
            language if kind == "NOTEBOOK" else "",
            store.now(),
        )
    return {}


def import_file(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """POST workspace/import: base64 `content` (JSON, or the multipart form's file part)."""
    content = str(body.get("content") or "")
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("The content must be base64-encoded.") from None
    form = str(body.get("format") or "SOURCE").upper()
    if form not in ("AUTO", "SOURCE", "RAW"):
        raise invalid(f"Format {form} is not supported by this emulator (AUTO, SOURCE or RAW).")
    if form == "SOURCE" and not body.get("language"):
        # Without a language SOURCE imports a directory archive; a single file needs one (the
        # SDK's workspace.import_ docs: "To import a single file as SOURCE, you must set the
        # language field").
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise invalid(f"To import {body.get('path')} as SOURCE, the language is required.")
        raise invalid("Importing a directory archive is not supported by this emulator.")
    overwrite = body.get("overwrite") is True or str(body.get("overwrite")).lower() == "true"
    return _write(
        store,
        body.get("path"),
        data,
        overwrite=overwrite,
        form=form,
        language=str(body.get("language") or ""),
    )


def import_raw(store: Store, path: str, data: bytes, query: dict[str, str]) -> dict[str, Any]:
    """POST workspace-files/import-file/{path}: the request's body is the file's bytes, its path
    percent-encoded in the URL (with or without a leading slash)."""
    overwrite = query.get("overwrite", "false").lower() == "true"
    return _write(store, "/" + path.lstrip("/"), data, overwrite=overwrite, form="import-file")


def _info(row: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "path": row["path"],
        "object_type": row["kind"],
        "object_id": _object_id(row["path"]),
        "resource_id": str(_object_id(row["path"])),
    }
    if row["created_ms"]:
        info["created_at"] = row["created_ms"]
        info["modified_at"] = row["modified_ms"]
    if row["kind"] == "FILE":
        info["size"] = len(base64.b64decode(row["content"] or ""))
    if row["kind"] == "NOTEBOOK" and row["language"]:
        info["language"] = row["language"]
    return info


def get_status(store: Store, query: dict[str, str]) -> dict[str, Any]:
    return _info(_found(store, query.get("path", "")))


def export(store: Store, query: dict[str, str]) -> dict[str, Any] | RawResponse:
    """The file's content: base64 in JSON, or (direct_download=true) its bytes as the body."""
    row = _found(store, query.get("path", ""))
    if row["kind"] == "DIRECTORY":
        return _export_directory(store, row["path"], query)
    if query.get("direct_download", "").lower() == "true":
        return RawResponse(base64.b64decode(row["content"] or ""))
    return {
        "content": row["content"],
        "file_type": "" if row["kind"] == "FILE" else _extension(row["language"]),
    }


def _export_directory(store: Store, path: str, query: dict[str, str]) -> dict[str, Any] | RawResponse:
    """A folder exports as an archive, whatever the format asked among SOURCE, DBC and AUTO (the
    SDK's workspace.export docs; databricks/cli libs/filer/workspace_files_client.go: "returns
    the directory as a DBC archive even if format SOURCE is specified"). AUTO keeps files too."""
    form = (query.get("format") or "SOURCE").upper()
    if form not in ("SOURCE", "DBC", "AUTO"):
        raise invalid(
            f"Exporting a directory is only supported for the DBC, SOURCE and AUTO formats, not {form}."
        )
    buffer = io.BytesIO()
    prefix = path.rstrip("/") + "/"
    rows = store.query(
        "SELECT f.path, f.kind, f.content, m.language FROM files f LEFT JOIN file_meta m "
        "ON m.path = f.path WHERE f.path LIKE ? ESCAPE '\\' ORDER BY f.path",
        (_like(prefix) + "%",),
    )
    with zipfile.ZipFile(buffer, "w") as archive:
        for row in rows:
            name = row["path"][len(prefix) :]
            if row["kind"] == "NOTEBOOK":
                name += "." + (_extension(row["language"]) or "py")
            elif row["kind"] != "FILE" or form != "AUTO":
                continue
            archive.writestr(name, base64.b64decode(row["content"] or ""))
    data = buffer.getvalue()
    if query.get("direct_download", "").lower() == "true":
        return RawResponse(data)
    return {"content": base64.b64encode(data).decode(), "file_type": "dbc"}


def export_raw(store: Store, path: str) -> RawResponse:
    """GET workspace-files/{path}: a file's bytes, with no 10 MB export limit (the Databricks CLI
    reads its deployment state this way). Notebooks and folders are not files here."""
    row = lookup(store, "/" + path.lstrip("/"))
    if row is None or row["kind"] != "FILE":
        raise not_found(f"File Not Found: /{path.lstrip('/')}")
    return RawResponse(base64.b64decode(row["content"] or ""))


def _extension(language: str | None) -> str:
    return {"PYTHON": "py", "SQL": "sql", "SCALA": "scala", "R": "r"}.get(language or "", "")


def _children(store: Store, path: str) -> list[Any]:
    prefix = path.rstrip("/") + "/"
    rows = store.query(
        "SELECT f.path, f.kind, f.content, m.language, m.created_ms, m.modified_ms FROM files f "
        "LEFT JOIN file_meta m ON m.path = f.path WHERE f.path LIKE ? ESCAPE '\\' ORDER BY f.path",
        (_like(prefix) + "%",),
    )
    return [r for r in rows if r["path"] != "/" and "/" not in r["path"][len(prefix) :]]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_objects(store: Store, query: dict[str, str]) -> dict[str, Any]:
    row = _found(store, query.get("path", ""))
    if row["kind"] != "DIRECTORY":
        return {"objects": [_info(row)]}
    objects = [_info(r) for r in _children(store, row["path"])]
    return {"objects": objects} if objects else {}


def delete(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    given = body.get("path", "")
    with store.lock:
        row = _found(store, given)
        path = row["path"]
        if path == "/":
            raise invalid("The workspace's root folder cannot be deleted.")
        if row["kind"] == "DIRECTORY" and not body.get("recursive") and _children(store, path):
            raise ApiError(
                400,
                "DIRECTORY_NOT_EMPTY",
                f"Folder ({path}) is not empty. Use recursive delete or remove contents first.",
            )
        below = _like(path + "/") + "%"
        for table in ("files", "file_meta"):
            store.execute(f"DELETE FROM {table} WHERE path = ? OR path LIKE ? ESCAPE '\\'", (path, below))
    return {}
