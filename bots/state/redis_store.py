"""State shared by replicas on several hosts: Redis, through redis-py's asyncio client.

Every entry carries a TTL, so Redis itself forgets what has expired, except the counters of
`next_number` (seq:<name>), which must never start again; keys share one prefix.

A profile is one JSON string per user (profile:<user>), the same compact JSON as SQLite's and
the records', written by Python's json, not by the cjson of Redis's Lua (which would round
numbers to 14 digits and escape "/"). A hash of fields would merge without a transaction, but
each field would need a JSON value of its own to keep its type, and the size limit and the
reading of a malformed value would have to be written again in Lua. An update is an optimistic
transaction (WATCH, read, merge, MULTI/EXEC, again if another replica wrote in between): atomic
across replicas, at one more round trip for what is rare (a /lang); the per-message read stays
in the one NOTE_MESSAGE script. Before profiles, the language was a string at lang:<user>: a user
without a profile but with such a key has {"language": …}, until an update moves it into the
profile and deletes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import redis.asyncio as aioredis
from redis.exceptions import AuthenticationError, RedisError, ResponseError, WatchError

from .base import (
    PROFILE_SECONDS,
    Profile,
    Record,
    StateError,
    check_changes,
    decode_profile,
    decode_record,
    encode_profile,
    encode_record,
    merge_profile,
)

PREFIX = "iombot:"
SCAN_COUNT = 1000  # keys looked at per SCAN round trip: the whole keyspace is walked
# One flood window count (its TTL set with the first message) and one profile read (or, when
# there is none, the language kept before profiles), in one atomic command: the work of every
# incoming message in one round trip.
NOTE_MESSAGE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if #KEYS == 1 then return {count, false, false} end
local profile = redis.call('GET', KEYS[2])
if profile then return {count, profile, false} end
return {count, false, redis.call('GET', KEYS[3])}
"""


