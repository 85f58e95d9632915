"""The installed `iombot run telegram`, as a subprocess, against the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from iombot.core.content import load_content
from iombot.testing import telegram as tg
from iombot.testing.telegram import FakeBotApi

from testsupport import ADAPTER_CONTENT, free_port, installed_iombot

pytestmark = pytest.mark.e2e

TOKEN = "123456:TEST_TOKEN_abcdefghijklmnopqrstuvwxyz"
CONTACT = load_content(ADAPTER_CONTENT).by_command()["contact"]  # the fixture topic asked for


class Process:
    def __init__(self, process: asyncio.subprocess.Process, port: int):
        self.process = process
        self.port = port
        self.stderr = ""

    async def healthy(self, timeout: float = 15) -> bool:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline and self.process.returncode is None:
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return True
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        return False

    async def wait(self, timeout: float = 10) -> int:
        _, err = await asyncio.wait_for(self.process.communicate(), timeout)
        self.stderr = err.decode()
        return self.process.returncode


@asynccontextmanager
async def iombot(
    fake: FakeBotApi, token: str = TOKEN, data_dir: str | None = None
) -> AsyncIterator[Process]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_URL=fake.url,
        PORT=str(port),
        HOST="127.0.0.1",
        TELEGRAM_RATE_LIMIT="0",
        IOMBOT_CONTENT_DIR=str(ADAPTER_CONTENT),
        IOMBOT_DATA_DIR=data_dir or tempfile.mkdtemp(prefix="iombot-data-"),  # the SQLite default
    )
    process = await asyncio.create_subprocess_exec(
        installed_iombot(),
        "run",
        "telegram",
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    running = Process(process, port)
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(TOKEN)
    await server.start()
    yield server
    await server.stop()


async def test_runs_answers_and_stops_on_sigterm(fake):
    async with iombot(fake) as bot:
        assert await bot.healthy(), "never became healthy"
        fake.push(tg.message("/start contact", user_id=4001))
        fake.push(tg.message("電話番号は？", user_id=4002, language_code="en"))
        fake.push(tg.message("the purple elephant question", user_id=4003))
        assert await fake.wait_for(lambda: all(fake.sent_to(u) for u in (4001, 4002, 4003)))
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0
    assert fake.sent_to(4001)[0].text.startswith(f"<b>{CONTACT.text('en').title}</b>")
    assert fake.sent_to(4002)[0].text.startswith(f"<b>{CONTACT.text('ja').title}</b>")
    assert fake.problems == []
    assert TOKEN not in bot.stderr and TOKEN.split(":")[1] not in bot.stderr
    assert "purple elephant" not in bot.stderr  # no message text at INFO
    assert "answered" in bot.stderr and "stopped" in bot.stderr


async def test_lang_ja_then_a_restart_then_a_question_in_english_is_answered_in_japanese(
    fake, tmp_path
):
    async with iombot(fake, data_dir=str(tmp_path)) as bot:
        assert await bot.healthy()
        fake.push(tg.message("/lang ja", user_id=4101))
        assert await fake.wait_for(lambda: fake.sent_to(4101))
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0
    assert (tmp_path / "state.db").is_file()
    async with iombot(fake, data_dir=str(tmp_path)) as bot:
        assert await bot.healthy()
        fake.push(tg.message("what's your phone number?", user_id=4101, language_code="en"))
        assert await fake.wait_for(lambda: len(fake.sent_to(4101)) == 2)
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0
    assert fake.sent_to(4101)[1].text.startswith(f"<b>{CONTACT.text('ja').title}</b>")


async def test_sigterm_mid_burst_exits_0_and_answers_every_confirmed_update(fake):
    fake.send_delay = 0.02
    pushed: dict[int, int] = {}

    async def burst() -> None:
        for n in range(150):
            pushed[fake.push(tg.message("/contact", user_id=20_000 + n))] = 20_000 + n
            await asyncio.sleep(0.005)

    async with iombot(fake) as bot:
        assert await bot.healthy()
        feeding = asyncio.create_task(burst())
        assert await fake.wait_for(lambda: len(fake.sent()) >= 20, timeout=10)
        started = time.monotonic()
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0
        assert time.monotonic() - started < 10
        await feeding
    confirmed = fake.confirmed()
    answered = {int(call.params["chat_id"]) for call in fake.sent()}
    taken = [update_id for update_id in pushed if update_id < confirmed]
    assert len(taken) >= 20
    missing = [pushed[u] for u in taken if pushed[u] not in answered]
    assert missing == [], f"confirmed but never answered: {missing}"
    assert len(taken) < len(pushed)  # it did stop in the middle of the burst


async def test_a_wrong_token_exits_1_naming_the_variable_never_the_token(fake):
    wrong = "999999:WRONG_TOKEN_abcdefghijklmnopqrstuv"
    async with iombot(fake, token=wrong) as bot:
        assert await bot.wait(15) == 1
    assert "TELEGRAM_BOT_TOKEN was rejected by Telegram" in bot.stderr
    assert wrong not in bot.stderr and "WRONG_TOKEN" not in bot.stderr
