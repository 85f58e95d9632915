"""The embedded default: one SQLite file, in WAL mode so that several processes on one host
(the compose services) share it. aiosqlite runs every statement on its own thread, so the event
loop never waits on the disk. Expired rows are deleted by `sweep()`, which the service runs
periodically (service.py)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import aiosqlite

from .base import LANGUAGE_SECONDS, StateError

SCHEMA = """
CREATE TABLE IF NOT EXISTS languages (
    user_key TEXT PRIMARY KEY, language TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS windows (
    key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL);
"""
TABLES = ("languages", "seen", "windows", "locks")


class SqliteState:
    backend = "sqlite"

    def __init__(self, db: aiosqlite.Connection, path: Path):
        self._db = db
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> SqliteState:
        """Open (or create) the file; StateError naming the path if it cannot be used."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: each statement is its own short transaction.
            db = await aiosqlite.connect(path, isolation_level=None, timeout=5.0)
        except (OSError, sqlite3.Error) as error:
            raise StateError(f"cannot open the state file {path}: {_why(error)}") from None
        try:
            await db.execute("PRAGMA busy_timeout = 5000")  # wait for another process's write
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.executescript(SCHEMA)
        except sqlite3.Error as error:
            await db.close()
            raise StateError(f"cannot use the state file {path}: {_why(error)}") from None
        return cls(db, path)

    async def get_language(self, user_key: str) -> str | None:
        async with self._db.execute(
            "SELECT language FROM languages WHERE user_key = ? AND expires > ?",
            (user_key, time.time()),
        ) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def set_language(self, user_key: str, language: str) -> None:
        await self._db.execute(
            "INSERT INTO languages (user_key, language, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET language = excluded.language, "
            "expires = excluded.expires",
            (user_key, language, time.time() + LANGUAGE_SECONDS),
        )

    async def first_time(self, key: str, ttl: float) -> bool:
        now = time.time()
        # Inserted, or an expired row taken over: one row changed. Seen and live: none.
        cursor = await self._db.execute(
            "INSERT INTO seen (key, expires) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE seen.expires <= ?",
            (key, now + ttl, now),
        )
        return cursor.rowcount == 1

    async def count_in_window(self, key: str, window: float) -> int:
        now = time.time()
        async with self._db.execute(
            "INSERT INTO windows (key, count, expires) VALUES (:key, 1, :ends) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN windows.expires <= :now THEN 1 ELSE windows.count + 1 END, "
            "expires = CASE WHEN windows.expires <= :now THEN :ends ELSE windows.expires END "
            "RETURNING count",
            {"key": key, "ends": now + window, "now": now},
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 1

    async def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        now = time.time()
        cursor = await self._db.execute(
            "INSERT INTO locks (name, owner, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires "
            "WHERE locks.expires <= ? OR locks.owner = excluded.owner",
            (name, owner, now + ttl, now),
        )
        return cursor.rowcount == 1

    async def sweep(self) -> int:
        now = time.time()
        removed = 0
        for table in TABLES:
            cursor = await self._db.execute(f"DELETE FROM {table} WHERE expires <= ?", (now,))
            removed += max(cursor.rowcount, 0)
        return removed

    async def count_rows(self) -> dict[str, int]:
        """Rows per table, expired ones included (for tests and operators)."""
        counts = {}
        for table in TABLES:
            async with self._db.execute(f"SELECT count(*) FROM {table}") as cursor:
                row = await cursor.fetchone()
            counts[table] = int(row[0]) if row else 0
        return counts

    async def ping(self) -> None:
        await self._db.execute("SELECT 1")

    async def close(self) -> None:
        await self._db.close()


def _why(error: BaseException) -> str:
    return str(error) or type(error).__name__
