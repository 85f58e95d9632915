"""The embedded default: one SQLite file, in WAL mode so that several processes on one host
(the compose services) share it.

Two connections, so that the event loop never waits on the file:
- the fast one runs a statement on the loop only when it cannot wait: `busy_timeout` 0 (if
  another process holds the write lock, SQLite says BUSY at once instead of waiting) and no
  automatic checkpoint (the one step of a commit that syncs the disk). In WAL mode with
  `synchronous=NORMAL` a commit is then a write into the page cache, like a log line.
- the slow one, on a thread of its own (worker.py), takes what would wait: a statement that
  met BUSY, the periodic checkpoint, the sweep of expired rows, opening the file.
The fast path costs about 75 µs of CPU per message in the Telegram bench, against about 460 µs
when every statement hops to a thread (bench/telegram_throughput.py, 2026-11-29).

A profile is one row of JSON per user (`profiles`); an update reads, merges and writes it in
one IMMEDIATE transaction, so two processes' updates never lose each other's keys. A file made
before profiles (a `languages` table) has its live choices copied into profiles as
{"language": …} when it is first opened, and that table dropped.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from .base import (
    PROFILE_SECONDS,
    Profile,
    Record,
    StateError,
    check_changes,
    decode_profile,
    decode_record,
    encode_profile,
    encode_record,
    merge_profile,
)
from .worker import Worker

log = logging.getLogger("iombot.state")

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    user_key TEXT PRIMARY KEY, data TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS windows (
    key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counts (
    kind TEXT NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (kind, key));
"""
# The tables whose rows expire: swept and counted. (Sequences never expire: not among them.)
TABLES = ("profiles", "seen", "windows", "locks", "records", "counts")
CHECKPOINT_EVERY = 500  # fast writes between two checkpoints (on the thread, never waiting)
_WAITING = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)

GET_PROFILE = "SELECT data FROM profiles WHERE user_key = ? AND expires > ?"
PUT_PROFILE = (
    "INSERT INTO profiles (user_key, data, expires) VALUES (?, ?, ?) "
    "ON CONFLICT (user_key) DO UPDATE SET data = excluded.data, expires = excluded.expires"
)
DELETE_PROFILE = "DELETE FROM profiles WHERE user_key = ?"
# Before profiles, the language choice had a table of its own.
OLD_LANGUAGES = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'languages'"
# Inserted, or an expired row taken over: one row changed. Seen and still live: none.
FIRST_TIME = (
    "INSERT INTO seen (key, expires) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE seen.expires <= ?"
)
COUNT = (
    "INSERT INTO windows (key, count, expires) VALUES (:key, 1, :ends) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN windows.expires <= :now THEN 1 ELSE windows.count + 1 END, "
    "expires = CASE WHEN windows.expires <= :now THEN :ends ELSE windows.expires END "
    "RETURNING count"
)
LOCK = (
    "INSERT INTO locks (name, owner, expires) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires "
    "WHERE locks.expires <= ? OR locks.owner = excluded.owner"
)

PUT_RECORD = (
    "INSERT INTO records (kind, key, value, expires) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires = excluded.expires"
)
GET_RECORD = "SELECT value FROM records WHERE kind = ? AND key = ? AND expires > ?"
DELETE_RECORD = "DELETE FROM records WHERE kind = ? AND key = ?"
LIST_RECORDS = "SELECT value FROM records WHERE kind = ? AND expires > ?"
# Like a flood window: one more, or 1 again in a fresh row when the old one has expired.
ADD_COUNT = (
    "INSERT INTO counts (kind, key, count, expires) VALUES (:kind, :key, :amount, :ends) "
    "ON CONFLICT (kind, key) DO UPDATE SET "
    "count = CASE WHEN counts.expires <= :now THEN :amount ELSE counts.count + :amount END, "
    "expires = CASE WHEN counts.expires <= :now THEN :ends ELSE counts.expires END"
)
LIST_COUNTS = "SELECT key, count FROM counts WHERE kind = ? AND expires > ?"
# One statement, so atomic across processes: each caller gets a number of its own.
NEXT_NUMBER = (
    "INSERT INTO sequences (name, value) VALUES (?, 1) "
    "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value"
)


