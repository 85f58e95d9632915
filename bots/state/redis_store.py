"""State shared by replicas on several hosts: Redis, through redis-py's asyncio client.

Every entry carries a TTL, so Redis itself forgets what has expired; keys share one prefix.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.exceptions import AuthenticationError, RedisError, ResponseError

from .base import LANGUAGE_SECONDS, StateError

PREFIX = "iombot:"


class RedisState:
    backend = "redis"

    def __init__(self, client: aioredis.Redis, where: str):
        self._redis = client
        self.where = where  # host:port/db, never the password

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
        name = f"{PREFIX}window:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            # The window starts (with its TTL) at the first message; INCR keeps the TTL.
            pipe.set(name, 0, nx=True, px=_ms(window))
            pipe.incr(name)
            _, count = await pipe.execute()
        return int(count)

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
