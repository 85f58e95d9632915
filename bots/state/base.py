"""The one async interface to what the bot remembers, whichever store holds it."""

from __future__ import annotations

import json
from typing import Protocol

# A small record of ids and numbers (a handoff ticket), stored as compact JSON.
Record = dict[str, str | int | float | None]

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

    async def put_record(self, kind: str, key: str, fields: Record, ttl: float) -> None:
        """Store (or replace) a small record of ids and numbers under kind/key, kept `ttl`
        seconds. `kind` is a plain name without ':' (Redis keys are rec:<kind>:<key>)."""
        ...

    async def get_record(self, kind: str, key: str) -> Record | None:
        """The live record, or None (missing or expired)."""
        ...

    async def delete_record(self, kind: str, key: str) -> None: ...

    async def list_records(self, kind: str) -> list[Record]:
        """Every live record of a kind (a few hundred at most: open handoff tickets), any order."""
        ...

    async def add_count(self, kind: str, key: str, ttl: float, amount: int = 1) -> None:
        """Count `amount` more under kind/key (a topic asked on a day); the count is kept `ttl`
        seconds from its first increment."""
        ...

    async def list_counts(self, kind: str) -> dict[str, int]:
        """Every live count of a kind, by key."""
        ...

    async def next_number(self, name: str) -> int:
        """An atomic counter shared by all processes using the store: 1, 2, 3, ... Never expires."""
        ...

    async def sweep(self) -> int:
        """Delete expired entries; returns how many (a store with TTLs of its own: 0)."""
        ...

    async def ping(self) -> None:
        """Raise when the store cannot be reached."""
        ...

    async def close(self) -> None: ...


def encode_record(fields: Record) -> str:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def decode_record(value: str) -> Record:
    return json.loads(value)
