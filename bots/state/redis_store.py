"""State shared by replicas on several hosts: Redis, through redis-py's asyncio client.

Every entry carries a TTL, so Redis itself forgets what has expired, except the counters of
`next_number` (seq:<name>), which must never start again; keys share one prefix.
"""

from __future__ import annotations

import re

import redis.asyncio as aioredis
from redis.exceptions import AuthenticationError, RedisError, ResponseError

from .base import LANGUAGE_SECONDS, Record, StateError, decode_record, encode_record

PREFIX = "iombot:"
SCAN_COUNT = 1000  # keys looked at per SCAN round trip: the whole keyspace is walked
# One flood window count (its TTL set with the first message) and one language read, in one
# atomic command: the work of every incoming message in one round trip.
NOTE_MESSAGE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if #KEYS > 1 then return {count, redis.call('GET', KEYS[2])} end
return {count, false}
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

    async def get_language(self, user_key: str) -> str | None:
        return await self._redis.get(f"{PREFIX}lang:{user_key}")

    async def set_language(self, user_key: str, language: str) -> None:
        await self._redis.set(f"{PREFIX}lang:{user_key}", language, ex=LANGUAGE_SECONDS)

    async def first_time(self, key: str, ttl: float) -> bool:
        return bool(await self._redis.set(f"{PREFIX}seen:{key}", 1, nx=True, px=_ms(ttl)))

    async def count_in_window(self, key: str, window: float) -> int:
        count, _ = await self.note_message(key, window, None)
        return count

    async def note_message(
        self, window_key: str, window: float, user_key: str | None
    ) -> tuple[int, str | None]:
        keys = [f"{PREFIX}window:{window_key}"]
        if user_key:
            keys.append(f"{PREFIX}lang:{user_key}")
        count, language = await self._note_message(keys=keys, args=[_ms(window)])
        return int(count), language or None

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


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _glob_escape(text: str) -> str:
    # A kind is a name, not a pattern: * ? [ ] \ in it must match themselves in SCAN MATCH.
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)
