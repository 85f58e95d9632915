"""Running the real service with the Telegram adapter against the fake Bot API, for tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

from fake_bot_api import FakeBotApi

from iombot.bots.service import Services, serve
from iombot.bots.settings import Secret, Settings
from iombot.bots.telegram.adapter import TelegramAdapter
from iombot.core.content import default_content_dir

from testsupport import free_port

TOKEN = "123456:TEST_TOKEN_abcdefghijklmnopqrstuvwxyz"
SECRET = "webhook_SECRET_value_42"
HERE = Path(__file__).parent


@dataclass
class RunningBot:
    adapter: TelegramAdapter
    base_url: str  # our aiohttp server (healthz, metrics, webhook)
    settings: Settings
    stop: asyncio.Event
    task: asyncio.Task

    async def shutdown(self) -> int:
        self.stop.set()
        return await asyncio.wait_for(self.task, 10)


def bot_settings(fake: FakeBotApi, **changes) -> Settings:
    settings = Settings(
        content_dir=default_content_dir(),
        host="127.0.0.1",
        port=free_port(),
        telegram_token=Secret(TOKEN),
        telegram_api_url=fake.url,
        telegram_rate_limit=0,
        reload_seconds=0.1,
    )
    return replace(settings, **changes)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, expect_status: int = 0) -> AsyncIterator[RunningBot]:
    """serve() with the Telegram adapter, as `iombot run telegram` runs it, until ready."""
    adapters: list[TelegramAdapter] = []

    def factory(platform: str, services: Services) -> TelegramAdapter:
        adapters.append(TelegramAdapter(services, poll_timeout=1))
        return adapters[-1]

    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, ["telegram"], factory, stop))
    for _ in range(250):
        if task.done() or (adapters and adapters[0].health()["up"]):
            break
        await asyncio.sleep(0.02)
    assert not task.done(), f"serve() ended at start: {task.result()}"
    bot = RunningBot(adapters[0], f"http://127.0.0.1:{settings.port}", settings, stop, task)
    try:
        yield bot
    finally:
        if not task.done():
            assert await bot.shutdown() == expect_status