class SqliteState:
    backend = "sqlite"

    def __init__(
        self, fast: sqlite3.Connection, slow: sqlite3.Connection, path: Path, worker: Worker
    ):
        self._fast = fast
        self._slow = slow
        self.path = path
        self._worker = worker
        self._writes = 0
        self.waited = 0  # statements that met another process's lock and went to the thread
        self.profile_seconds = PROFILE_SECONDS  # (tests shorten it)

    @classmethod
    async def open(cls, path: Path) -> SqliteState:
        """Open (or create) the file; StateError naming the path if it cannot be used."""
        worker = Worker("iombot-sqlite")
        try:
            slow = await worker.call(_connect, path, 5.0)
            await worker.call(_migrate, slow, path)
            fast = await worker.call(_connect, path, 0.0)
        except StateError:
            worker.stop()
            raise
        fast.execute("PRAGMA wal_autocheckpoint = 0")  # the thread checkpoints (see _wrote)
        return cls(fast, slow, path, worker)

    async def _do(
        self, operation: Callable[..., T], *args: object, write: bool = True, writes: int = 1
    ) -> T:
        """`operation(connection, *args)` on the loop if it need not wait, else on the thread."""
        try:
            result = operation(self._fast, *args)
        except sqlite3.OperationalError as error:
            code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # BUSY_SNAPSHOT and the like too
            if code not in _WAITING:
                raise
            self.waited += 1  # one statement is atomic: nothing was written, so do it again
            result = await self._worker.call(operation, self._slow, *args)
        if write:
            self._wrote(writes)
        return result

    def _wrote(self, writes: int = 1) -> None:
        """`writes` rows more; a checkpoint each time CHECKPOINT_EVERY more were written (a
        batch counts its rows: the WAL grows with them)."""
        before = self._writes
        self._writes += writes
        if self._writes // CHECKPOINT_EVERY > before // CHECKPOINT_EVERY:
            self._worker.submit(_checkpoint, self._slow)

    # --- the statements, given a connection ----------------------------------------------------

    @staticmethod
    def _get_profile(db: sqlite3.Connection, user_key: str) -> str | None:
        row = db.execute(GET_PROFILE, (user_key, time.time())).fetchone()
        return row[0] if row else None

    def _update_profile(self, db: sqlite3.Connection, user_key: str, changes: Profile) -> Profile:
        # Read, merge and write under the write lock: no other process writes in between. BUSY
        # (another process holds the lock) rolls back what little was done: _do runs it again.
        with _transaction(db):
            stored = self._decode(self._get_profile(db, user_key), user_key)
            profile = merge_profile(stored, changes)
            if profile:
                expires = time.time() + self.profile_seconds
                db.execute(PUT_PROFILE, (user_key, encode_profile(profile), expires))
            else:
                db.execute(DELETE_PROFILE, (user_key,))
        return profile

    @staticmethod
    def _count(db: sqlite3.Connection, key: str, window: float) -> int:
        now = time.time()
        row = db.execute(COUNT, {"key": key, "ends": now + window, "now": now}).fetchone()
        return int(row[0]) if row else 1

    @staticmethod
    def _first_time(db: sqlite3.Connection, key: str, ttl: float) -> bool:
        now = time.time()
        return db.execute(FIRST_TIME, (key, now + ttl, now)).rowcount == 1

    @staticmethod
    def _lock(db: sqlite3.Connection, name: str, owner: str, ttl: float) -> bool:
        now = time.time()
        return db.execute(LOCK, (name, owner, now + ttl, now)).rowcount == 1

    @staticmethod
    def _put_record(db: sqlite3.Connection, kind: str, key: str, value: str, ttl: float) -> None:
        db.execute(PUT_RECORD, (kind, key, value, time.time() + ttl))

    @staticmethod
    def _put_records(db: sqlite3.Connection, rows: list[tuple[str, str, str, float]]) -> None:
        # One transaction, one commit: BUSY at BEGIN (another process writes) has written
        # nothing, and _do runs it again on the thread.
        with _transaction(db):
            db.executemany(PUT_RECORD, rows)

    @staticmethod
    def _get_record(db: sqlite3.Connection, kind: str, key: str) -> str | None:
        row = db.execute(GET_RECORD, (kind, key, time.time())).fetchone()
        return row[0] if row else None

    @staticmethod
    def _delete_record(db: sqlite3.Connection, kind: str, key: str) -> None:
        db.execute(DELETE_RECORD, (kind, key))

    @staticmethod
    def _list_records(db: sqlite3.Connection, kind: str) -> list[str]:
        return [row[0] for row in db.execute(LIST_RECORDS, (kind, time.time()))]

    @staticmethod
    def _add_count(db: sqlite3.Connection, kind: str, key: str, ttl: float, amount: int) -> None:
        now = time.time()
        values = {"kind": kind, "key": key, "ends": now + ttl, "now": now, "amount": amount}
        db.execute(ADD_COUNT, values)

    @staticmethod
    def _list_counts(db: sqlite3.Connection, kind: str) -> dict[str, int]:
        return dict(db.execute(LIST_COUNTS, (kind, time.time())).fetchall())

    @staticmethod
    def _next_number(db: sqlite3.Connection, name: str) -> int:
        return int(db.execute(NEXT_NUMBER, (name,)).fetchone()[0])

    @staticmethod
    def _sweep(db: sqlite3.Connection) -> int:
        now = time.time()
        return sum(
            max(db.execute(f"DELETE FROM {table} WHERE expires <= ?", (now,)).rowcount, 0)
            for table in TABLES
        )

    # --- the interface -------------------------------------------------------------------------

    def _decode(self, value: str | None, user_key: str) -> Profile:
        return decode_profile(value, user_key, self.backend)

    async def get_profile(self, user_key: str) -> Profile:
        return self._decode(await self._do(self._get_profile, user_key, write=False), user_key)

    async def update_profile(self, user_key: str, changes: Profile) -> Profile:
        check_changes(changes)
        return await self._do(self._update_profile, user_key, changes)

    async def note_message(
        self, window_key: str, window: float, user_key: str | None
    ) -> tuple[int, Profile]:
        count = await self._do(self._count, window_key, window)
        if not user_key:
            return count, {}
        return count, await self.get_profile(user_key)

    async def first_time(self, key: str, ttl: float) -> bool:
        return await self._do(self._first_time, key, ttl)

    async def count_in_window(self, key: str, window: float) -> int:
        return await self._do(self._count, key, window)

    async def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        return await self._do(self._lock, name, owner, ttl)

    async def put_record(self, kind: str, key: str, fields: Record, ttl: float) -> None:
        await self._do(self._put_record, kind, key, encode_record(fields), ttl)

    async def put_records(self, records: Sequence[tuple[str, str, Record]], ttl: float) -> None:
        if not records:
            return
        expires = time.time() + ttl
        rows = [(kind, key, encode_record(fields), expires) for kind, key, fields in records]
        await self._do(self._put_records, rows, writes=len(rows))

    async def get_record(self, kind: str, key: str) -> Record | None:
        value = await self._do(self._get_record, kind, key, write=False)
        return decode_record(value) if value is not None else None

    async def delete_record(self, kind: str, key: str) -> None:
        await self._do(self._delete_record, kind, key)

    async def list_records(self, kind: str) -> list[Record]:
        values = await self._do(self._list_records, kind, write=False)
        return [decode_record(value) for value in values]

    async def add_count(self, kind: str, key: str, ttl: float, amount: int = 1) -> None:
        await self._do(self._add_count, kind, key, ttl, amount)

    async def list_counts(self, kind: str) -> dict[str, int]:
        return await self._do(self._list_counts, kind, write=False)

    async def next_number(self, name: str) -> int:
        return await self._do(self._next_number, name)

    async def sweep(self) -> int:
        removed = await self._worker.call(self._sweep, self._slow)
        await self._worker.call(_checkpoint, self._slow)
        return removed

    async def count_rows(self) -> dict[str, int]:
        """Rows per table, expired ones included (for tests and operators)."""

        def count(db: sqlite3.Connection) -> dict[str, int]:
            return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}

        return await self._worker.call(count, self._slow)

    async def ping(self) -> None:
        await self._worker.call(self._slow.execute, "SELECT 1")

    async def close(self) -> None:
        self._fast.close()
        await self._worker.call(self._slow.close)
        self._worker.stop()


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: each statement is its own short transaction.
        db = sqlite3.connect(
            path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
        )
    except (OSError, sqlite3.Error) as error:
        raise StateError(f"cannot open the state file {path}: {_why(error)}") from None
    try:
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(SCHEMA)
    except sqlite3.Error as error:
        db.close()
        raise StateError(f"cannot use the state file {path}: {_why(error)}") from None
    return db


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """A file from before profiles: copy its live language choices into profiles, once, then
    drop the old table (in one transaction: two processes opening the file do it once)."""
    if db.execute(OLD_LANGUAGES).fetchone() is None:
        return
    try:
        with _transaction(db):
            if db.execute(OLD_LANGUAGES).fetchone() is None:  # done meanwhile by another process
                return
            rows = db.execute(
                "SELECT user_key, language, expires FROM languages WHERE expires > ?",
                (time.time(),),
            ).fetchall()
            db.executemany(
                "INSERT INTO profiles (user_key, data, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (user_key) DO NOTHING",
                [(user, encode_profile({"language": lang}), ends) for user, lang, ends in rows],
            )
            db.execute("DROP TABLE languages")
    except sqlite3.Error as error:
        raise StateError(f"cannot update the state file {path}: {_why(error)}") from None
    log.info("state file %s: %d language choices moved into profiles", path, len(rows))


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE (the write lock from the start) … COMMIT; rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _checkpoint(db: sqlite3.Connection) -> None:
    # PASSIVE: copies what it can without waiting for readers or writers.
    db.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _why(error: BaseException) -> str:
    return str(error) or type(error).__name__
