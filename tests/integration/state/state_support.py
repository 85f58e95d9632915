"""Helpers of the state tests."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from iombot.bots.state.sqlite_store import SqliteState


def key() -> str:
    return uuid.uuid4().hex  # the Redis server is shared by the tests of a module


@contextlib.asynccontextmanager
async def locked_sqlite(path: Path) -> AsyncIterator[tuple[SqliteState, sqlite3.Connection]]:
    """A SQLite store, and another connection holding the file's write lock, as another
    process would (`COMMIT` on it lets the store write)."""
    state = await SqliteState.open(path)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        yield state, blocker
    finally:
        blocker.close()
        await state.close()
