"""SQLite state of the emulated workspace: pipelines, jobs, runs and workspace files, and the
Unity Catalog sharing securables (every one keyed by its metastore, so that two emulators on one
file are two metastores that see each other's sharing)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS pipelines (id TEXT PRIMARY KEY, name TEXT NOT NULL, spec TEXT NOT NULL,
    creator TEXT NOT NULL, created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS pipelines_name ON pipelines(name);
CREATE TABLE IF NOT EXISTS jobs (job_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
    settings TEXT NOT NULL, creator TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_name ON jobs(name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL,
    number_in_job INTEGER NOT NULL, start_ms INTEGER NOT NULL, trigger TEXT NOT NULL,
    outcome TEXT NOT NULL, params TEXT NOT NULL, canceled INTEGER NOT NULL DEFAULT 0,
    token TEXT);
CREATE INDEX IF NOT EXISTS runs_job ON runs(job_id);
CREATE TABLE IF NOT EXISTS updates (update_id TEXT PRIMARY KEY, pipeline_id TEXT NOT NULL,
    run_id INTEGER, created_ms INTEGER NOT NULL, full_refresh INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS acls (object_type TEXT NOT NULL, object_id TEXT NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (object_type, object_id));
CREATE TABLE IF NOT EXISTS update_stops (update_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS update_failures (update_id TEXT PRIMARY KEY, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, kind TEXT NOT NULL, content TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outcomes (job_id INTEGER PRIMARY KEY, outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uc_metastores (metastore_id TEXT PRIMARY KEY, global_id TEXT NOT NULL,
    name TEXT NOT NULL, organization TEXT NOT NULL, cloud TEXT NOT NULL, region TEXT NOT NULL,
    created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS uc_shares (metastore_id TEXT NOT NULL, name TEXT NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (metastore_id, name));
CREATE TABLE IF NOT EXISTS uc_recipients (metastore_id TEXT NOT NULL, name TEXT NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (metastore_id, name));
CREATE TABLE IF NOT EXISTS uc_grants (metastore_id TEXT NOT NULL, share TEXT NOT NULL,
    recipient TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY (metastore_id, share, recipient));
CREATE TABLE IF NOT EXISTS uc_catalogs (metastore_id TEXT NOT NULL, name TEXT NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (metastore_id, name));
CREATE TABLE IF NOT EXISTS file_meta (path TEXT PRIMARY KEY, language TEXT NOT NULL,
    created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL);
"""


def now_ms() -> int:
    return int(time.time() * 1000)


def _private_file(path: str) -> None:
    """The state holds recipients' activation URLs and tokens: readable by its user only (SQLite
    gives its -wal and -shm files the mode of the database file)."""
    import contextlib
    import os

    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with contextlib.suppress(PermissionError):  # another user's file: theirs to keep private
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class Store:
    """One connection guarded by a lock: SQLite serialises writers anyway, and requests are short."""

    def __init__(self, path: str) -> None:
        self.lock = threading.RLock()
        # Runs age by this clock, so tests can move a run through its life cycle without waiting.
        self.clock_offset_ms = 0
        # Whether `\` escapes the next character in a pipelines `name LIKE` filter (unmeasured).
        self.like_backslash_escapes = True
        if path != ":memory:":
            _private_file(path)
        # A writer on the same file (another emulator, another process) is waited for, not failed.
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self.db.row_factory = sqlite3.Row
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing, and serialised with other processes (and emulators) on the same file."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def now(self) -> int:
        return now_ms() + self.clock_offset_ms

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return list(self.db.execute(sql, args))

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        with self.lock:
            cursor = self.db.execute(sql, args)
            return int(cursor.lastrowid or 0)

    # -- pipelines ----------------------------------------------------------------------
    def add_pipeline(self, spec: dict[str, Any], creator: str) -> str:
        pipeline_id = str(uuid.uuid4())
        stamp = now_ms()
        self.execute(
            "INSERT INTO pipelines VALUES (?, ?, ?, ?, ?, ?)",
            (pipeline_id, spec["name"], json.dumps(spec), creator, stamp, stamp),
        )
        return pipeline_id

    def pipeline(self, pipeline_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM pipelines WHERE id = ?", (pipeline_id,))
        return rows[0] if rows else None

    # -- jobs ---------------------------------------------------------------------------
    def add_job(self, settings: dict[str, Any], creator: str) -> int:
        return self.execute(
            "INSERT INTO jobs (name, settings, creator, created_ms) VALUES (?, ?, ?, ?)",
            (settings.get("name", "Untitled"), json.dumps(settings), creator, now_ms()),
        )

    def job(self, job_id: int) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return rows[0] if rows else None

    def set_job(self, job_id: int, settings: dict[str, Any]) -> None:
        self.execute(
            "UPDATE jobs SET name = ?, settings = ? WHERE job_id = ?",
            (settings.get("name", "Untitled"), json.dumps(settings), job_id),
        )
