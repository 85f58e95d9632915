"""The state store in this process's memory, each table bounded: what a restart forgets.

Used by tests and benches (IOMBOT_STATE_URL=memory://), and as the local fallback while a
shared store is unreachable (resilient.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from ..bounded import BoundedMap
from .base import (
    PROFILE_SECONDS,
    Profile,
    Record,
    check_changes,
    decode_profile,
    decode_record,
    encode_profile,
    encode_record,
    merge_profile,
)


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
        self.profile_seconds = PROFILE_SECONDS  # (tests shorten it)
        # Profiles and records are kept as JSON, as the other stores keep them: what a caller
        # later does to a dict it put or got never changes what is stored.
        self._profiles: BoundedMap[str, str] = BoundedMap(users, clock=clock)
        self._seen: BoundedMap[str, bool] = BoundedMap(events, clock=clock)
        self._windows: BoundedMap[str, list[int]] = BoundedMap(windows, clock=clock)
        self._locks: BoundedMap[str, str] = BoundedMap(1000, clock=clock)
        self._records: BoundedMap[tuple[str, str], str] = BoundedMap(records, clock=clock)
        self._counts: BoundedMap[tuple[str, str], list[int]] = BoundedMap(records, clock=clock)
        self._numbers: dict[str, int] = {}

    async def get_profile(self, user_key: str) -> Profile:
        return decode_profile(self._profiles.get(user_key), user_key, self.backend)

    async def update_profile(self, user_key: str, changes: Profile) -> Profile:
        check_changes(changes)
        profile = merge_profile(await self.get_profile(user_key), changes)
        self.keep_profile(user_key, profile)
        return profile

    def keep_profile(self, user_key: str, profile: Profile) -> None:
        """Replace a user's whole profile (the resilient wrapper's copy of the store's)."""
        if profile:
            self._profiles.set(user_key, encode_profile(profile), self.profile_seconds)
        else:
            self._profiles.pop(user_key)

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
    ) -> tuple[int, Profile]:
        count = await self.count_in_window(window_key, window)
        return count, (await self.get_profile(user_key) if user_key else {})

    async def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        holder = self._locks.get(name)
        if holder is not None and holder != owner:
            return False
        self._locks.set(name, owner, ttl)
        return True

    async def put_record(self, kind: str, key: str, fields: Record, ttl: float) -> None:
        self._records.set((kind, key), encode_record(fields), ttl)

    async def put_records(self, records: Sequence[tuple[str, str, Record]], ttl: float) -> None:
        for kind, key, fields in records:
            await self.put_record(kind, key, fields, ttl)

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
