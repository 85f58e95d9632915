"""Running the real service with the LINE adapter against the fake LINE API, for tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientSession
from both_platforms import quick_replies as quick_replies  # the LINE tests take it from here
from serving import recorded, serving

from iombot.bots.line import PLATFORM as LINE
from iombot.bots.line.settings import LineSettings
from iombot.bots.settings import Secret, Settings
from iombot.testing.line import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    FakeLine,
    signed_headers,
    webhook_body,
)

from testsupport import ADAPTER_CONTENT, free_port


@dataclass
class Running:
    base: str
    http: ClientSession
    adapter: object

    async def post(self, body: bytes, headers: dict | None = None) -> int:
        async with self.http.post(
            f"{self.base}/line/webhook",
            data=body,
            headers=signed_headers(body) if headers is None else headers,
        ) as response:
            return response.status

    async def send(self, *events: dict) -> int:
        return await self.post(webhook_body(*events))

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base}{path}") as response:
            return response.status, await response.text()


def line_settings(fake: FakeLine, content_dir: Path = ADAPTER_CONTENT, **more) -> Settings:
    options = LineSettings(Secret(CHANNEL_SECRET), Secret(ACCESS_TOKEN), fake.url)
    return Settings(
        content_dir=content_dir,
        host="127.0.0.1",
        port=free_port(),
        reload_seconds=60,
        platforms={"line": options},
        **more,
    )


@contextlib.asynccontextmanager
async def running(settings: Settings, expect: int = 0) -> AsyncIterator[Running]:
    adapters: list = []
    async with (
        serving(settings, [recorded(LINE, adapters)], adapters, expect=expect),
        ClientSession() as http,
    ):
        yield Running(f"http://127.0.0.1:{settings.port}", http, adapters[0])


async def replied(fake: FakeLine, count: int = 1) -> list:
    return await fake.wait_for("reply", count)
