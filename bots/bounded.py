"""One bounded map for every in-memory cache and table: at most `capacity` entries, the least
recently used forgotten first, and each entry optionally expiring after a time to live."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_FOREVER = float("inf")


class BoundedMap(Generic[K, V]):
    def __init__(
        self,
        capacity: int,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value, or None when it is missing or expired; a hit counts as a use."""
        entry = self._live(key)
        return None if entry is None else entry[1]

    def _live(self, key: K) -> tuple[float, V] | None:
        """The entry when it is there and not expired, used now; an expired one is dropped."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def set(self, key: K, value: V, ttl: float | None = None) -> None:
        """Store a value; `ttl` overrides the map's time to live for this entry."""
        ttl = self.ttl if ttl is None else ttl
        expires = _FOREVER if ttl is None else self._clock() + ttl
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        """Forget an entry; its value, or None when it was missing or expired."""
        entry = self._entries.pop(key, None)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def items(self) -> list[tuple[K, V]]:
        """The live entries, least recently used first; a read, not a use of any of them."""
        now = self._clock()
        for key in [k for k, (expires, _) in self._entries.items() if expires <= now]:
            del self._entries[key]  # dropped while passing by, as get() does
        return [(key, value) for key, (_, value) in self._entries.items()]

    def __contains__(self, key: object) -> bool:
        """There and not expired, whatever its value (None too); a hit counts as a use."""
        return self._live(key) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._entries)
