"""What the bot remembers between messages and across restarts, behind one async interface.

`open_state(url)` picks the store from IOMBOT_STATE_URL: `sqlite:///relative.db` or
`sqlite:////absolute/path.db` (the embedded default), `redis://[:password@]host:port/db` or
`rediss://…` (replicas on several hosts), `memory://` (this process only: tests, benches).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import Profile, ProfileError, StateError, StateStore
from .memory import MemoryState

__all__ = [
    "MemoryState",
    "Profile",
    "ProfileError",
    "StateError",
    "StateStore",
    "describe_url",
    "open_state",
    "url_problem",
]

SCHEMES = ("sqlite", "redis", "rediss", "memory")


def url_problem(url: str) -> str | None:
    """What is wrong with a state URL, for the settings check; None when it is usable."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return "must start with sqlite:///, redis://, rediss:// or memory://"
    if parts.scheme == "sqlite" and not sqlite_path(url).name:
        return "name a file, e.g. sqlite:///data/state.db or sqlite:////var/lib/iombot/state.db"
    if parts.scheme.startswith("redis") and not parts.hostname:
        return "name the host, e.g. redis://redis:6379/0"
    return None


def sqlite_path(url: str) -> Path:
    # sqlite:///relative.db -> relative.db; sqlite:////absolute.db -> /absolute.db
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else Path("")


def describe_url(url: str) -> str:
    """The URL as it may be shown: without user name or password."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return f"sqlite:{sqlite_path(url)}"
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


async def open_state(url: str) -> StateStore:
    """Open the store a URL names; StateError with a message for a person if it cannot be used."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryState()
    if scheme == "sqlite":
        from .sqlite_store import SqliteState

        return await SqliteState.open(sqlite_path(url))
    if scheme in ("redis", "rediss"):
        from .redis_store import RedisState

        parts = urlsplit(url)
        where = f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"
        return await RedisState.open(url, where)
    raise StateError(f"IOMBOT_STATE_URL: {url_problem(url)}")
