"""The one async interface to what the bot remembers, whichever store holds it."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger("iombot.state")

# A small record of ids and numbers (a handoff ticket), stored as compact JSON.
Record = dict[str, str | int | float | None]

# What the bot keeps about one user ("platform:user id"): their preferences, by short name
# ({"language": "ja"}), stored as one compact JSON object, as python-telegram-bot keeps
# `user_data`. A new preference is a new key, not a new column.
Profile = dict[str, str | int | float | bool | None]

# A profile is kept this long after its last update (then the user gets the defaults again).
PROFILE_SECONDS = 400 * 24 * 3600
PROFILE_BYTES = 2048  # the most a profile's JSON may take (UTF-8): preferences, not documents
PROFILE_KEY_CHARS = 32  # the longest key: a short name


class StateError(Exception):
    """The store cannot be used: said for a person, naming the setting, never a password."""


class ProfileError(ValueError):
    """A profile update the stores refuse: a key or value of the wrong kind, or a record that
    would be larger than PROFILE_BYTES. The caller's mistake: the store itself is fine."""


class StateStore(Protocol):
    backend: str  # "memory", "sqlite" or "redis", for health and logs

    async def get_profile(self, user_key: str) -> Profile:
        """A user's profile ("platform:user id" as the key); {} when there is none (never
        stored, expired, or a stored value that is not a JSON object: that one is logged)."""
        ...

    async def update_profile(self, user_key: str, changes: Profile) -> Profile:
        """Merge `changes` into the user's profile, atomically across the processes sharing
        the store (a key set to None is removed), keep it PROFILE_SECONDS from now, and return
        the new profile. ProfileError (a ValueError) for a key or value of the wrong kind or a
        profile larger than PROFILE_BYTES; nothing is then changed."""
        ...

    async def first_time(self, key: str, ttl: float) -> bool:
        """True the first time `key` is seen within `ttl` seconds (dedupe of event ids)."""
        ...

    async def count_in_window(self, key: str, window: float) -> int:
        """Count one more message for `key`; returns the count in its current window, which
        starts at its first message and lasts `window` seconds."""
        ...

    async def note_message(
        self, window_key: str, window: float, user_key: str | None
    ) -> tuple[int, Profile]:
        """What every incoming message needs, in one call (one round trip, one thread hop):
        `count_in_window(window_key, window)` and, when a user key is given, `get_profile`
        ({} without a user key)."""
        ...

    async def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        """True when `owner` holds the lock `name` for the next `ttl` seconds (taken now, or
        already its own); False while another owner holds it."""
        ...

    async def put_record(self, kind: str, key: str, fields: Record, ttl: float) -> None:
        """Store (or replace) a small record of ids and numbers under kind/key, kept `ttl`
        seconds. `kind` is a plain name without ':' (Redis keys are rec:<kind>:<key>)."""
        ...

    async def put_records(self, records: Sequence[tuple[str, str, Record]], ttl: float) -> None:
        """Store (or replace) several records (kind, key, fields), each kept `ttl` seconds, in
        one write where the store has one (a SQLite transaction, a Redis pipeline): what a
        write-behind buffer saves, for one commit instead of one per record."""
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


def check_changes(changes: Profile) -> None:
    """ProfileError unless `changes` maps short string keys to None, text, numbers or booleans."""
    if not isinstance(changes, dict):
        raise ProfileError("profile changes must be a dict")
    for name, value in changes.items():
        if not isinstance(name, str) or not 0 < len(name) <= PROFILE_KEY_CHARS:
            raise ProfileError(f"a profile key must be 1 to {PROFILE_KEY_CHARS} characters")
        if value is not None and not isinstance(value, str | int | float):  # bool is an int
            raise ProfileError(f"profile key {name!r}: {type(value).__name__} is not stored")
        if isinstance(value, float) and not math.isfinite(value):
            raise ProfileError(f"profile key {name!r}: {value} is not JSON")


def merge_profile(profile: Profile, changes: Profile) -> Profile:
    """A new profile: `profile` with `changes` applied (None removes a key)."""
    merged = dict(profile)
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def encode_profile(profile: Profile) -> str:
    """Compact JSON, as records are; ProfileError when it would exceed PROFILE_BYTES."""
    text = json.dumps(profile, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    size = len(text.encode())
    if size > PROFILE_BYTES:
        raise ProfileError(f"a profile may take {PROFILE_BYTES} bytes of JSON, not {size}")
    return text


def decode_profile(value: str | bytes | None, user_key: str, backend: str) -> Profile:
    """The stored text as a profile; {} when missing, and {} logged when it is not a JSON object
    of plain values (something else wrote it): a user is never refused over a bad record."""
    if value is None:
        return {}
    try:
        profile = json.loads(value)
    except ValueError:  # not JSON (UnicodeDecodeError is a ValueError too)
        profile = None
    if isinstance(profile, dict) and all(
        item is None or isinstance(item, str | int | float) for item in profile.values()
    ):
        return profile
    platform = user_key.split(":", 1)[0]  # the platform, never the user id
    log.warning(
        "a stored %s profile (%s store, %d characters) is not a JSON object of plain values; "
        "read as empty",
        platform,
        backend,
        len(value),
    )
    return {}