# INCRBY, and the TTL with the first amount (a new key): one atomic command.
ADD_COUNT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisState:
    backend = "redis"

    def __init__(self, client: aioredis.Redis, where: str):
        self._redis = client
        self.where = where  # host:port/db, never the password
        self._note_message = client.register_script(NOTE_MESSAGE)
        self._add_count = client.register_script(ADD_COUNT)
        self.profile_seconds = PROFILE_SECONDS  # (tests shorten it)

    @classmethod
    async def open(cls, url: str, where: str, timeout: float = 1.0) -> RedisState:
        """Connect and PING; StateError naming IOMBOT_STATE_URL (not the password) if refused."""
        client = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry_on_timeout=False,
        )
        try:
            await client.ping()
        except (AuthenticationError, ResponseError) as error:  # WRONGPASS, NOAUTH
            await client.aclose()
            code = str(error).split(" ", 1)[0] or type(error).__name__
            raise StateError(
                f"IOMBOT_STATE_URL: Redis at {where} refused the credentials ({code})"
            ) from None
        except (RedisError, OSError) as error:
            await client.aclose()
            raise StateError(
                f"IOMBOT_STATE_URL: cannot reach Redis at {where} ({type(error).__name__})"
            ) from None
        return cls(client, where)

    def _profile(self, user_key: str, stored: str | None, language: str | None) -> Profile:
        if stored is None:  # none, or one from before profiles: its language alone
            return {"language": language} if language is not None else {}
        return decode_profile(stored, user_key, self.backend)

    async def get_profile(self, user_key: str) -> Profile:
        keys = _profile_keys(user_key)
        return self._profile(user_key, *await self._redis.mget(keys))

    async def update_profile(self, user_key: str, changes: Profile) -> Profile:
        check_changes(changes)
        key, old = keys = _profile_keys(user_key)
        async with self._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(*keys)  # EXEC fails if another client writes either key
                    stored = self._profile(user_key, *await pipe.mget(keys))
                    profile = merge_profile(stored, changes)
                    text = encode_profile(profile)  # ProfileError before anything is written
                    pipe.multi()
                    if profile:
                        pipe.set(key, text, px=_ms(self.profile_seconds))
                    else:
                        pipe.delete(key)
                    pipe.delete(old)  # moved into the profile, if it was there
                    await pipe.execute()
                    return profile
                except WatchError:
                    continue  # another replica's update came first: merge into that one

    async def first_time(self, key: str, ttl: float) -> bool:
        return bool(await self._redis.set(f"{PREFIX}seen:{key}", 1, nx=True, px=_ms(ttl)))

    async def count_in_window(self, key: str, window: float) -> int:
        count, _ = await self.note_message(key, window, None)
        return count

    async def note_message(
        self, window_key: str, window: float, user_key: str | None
    ) -> tuple[int, Profile]:
        keys = [f"{PREFIX}window:{window_key}"]
        if user_key:
            keys.extend(_profile_keys(user_key))
        count, stored, language = await self._note_message(keys=keys, args=[_ms(window)])
        return int(count), (self._profile(user_key, stored, language) if user_key else {})

    async def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        key = f"{PREFIX}lock:{name}"
        if await self._redis.set(key, owner, nx=True, px=_ms(ttl)):
            return True
        # Already ours: extend it. (Not atomic with the check, which a job lock doesn't need.)
        if await self._redis.get(key) == owner:
            await self._redis.pexpire(key, _ms(ttl))
            return True
        return False

    async def put_record(self, kind: str, key: str, fields: Record, ttl: float) -> None:
        await self._redis.set(f"{PREFIX}rec:{kind}:{key}", encode_record(fields), px=_ms(ttl))

    async def put_records(self, records: Sequence[tuple[str, str, Record]], ttl: float) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:  # one round trip
            for kind, key, fields in records:
                pipe.set(f"{PREFIX}rec:{kind}:{key}", encode_record(fields), px=_ms(ttl))
            await pipe.execute()

    async def get_record(self, kind: str, key: str) -> Record | None:
        value = await self._redis.get(f"{PREFIX}rec:{kind}:{key}")
        return decode_record(value) if value is not None else None

    async def delete_record(self, kind: str, key: str) -> None:
        await self._redis.delete(f"{PREFIX}rec:{kind}:{key}")

    async def list_records(self, kind: str) -> list[Record]:
        match = f"{PREFIX}rec:{_glob_escape(kind)}:*"
        # SCAN may return a key twice: dict.fromkeys keeps each once.
        keys = list(
            dict.fromkeys([k async for k in self._redis.scan_iter(match=match, count=SCAN_COUNT)])
        )
        if not keys:
            return []
        # A key that expired (or was deleted) since the SCAN reads as None.
        return [decode_record(v) for v in await self._redis.mget(keys) if v is not None]

    async def add_count(self, kind: str, key: str, ttl: float, amount: int = 1) -> None:
        await self._add_count(keys=[f"{PREFIX}count:{kind}:{key}"], args=[_ms(ttl), amount])

    async def list_counts(self, kind: str) -> dict[str, int]:
        prefix = f"{PREFIX}count:{kind}:"
        match = f"{PREFIX}count:{_glob_escape(kind)}:*"
        keys = list(
            dict.fromkeys([k async for k in self._redis.scan_iter(match=match, count=SCAN_COUNT)])
        )
        if not keys:
            return {}
        values = await self._redis.mget(keys)
        return {
            k[len(prefix) :]: int(v) for k, v in zip(keys, values, strict=True) if v is not None
        }

    async def next_number(self, name: str) -> int:
        # The one key without a TTL: a counter that started again would reuse ticket numbers.
        return int(await self._redis.incr(f"{PREFIX}seq:{name}"))

    async def sweep(self) -> int:
        return 0  # every key but the counters has a TTL: Redis removes expired keys itself

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


def _profile_keys(user_key: str) -> list[str]:
    # The profile, and where the language was kept before profiles.
    return [f"{PREFIX}profile:{user_key}", f"{PREFIX}lang:{user_key}"]


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _glob_escape(text: str) -> str:
    # A kind is a name, not a pattern: * ? [ ] \ in it must match themselves in SCAN MATCH.
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)
