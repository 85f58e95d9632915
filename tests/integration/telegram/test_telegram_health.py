"""Health that tells the truth: /healthz (readiness) turns 503, saying why, when the Bot API has
failed for longer than the grace period, and recovers with the next call that succeeds; /livez
stays 200 meanwhile; and SIGTERM after an outage is quick."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from tg_harness import bot_settings, running_bot

from iombot.testing import telegram as tg


async def get(bot, path: str) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{bot.base_url}{path}") as response,
    ):
        return response.status, await response.json()


async def wait_status(bot, status: int, timeout: float = 8.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        code, body = await get(bot, "/healthz")
        if code == status or time.monotonic() > deadline:
            assert code == status, body
            return body
        await asyncio.sleep(0.1)


async def test_a_bot_api_outage_makes_readiness_503_with_why_and_it_recovers(
    fake, quiet_like_production
):
    async with running_bot(bot_settings(fake)) as bot:
        bot.adapter.reachability.grace = 0.5  # 30 s in production
        assert (await get(bot, "/healthz"))[0] == 200
        fake.fail("getUpdates", 502, times=10_000)
        body = await wait_status(bot, 503)
        telegram = body["adapters"]["telegram"]
        assert telegram["up"] is False and telegram["state"] == "degraded"
        assert telegram["bot_api"]["why"] == "getUpdates: HTTP 502"
        assert (await get(bot, "/livez"))[0] == 200  # alive: no restart would help
        fake.failures.clear()  # Telegram is back
        await wait_status(bot, 200)
        fake.push(tg.message("/contact", user_id=8901))
        assert await fake.wait_for(lambda: fake.sent_to(8901), timeout=6)


async def test_a_short_failure_does_not_make_it_unready(fake, quiet_like_production):
    async with running_bot(bot_settings(fake)) as bot:
        fake.fail("getUpdates", 502, times=1)
        fake.push(tg.message("/contact", user_id=8902))
        assert await fake.wait_for(lambda: fake.sent_to(8902), timeout=6)
        assert (await get(bot, "/healthz"))[0] == 200  # within the grace period, and recovered


async def test_sigterm_after_an_outage_stops_within_two_seconds(fake, quiet_like_production):
    async with running_bot(bot_settings(fake)) as bot:
        fake.push(tg.message("/contact", user_id=8903))
        assert await fake.wait_for(lambda: fake.sent_to(8903), timeout=6)
        fake.fail("getUpdates", 502, times=10_000)
        fake.fail("sendMessage", 502, times=10_000)
        fake.push(tg.message("/about", user_id=8904))  # an answer stuck retrying
        await asyncio.sleep(3)  # the poller is backing off now
        started = time.monotonic()
        assert await bot.shutdown() == 0
        assert time.monotonic() - started < 2.0


async def test_sigterm_with_an_answer_stuck_retrying_stops_within_two_seconds(
    fake, quiet_like_production
):
    async with running_bot(bot_settings(fake)) as bot:
        fake.fail("sendMessage", 502, times=10_000)
        fake.push(tg.message("/about", user_id=8905))  # its answer retries with backoff
        assert await fake.wait_for(lambda: len(fake.attempts("sendMessage")) >= 2, timeout=6)
        started = time.monotonic()
        assert await bot.shutdown() == 0
        assert time.monotonic() - started < 2.0


async def test_sigterm_when_the_bot_api_is_unreachable_stops_within_two_seconds(
    fake, quiet_like_production
):
    async with running_bot(bot_settings(fake)) as bot:
        await fake.stop()  # connection refused from now on
        await asyncio.sleep(3)
        started = time.monotonic()
        assert await bot.shutdown() == 0
        assert time.monotonic() - started < 2.0


async def test_a_fresh_process_has_every_knowable_series_at_zero(fake, quiet_like_production):
    async with (
        running_bot(bot_settings(fake)) as bot,
        aiohttp.ClientSession() as session,
        session.get(f"{bot.base_url}/metrics") as response,
    ):
        text = await response.text()
    for series in (
        'iombot_questions_total{language="ja",platform="telegram",topic="contact"} 0.0',
        'iombot_unanswered_total{language="en",platform="telegram"} 0.0',
        'iombot_errors_total{platform="telegram"} 0.0',
        'iombot_rate_limited_total{platform="telegram"} 0.0',
        'iombot_feedback_total{language="ja",platform="telegram",vote="down"} 0.0',
        'iombot_reply_seconds_count{platform="telegram"} 0.0',
        'iombot_adapter_up{adapter="telegram"} 1.0',
        "iombot_state_errors_total 0.0",
    ):
        assert series in text, series
    assert "process_resident_memory_bytes" in text and "python_gc_collections_total" in text
    assert "_created" not in text
