"""A store that never takes the bot down with it.

When the store fails (Redis lost, the disk full), each call falls back to this process's memory:
the profiles this process updated (as the store returned them; the defaults for users not
updated here), dedupe and flood limits per process. The failure is logged once and counted;
health shows the store as down; after a short pause the store is tried again, and the first call
that succeeds brings it back (logged once too).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from .base import Profile, ProfileError, Record, StateStore
from .memory import MemoryState

log = logging.getLogger("iombot.state")

T = TypeVar("T")
RETRY_SECONDS = 2.0  # after a failure, calls go straight to memory for this long


class ResilientState:
    def __init__(
        self,
        store: StateStore,
        where: str,
        on_error: Callable[[], None] = lambda: None,
        retry_seconds: float = RETRY_SECONDS,
    ):
        self.store = store
        self.backend = store.backend
        self.where = where
        self.local = MemoryState()
        self._on_error = on_error
        self._retry_seconds = retry_seconds
        self._retry_at = 0.0
        self.up = True
        self.error: str | None = None
        self.down_since: float | None = None

    async def _call(self, name: str, args: tuple, fallback: Callable[..., Awaitable[T]]) -> T:
        if not self.up and time.monotonic() < self._retry_at:
            return await fallback(*args)
        try:
            result = await getattr(self.store, name)(*args)
        except ProfileError:
            raise  # the caller's mistake (a profile too large): the store is fine
        except Exception as error:  # any failure of the store: serve from memory
            self._failed(error)
            return await fallback(*args)
        if not self.up:
            log.warning("state store %s %s is back", self.backend, self.where)
            self.up, self.error, self.down_since = True, None, None
        return result

    def _failed(self, error: BaseException) -> None:
        self._on_error()
        self._retry_at = time.monotonic() + self._retry_seconds
        if self.up:  # logged once per outage
            log.error(
                "state store %s %s failed (%s); serving from memory until it is back",
                self.backend,
                self.where,
                type(error).__name__,
            )
            self.up, self.error, self.down_since = False, type(error).__name__, time.time()

    def health(self) -> dict[str, Any]:
        return {
            "up": self.up,
            "backend": self.backend,
            "where": self.where,
            "error": self.error,
            "down_since": self.down_since,
        }

    async def get_profile(self, user_key: str) -> Profile:
        return await self._call("get_profile", (user_key,), self.local.get_profile)

    async def update_profile(self, user_key: str, changes: Profile) -> Profile:
        profile = await self._call("update_profile", (user_key, changes), self.local.update_profile)
        self.local.keep_profile(user_key, profile)  # the whole record kept here, for an outage
        return profile

    async def first_time(self, key: str, ttl: float) -> bool:
        return await self._call("first_time", (key, ttl), self.local.first_time)

    async def count_in_window(self, key: str, window: float) -> int:
        return await self._call("count_in_window", (key, window), self.local.count_in_window)

    async def note_message(
        self, window_key: str, window: float, user_key: str | None
    ) -> tuple[int, Profile]:
        return await self._call(
            "note_message", (window_key, window, user_key), self.local.note_message
        )

    async def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        return await self._call("acquire_lock", (name, owner, ttl), _refuse)

    # Records and numbers fall back to memory too: the bot goes on with what this process knows.
    # Records written during an outage stay here (not in the store), and numbers given out here
    # may repeat the store's: good enough to go on, not to rely on.
    async def put_record(self, kind: str, key: str, fields: Record, ttl: float) -> None:
        await self._call("put_record", (kind, key, fields, ttl), self.local.put_record)

    async def put_records(self, records: Sequence[tuple[str, str, Record]], ttl: float) -> None:
        await self._call("put_records", (records, ttl), self.local.put_records)

    async def get_record(self, kind: str, key: str) -> Record | None:
        return await self._call("get_record", (kind, key), self.local.get_record)

    async def delete_record(self, kind: str, key: str) -> None:
        # Forgotten here too: one put here during an outage must not come back in the next.
        await self.local.delete_record(kind, key)
        await self._call("delete_record", (kind, key), _nothing)

    async def list_records(self, kind: str) -> list[Record]:
        return await self._call("list_records", (kind,), self.local.list_records)

    async def add_count(self, kind: str, key: str, ttl: float, amount: int = 1) -> None:
        await self._call("add_count", (kind, key, ttl, amount), self.local.add_count)

    async def list_counts(self, kind: str) -> dict[str, int]:
        return await self._call("list_counts", (kind,), self.local.list_counts)

    async def next_number(self, name: str) -> int:
        return await self._call("next_number", (name,), self.local.next_number)

    async def sweep(self) -> int:
        return await self._call("sweep", (), _zero)

    async def ping(self) -> None:
        await self._call("ping", (), _nothing)

    async def close(self) -> None:
        try:
            await self.store.close()
        except Exception as error:
            log.warning("closing the state store failed (%s)", type(error).__name__)


async def _nothing(*args: Any) -> None:
    return None


async def _refuse(*args: Any) -> bool:
    return False  # without the shared store, no replica may assume it runs a job alone


async def _zero(*args: Any) -> int:
    return 0
