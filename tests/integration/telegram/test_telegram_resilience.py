"""Failures and odd input: 429, 5xx, 409, a failing handler, floods, unusual updates, a wrong
token, shutdown in the middle of a burst; and no token or message text in the logs."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest
import tg_updates as tg
from fake_bot_api import BOT_ID
from tg_harness import TOKEN, bot_settings, running_bot

from iombot.bots.service import serve
from iombot.bots.settings import Secret

PRIVATE_QUESTION = "does the purple elephant know my phone number"
# PTB 22.8 reads its own deprecated RetryAfter.retry_after while building the error.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:DeprecationWarning")


async def metric(bot, name: str) -> float:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{bot.base_url}/metrics") as response,
    ):
        text = await response.text()
    for line in text.splitlines():
        if line.startswith(f'{name}{{platform="telegram"}} '):
            return float(line.split()[-1])
    return 0.0


def assert_no_secrets(caplog, *secrets: str) -> None:
    for record in caplog.records:
        shown = record.getMessage() + (record.exc_text or "") + str(record.__dict__)
        for secret in secrets:
            assert secret not in shown, record.getMessage()


@pytest.mark.parametrize("rate_limit", [0, 30], ids=["own-retry", "rate-limiter"])
async def test_429_retry_after_is_honoured_and_the_answer_arrives(fake, rate_limit):
    async with running_bot(bot_settings(fake, telegram_rate_limit=rate_limit)):
        fake.fail("sendMessage", 429, retry_after=1)
        fake.push(tg.message("/contact", user_id=8001))
        assert await fake.wait_for(lambda: fake.sent_to(8001), timeout=6)
    first, second = fake.attempts("sendMessage")[:2]
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.9  # waited as told
    assert second.text.startswith("<b>Contact IOM Tokyo</b>")


async def test_5xx_from_get_updates_and_send_message_then_recovery(fake, quiet_like_production):
    fake.fail("getUpdates", 500)  # the first poll fails
    async with running_bot(bot_settings(fake)):
        fake.fail("sendMessage", 502, times=2)
        fake.push(tg.message("/contact", user_id=8101))
        assert await fake.wait_for(lambda: fake.sent_to(8101), timeout=8)
    assert [call.status for call in fake.attempts("sendMessage")] == [502, 502, 200]
    assert [call.status for call in fake.attempts("getUpdates")][:2] == [500, 200]
    assert "getUpdates failed (NetworkError); retrying" in quiet_like_production.text


async def test_409_conflict_is_reported_as_a_second_poller(fake, quiet_like_production):
    fake.fail("getUpdates", 409)  # the first poll finds another poller
    async with running_bot(bot_settings(fake)) as bot:
        fake.push(tg.message("/contact", user_id=8201))
        assert await fake.wait_for(lambda: fake.sent_to(8201), timeout=6)
        assert bot.adapter.health()["last_error"]["error"] == "Conflict"
    errors = [r for r in quiet_like_production.records if r.levelno == logging.ERROR]
    assert any("another process is polling with this bot token" in r.getMessage() for r in errors)


async def test_a_failing_handler_is_logged_and_the_user_gets_an_apology(
    fake, quiet_like_production
):
    async with running_bot(bot_settings(fake)) as bot:
        fake.fail("sendMessage", 400)  # a BadRequest is not retried: the handler fails
        update_id = fake.push(tg.message(PRIVATE_QUESTION, user_id=8301, language_code="ja"))
        assert await fake.wait_for(lambda: fake.sent_to(8301))
        fake.push(tg.message("/contact", user_id=8302))  # everyone else keeps being served
        assert await fake.wait_for(lambda: fake.sent_to(8302))
        assert await metric(bot, "iombot_errors_total") == 1.0
    [apology] = fake.sent_to(8301)
    assert (
        apology.text
        == "申し訳ありません。問題が発生しました。しばらくしてからもう一度お試しください。"
    )
    assert fake.sent_to(8302)[0].text.startswith("<b>Contact IOM Tokyo</b>")
    [failure] = [r for r in quiet_like_production.records if r.levelno == logging.ERROR]
    assert failure.update_id == update_id and failure.exc_info
    assert "BadRequest" in failure.getMessage()
    for record in quiet_like_production.records:
        assert PRIVATE_QUESTION not in record.getMessage()
    assert_no_secrets(quiet_like_production, TOKEN)


async def test_per_user_flood_limit_notice_once_then_silence(fake):
    async with running_bot(bot_settings(fake)) as bot:
        for _ in range(25):
            fake.push(tg.message("/contact", user_id=8401))
        fake.push(tg.message("/about", user_id=8402))
        assert await fake.wait_for(lambda: len(fake.sent_to(8401)) >= 21 and fake.sent_to(8402))
        deadline = time.monotonic() + 3
        while await metric(bot, "iombot_rate_limited_total") < 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert await metric(bot, "iombot_rate_limited_total") == 5
    flooded = fake.sent_to(8401)
    assert len(flooded) == 21
    assert all(m.text.startswith("<b>Contact IOM Tokyo</b>") for m in flooded[:20])
    assert flooded[20].text.startswith("You are sending messages very quickly.")
    assert fake.sent_to(8402)[0].text.startswith("<b>What is IOM?</b>")
    # The flooded chat waited for its own turns without holding up the other user.
    order = [int(call.params["chat_id"]) for call in fake.sent()]
    assert order.index(8402) < 10


async def test_unusual_updates_are_ignored_or_answered_politely(fake, quiet_like_production):
    group = -100555
    async with running_bot(bot_settings(fake)):
        original = tg.message("/contact", user_id=8501)
        fake.push(original)
        assert await fake.wait_for(lambda: fake.sent_to(8501))
        odd = [
            tg.edited(original),
            {
                "channel_post": tg.message("/contact", chat_id=-100999, chat_type="channel")[
                    "message"
                ]
            },
            tg.message(None, user_id=8502, sticker=_sticker()),
            tg.message(
                None, user_id=8503, voice={"file_id": "v", "file_unique_id": "v", "duration": 1}
            ),
            tg.message(
                None,
                user_id=8504,
                chat_id=group,
                chat_type="group",
                photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
            ),
            tg.message(
                None,
                user_id=8505,
                chat_id=group,
                chat_type="group",
                new_chat_members=[tg.user(8506)],
            ),
            tg.message(
                "/contact",
                chat_id=group,
                chat_type="supergroup",
                sender=False,
                sender_chat={"id": group, "type": "supergroup", "title": "G"},
            ),
            tg.message("", user_id=8507),
            tg.message(
                "<b>Contact</b> an inline result sent via us",
                user_id=8512,
                via_bot={"id": BOT_ID, "is_bot": True, "first_name": "Test"},
            ),
            {"some_future_update": {"id": 1, "what": "unknown to PTB"}},
            {"callback_query": {"id": "c1", "from": tg.user(8508), "chat_instance": "x"}},
            {
                "callback_query": {
                    "id": "c2",
                    "from": tg.user(8509),
                    "chat_instance": "x",
                    "data": "topic:contact",
                    "inline_message_id": "im1",
                }
            },
            tg.callback("nonsense:action", user_id=8510),
            tg.callback("topic:no_such_topic", user_id=8511),
        ]
        for update in odd:
            fake.push(update)
        fake.push(tg.message("/about", user_id=8501))
        assert await fake.wait_for(
            lambda: (
                len(fake.sent_to(8501)) == 2
                and all(fake.sent_to(u) for u in (8502, 8503, 8507, 8510, 8511))
                and fake.sent_to(group)
                and fake.sent("editMessageText")
            )
        )
        await asyncio.sleep(0.2)
    assert [m.text.split("\n")[0] for m in fake.sent_to(8501)] == [
        "<b>Contact IOM Tokyo</b>",  # the edit got no second answer
        "<b>What is IOM?</b>",
    ]
    for sticker_voice_or_empty in (8502, 8503, 8507):
        [notice] = fake.sent_to(sticker_voice_or_empty)
        assert notice.text == "I can only read text messages. Please type your question."
    [anonymous] = fake.sent_to(group)  # photos and joins in groups are ignored
    assert anonymous.text.startswith("<b>Contact IOM Tokyo</b>")
    assert fake.sent_to(-100999) == []  # channel posts
    assert fake.sent_to(8512) == []  # our own inline result, sent via us
    assert fake.sent("editMessageText")[0].params["inline_message_id"] == "im1"
    assert len(fake.sent("answerCallbackQuery")) == 4
    assert not [r for r in quiet_like_production.records if r.levelno >= logging.ERROR]


def _sticker() -> dict:
    return {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }


async def test_a_wrong_token_stops_start_up_naming_the_variable_not_the_token(
    fake, quiet_like_production
):
    wrong = "999999:WRONG_TOKEN_abcdefghijklmnopqrstuv"
    settings = bot_settings(fake, telegram_token=Secret(wrong))
    status = await asyncio.wait_for(serve(settings, ["telegram"]), 10)
    assert status == 1
    messages = [r.getMessage() for r in quiet_like_production.records if r.levelno >= logging.ERROR]
    assert "TELEGRAM_BOT_TOKEN was rejected by Telegram" in messages
    assert_no_secrets(quiet_like_production, wrong, TOKEN)


async def test_shutdown_mid_burst_answers_every_confirmed_update(fake):
    fake.send_delay = 0.05
    async with running_bot(bot_settings(fake)) as bot:
        pushed = {fake.push(tg.message("/contact", user_id=9000 + n)): 9000 + n for n in range(40)}
        assert await fake.wait_for(lambda: len(fake.sent()) >= 3)
        started = time.monotonic()
        assert await bot.shutdown() == 0
        assert time.monotonic() - started < 10
    confirmed = fake.confirmed()
    assert confirmed > min(pushed)
    for update_id, user in pushed.items():
        if update_id < confirmed:
            assert fake.sent_to(user), f"update {update_id} was confirmed but not answered"
