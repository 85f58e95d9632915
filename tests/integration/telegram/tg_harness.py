"""Running the real service with the Telegram adapter against the fake Bot API, for tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

from iombot.bots.service import serve
from iombot.bots.settings import Secret, Settings
from iombot.bots.shared import Services
from iombot.bots.telegram import PLATFORM as TELEGRAM
from iombot.bots.telegram.adapter import TelegramAdapter
from iombot.bots.telegram.settings import TelegramSettings
from iombot.core.content import load_content
from iombot.testing import telegram as tg
from iombot.testing.telegram import FakeBotApi

from testsupport import ADAPTER_CONTENT, free_port

TOKEN = "123456:TEST_TOKEN_abcdefghijklmnopqrstuvwxyz"
SECRET = "webhook_SECRET_value_42"
HERE = Path(__file__).parent
# The fixture topics the bots answer from (tests/fixtures/adapter_content), for expectations.
CONTENT = load_content(ADAPTER_CONTENT)
TOPICS = CONTENT.by_command()


# A sticker, for the tests of messages without text.
STICKER = {
    "file_id": "s",
    "file_unique_id": "s",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}
users = itertools.count(5000)  # a fresh user per question keeps the flood limit out of the way


def title(command: str, language: str = "en") -> str:
    """How a reply about this fixture topic begins: its title, in bold."""
    return f"<b>{TOPICS[command].text(language).title}</b>"


async def ask(fake: FakeBotApi, text: str | None, **fields) -> list:
    """Push one message from a fresh user (unless given) and return what was sent to its chat."""
    user_id = fields.pop("user_id", None) or next(users)
    chat_id = fields.get("chat_id", user_id)
    before = len(fake.sent_to(chat_id))
    fake.push(tg.message(text, user_id=user_id, **fields))
    await fake.wait_for(lambda: len(fake.sent_to(chat_id)) > before)
    return fake.sent_to(chat_id)[before:]


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


def bot_settings(
    fake: FakeBotApi,
    content_dir: Path = ADAPTER_CONTENT,
    port: int | None = None,
    state_url: str = "memory://",
    **telegram,
) -> Settings:
    """Settings for the service with Telegram; `telegram` overrides TelegramSettings fields."""
    options = TelegramSettings(token=Secret(TOKEN), api_url=fake.url, rate_limit=0)
    return Settings(
        content_dir=content_dir,
        state_url=Secret(state_url),
        host="127.0.0.1",
        port=port or free_port(),
        reload_seconds=0.1,
        platforms={"telegram": replace(options, **telegram)},
    )


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, expect_status: int = 0) -> AsyncIterator[RunningBot]:
    """serve() with the Telegram adapter, as `iombot run telegram` runs it, until ready."""
    adapters: list[TelegramAdapter] = []

    def make_adapter(services: Services, options: TelegramSettings) -> TelegramAdapter:
        adapters.append(TelegramAdapter(services, options, poll_timeout=1))
        return adapters[-1]

    stop = asyncio.Event()
    platform = replace(TELEGRAM, make_adapter=make_adapter)
    task = asyncio.create_task(serve(settings, [platform], stop))
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
