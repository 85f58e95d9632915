"""The LINE Messaging API, through line-bot-sdk's asyncio client: made from the settings alone
(so that any process can deliver a staff reply), with the outcome of every call told to the
adapter's health, and 429/5xx retried a little (a reply token lives about a minute).

The SDK's client opens its aiohttp session with `trust_env=True`: every request then looks up
~/.netrc and the proxy variables again, on a worker thread (bench/line_throughput.py: about half
the CPU of an event). The client gets a session that doesn't, with the environment's proxy read
once into the SDK's own `proxy` setting; netrc credentials could never be used with the bearer
token anyway (aiohttp refuses both).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from linebot.v3.messaging.exceptions import ApiException
from yarl import URL

from ..reachability import Reachability
from .settings import LineSettings

log = logging.getLogger("iombot.line")
T = TypeVar("T")
ATTEMPTS = 3


class LineApi:
    def __init__(self, settings: LineSettings, reachability: Reachability | None = None):
        self.configuration = Configuration(
            host=settings.api_url, access_token=settings.access_token.value
        )
        self.reachability = reachability or Reachability()
        self._client: AsyncApiClient | None = None
        self._api: AsyncMessagingApi | None = None
        self._sdk_session: aiohttp.ClientSession | None = None  # the SDK's, replaced: closed last

    @property
    def api(self) -> AsyncMessagingApi:
        if self._api is None:
            with contextlib.suppress(LookupError):  # no proxy for LINE in the environment
                proxy, _ = get_env_proxy_for_url(URL(self.configuration.host))
                self.configuration.proxy = str(proxy)
            self._client = AsyncApiClient(self.configuration)
            rest = self._client.rest_client
            # Twice the SDK's pool: an event makes two calls (profile, reply) where the SDK's
            # echo makes one, and each should wait for a connection no longer.
            connector = aiohttp.TCPConnector(
                limit=2 * self.configuration.connection_pool_maxsize,
                ssl=ssl.create_default_context(cafile=self.configuration.ssl_ca_cert),
            )
            self._sdk_session = rest.pool_manager  # unused from here on; closed with ours
            rest.pool_manager = aiohttp.ClientSession(connector=connector, trust_env=False)
            self._api = AsyncMessagingApi(self._client)
        return self._api

    async def call(self, what: str, make: Callable[[AsyncMessagingApi], Awaitable[T]]) -> T:
        """One API call, retried on 429 and 5xx; ApiException for what still fails."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                result = await make(self.api)
            except ApiException as error:
                status = error.status or 0
                if status >= 500:
                    self.reachability.failed(f"{what}: HTTP {status}")
                else:
                    self.reachability.succeeded()  # LINE answered
                if attempt < ATTEMPTS and (status == 429 or status >= 500):
                    await asyncio.sleep(_retry_after(error) or 0.25 * 2**attempt)
                    continue
                raise
            except Exception as error:  # no answer
                self.reachability.failed(f"{what}: {type(error).__name__}")
                if attempt < ATTEMPTS:
                    await asyncio.sleep(0.25 * 2**attempt)
                    continue
                raise
            self.reachability.succeeded()
            return result
        raise AssertionError("unreachable")

    async def reply(self, token: str, messages: list[dict]) -> None:
        """POST /v2/bot/message/reply with messages already as JSON-ready dicts
        (render.render_dicts): the SDK's own models spend more on serialising a reply than the
        rest of answering it."""
        body = {"replyToken": token, "messages": messages}
        await self.call("reply", lambda api: _raw(api, "POST", "/v2/bot/message/reply", body=body))

    async def profile_language(self, user_id: str) -> str | None:
        """GET /v2/bot/profile/{userId}: its `language`, or None, read from the JSON as it comes
        (the SDK's model of the answer costs more than the request)."""
        path = f"/v2/bot/profile/{quote(user_id, safe='')}"
        response = await self.call("profile", lambda api: _raw(api, "GET", path))
        try:
            language = json.loads(getattr(response, "raw_data", "") or "{}").get("language")
        except ValueError:
            return None
        return language if isinstance(language, str) else None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            if self._sdk_session is not None:
                await self._sdk_session.close()
            self._client = self._api = self._sdk_session = None


async def _raw(api: AsyncMessagingApi, method: str, path: str, body: dict | None = None) -> Any:
    """A call through the SDK's client (its auth, session and ApiException), with the body as
    given and the answer left as text (`raw_data`), not made into a model."""
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return await api.api_client.call_api(
        path,
        method,
        header_params=headers,
        body=body,
        response_types_map={},
        auth_settings=["Bearer"],
        _preload_content=True,  # False fails inside the SDK's async client
    )


def _retry_after(error: ApiException) -> float | None:
    headers = error.headers or {}
    try:
        return min(float(headers.get("Retry-After", "")), 5.0)
    except ValueError:
        return None
