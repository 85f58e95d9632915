"""Each Slack user's locale (users.info with include_locale), looked up once and cached.

The locale is only a hint for the reply language, so a slow or failed lookup never holds up an
answer: it gives None after a short wait, and the failure is remembered for a while too.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

from ..bounded import BoundedMap

log = logging.getLogger("iombot.slack")


class UserLocales:
    def __init__(
        self,
        client: AsyncWebClient,
        capacity: int = 10_000,
        ttl: float = 24 * 3600,
        failure_ttl: float = 300,
        wait: float = 1.0,
    ):
        self._client = client
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._wait = wait
        # user id -> (locale or None,): a failed lookup is remembered too, for less long
        self._cache: BoundedMap[str, tuple[str | None]] = BoundedMap(capacity)
        self._pending: dict[str, asyncio.Future[str | None]] = {}

    async def get(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        cached = self._cache.get(user_id)
        if cached is not None:
            return cached[0]
        # One lookup per user at a time; a slow one goes on in the background and is cached.
        lookup = self._pending.get(user_id)
        if lookup is None:
            lookup = asyncio.ensure_future(self._lookup(user_id))
            self._pending[user_id] = lookup
            lookup.add_done_callback(lambda _: self._pending.pop(user_id, None))
        try:
            return await asyncio.wait_for(asyncio.shield(lookup), self._wait)
        except TimeoutError:
            return None

    async def _lookup(self, user_id: str) -> str | None:
        try:
            response = await self._client.users_info(user=user_id, include_locale=True)
            locale = (response.get("user") or {}).get("locale")
            locale = locale if isinstance(locale, str) else None
            self._remember(user_id, locale, self._ttl)
            return locale
        except Exception as error:  # a hint only: answer without it
            log.warning(
                "users.info failed (%s); answering without the locale",
                type(error).__name__,
                extra={"platform": "slack"},
            )
            self._remember(user_id, None, self._failure_ttl)
            return None

    def _remember(self, user_id: str, locale: str | None, ttl: float) -> None:
        self._cache.set(user_id, (locale,), ttl)

    def __len__(self) -> int:
        return len(self._cache)
