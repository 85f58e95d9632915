"""The state store in this process's memory, each table bounded: what a restart forgets.

Used by tests and benches (IOMBOT_STATE_URL=memory://), and as the local fallback while a
shared store is unreachable (resilient.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..bounded import BoundedMap
from .base import LANGUAGE_SECONDS, Record, decode_record, encode_record


class MemoryState:
    backend = "memory"

    def __init__(
        self,
        users: int = 100_000,
        events: int = 10_000,
        windows: int = 10_000,
        records: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._languages: BoundedMap[str, str] = BoundedMap(users, LANGUAGE_SECONDS, clock)
        self._seen: BoundedMap[str, bool] = BoundedMap(events, clock=clock)
        self._windows: BoundedMap[str, list[int]] = BoundedMap(windows, clock=clock)
        self._locks: BoundedMap[str, str] = BoundedMap(1000, clock=clock)
        # Kept as JSON, as the other stores keep them: what a caller later does to a dict it put
        # or got never changes the stored record.
        self._records: BoundedMap[tuple[str, str], str] = BoundedMap(records, clock=clock)
        self._counts: BoundedMap[tuple[str, str], list[int]] = BoundedMap(records, clock=clock)
        self._numbers: dict[str, int] = {}

    async def get_language(self, user_key: str) -> str | None:
        return self._languages.get(user_key)

    async def set_language(self, user_key: str, language: str) -> None:
        self._languages.set(user_key, language)

    async def first_time(self, key: str, ttl: float) -> bool:
        if self._seen.get(key):
            return False
        self._seen.set(key, True, ttl)
        return True

    async def count_in_window(self, key: str, window: float) -> int:
        counter = self._windows.get(key)
        if counter is None:  # a new window; the entry expires with it
            counter = [0]
            self._windows.set(key, counter, window)
        counter[0] += 1
        return counter[0]

    async def note_message(
        self, window_key: str, window: float, user_key: str | None
    ) -> tuple[int, str | None]:
        count = await self.count_in_window(window_key, window)
        return count, (self._languages.get(user_key) if user_key else None)

    async def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        holder = self._locks.get(name)
        if holder is not None and holder != owner:
            return False
        self._locks.set(name, owner, ttl)
        return True

    async def put_record(self, kind: str, key: str, fields: Record, ttl: float) -> None:
        self._records.set((kind, key), encode_record(fields), ttl)

    async def get_record(self, kind: str, key: str) -> Record | None:
        value = self._records.get((kind, key))
        return decode_record(value) if value is not None else None

    async def delete_record(self, kind: str, key: str) -> None:
        self._records.pop((kind, key))

    async def add_count(self, kind: str, key: str, ttl: float, amount: int = 1) -> None:
        counter = self._counts.get((kind, key))
        if counter is None:
            counter = [0]
            self._counts.set((kind, key), counter, ttl)
        counter[0] += amount

    async def list_counts(self, kind: str) -> dict[str, int]:
        return {key: c[0] for (k, key), c in self._counts.items() if k == kind}

    async def list_records(self, kind: str) -> list[Record]:
        return [decode_record(value) for (k, _), value in self._records.items() if k == kind]

    async def next_number(self, name: str) -> int:
        self._numbers[name] = number = self._numbers.get(name, 0) + 1
        return number

    async def sweep(self) -> int:
        return 0  # bounded maps drop expired entries as they are read, and cap their size

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None
