"""The one async interface to what the bot remembers, whichever store holds it."""

from __future__ import annotations

from typing import Protocol

# A language choice is kept this long after it was made (then the user gets the default again).
LANGUAGE_SECONDS = 400 * 24 * 3600


class StateError(Exception):
    """The store cannot be used: said for a person, naming the setting, never a password."""


class StateStore(Protocol):
    backend: str  # "memory", "sqlite" or "redis", for health and logs

    async def get_language(self, user_key: str) -> str | None:
        """The language a user chose with /lang ("platform:user id" as the key)."""
        ...

    async def set_language(self, user_key: str, language: str) -> None: ...

    async def first_time(self, key: str, ttl: float) -> bool:
        """True the first time `key` is seen within `ttl` seconds (dedupe of event ids)."""
        ...

    async def count_in_window(self, key: str, window: float) -> int:
        """Count one more message for `key`; returns the count in its current window, which
        starts at its first message and lasts `window` seconds."""
        ...

    async def note_message(
        self, window_key: str, window: float, user_key: str | None
    ) -> tuple[int, str | None]:
        """What every incoming message needs, in one call (one round trip, one thread hop):
        `count_in_window(window_key, window)` and, when a user key is given, `get_language`."""
        ...

    async def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        """True when `owner` holds the lock `name` for the next `ttl` seconds (taken now, or
        already its own); False while another owner holds it."""
        ...

    async def sweep(self) -> int:
        """Delete expired entries; returns how many (a store with TTLs of its own: 0)."""
        ...

    async def ping(self) -> None:
        """Raise when the store cannot be reached."""
        ...

    async def close(self) -> None: ...
