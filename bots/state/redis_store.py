"""State shared by replicas on several hosts: Redis, through redis-py's asyncio client.

Every entry carries a TTL, so Redis itself forgets what has expired; keys share one prefix.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.exceptions import AuthenticationError, RedisError, ResponseError

from .base import LANGUAGE_SECONDS, StateError

PREFIX = "iombot:"
# One flood window count (its TTL set with the first message) and one language read, in one
# atomic command: the work of every incoming message in one round trip.
NOTE_MESSAGE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if #KEYS > 1 then return {count, redis.call('GET', KEYS[2])} end
return {count, false}
"""


class RedisState:
    backend = "redis"

    def __init__(self, client: aioredis.Redis, where: str):
        self._redis = client
        self.where = where  # host:port/db, never the password
        self._note_message = client.register_script(NOTE_MESSAGE)

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

    async def sweep(self) -> int:
        return 0  # every key has a TTL: Redis removes expired keys itself

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
