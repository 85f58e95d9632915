"""Running the real service with the LINE adapter against the fake LINE API, for tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

from aiohttp import ClientSession

from iombot.bots.line import PLATFORM as LINE
from iombot.bots.line.settings import LineSettings
from iombot.bots.service import serve
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

    def make(services, options):
        adapters.append(LINE.make_adapter(services, options))
        return adapters[-1]

    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, [replace(LINE, make_adapter=make)], stop))
    for _ in range(300):
        if task.done() or (adapters and adapters[0].health()["up"]):
            break
        await asyncio.sleep(0.02)
    assert not task.done(), f"serve() ended at start: {task.result()}"
    async with ClientSession() as http:
        try:
            yield Running(f"http://127.0.0.1:{settings.port}", http, adapters[0])
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 15) == expect


async def replied(fake: FakeLine, count: int = 1) -> list:
    return await fake.wait_for("reply", count)


def quick_replies(call) -> list[tuple[str, str]]:
    message = call.body["messages"][-1]
    items = (message.get("quickReply") or {}).get("items", [])
    return [(i["action"]["label"], i["action"]["data"]) for i in items]
