"""Bounded memory of recent Slack event ids, so that Slack's retries never answer twice."""

from __future__ import annotations

from collections import OrderedDict


class RecentIds:
    """The last `capacity` ids seen; the oldest is forgotten first."""

    def __init__(self, capacity: int = 10_000):
        self._capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, key: str | None) -> bool:
        """True the first time a key is seen (and remembers it); a missing key is always new."""
        if not key:
            return True
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)
