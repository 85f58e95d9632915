"""Failures and odd input: 429, 5xx, 409, a failing handler, floods, unusual updates, a wrong
token, shutdown in the middle of a burst; and no token or message text in the logs."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest
from tg_harness import STICKER, TOKEN, bot_settings, running_bot, title

from iombot.bots.service import serve
from iombot.bots.settings import Secret
from iombot.bots.telegram import PLATFORM as TELEGRAM
from iombot.bots.telegram.adapter import RATE_LIMIT_RETRIES
from iombot.testing import telegram as tg
from iombot.testing.telegram import BOT_ID

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
    async with running_bot(bot_settings(fake, rate_limit=rate_limit)):
        fake.fail("sendMessage", 429, retry_after=1)
        fake.push(tg.message("/contact", user_id=8001))
        assert await fake.wait_for(lambda: fake.sent_to(8001), timeout=6)
    first, second = fake.attempts("sendMessage")[:2]
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.9  # waited as told
    assert second.text.startswith(title("contact"))


@pytest.mark.parametrize("rate_limit", [0, 30], ids=["no-throttle", "throttled"])
async def test_one_message_is_tried_three_times_under_repeated_429s(
    fake, rate_limit, quiet_like_production
):
    # One retry layer for 429s (PTB's AIORateLimiter, 2 retries); sending.py retries only
    # network failures and 5xx, so attempts never multiply between two layers.
    async with running_bot(bot_settings(fake, rate_limit=rate_limit)):
        fake.fail("sendMessage", 429, times=100, retry_after=1)
        fake.push(tg.message("/contact", user_id=8301))
        assert await fake.wait_for(
            lambda: "handling a message failed: RetryAfter" in quiet_like_production.text,
            timeout=6,
        )
    answers = [a for a in fake.attempts("sendMessage") if a.text.startswith(title("contact"))]
    assert [a.status for a in answers] == [429, 429, 429]
    assert 1 + RATE_LIMIT_RETRIES == 3
    # The apology is tried too (two sends of three attempts at most), then the bot gives up.
    apologies = [a for a in fake.attempts("sendMessage") if a not in answers]
    assert 1 <= len(apologies) <= 6 and not fake.sent_to(8301)


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
    assert fake.sent_to(8302)[0].text.startswith(title("contact"))
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
    assert all(m.text.startswith(title("contact")) for m in flooded[:20])
    assert flooded[20].text.startswith("You are sending messages very quickly.")
    assert fake.sent_to(8402)[0].text.startswith(title("about"))
    # The flooded chat waited for its own turns without holding up the other user.
    order = [int(call.params["chat_id"]) for call in fake.sent()]
    assert order.index(8402) < 10


# --- unusual updates: one test per kind, each against a bot of its own ---------------------------

BYSTANDER = 8600  # asks a normal question after each unusual update
GROUP = -100555
TEXT_ONLY = "I can only read text messages. Please type your question."


async def run_with(fake, log, update: dict) -> None:
    """Start a bot; push the update, then a normal question from a bystander; wait until the bot
    has taken both and answered the bystander; stop it. Stopping finishes every update taken, so
    the fake then holds all the bot will ever send about the update. Nothing was logged as an
    error and the bystander got the right answer: the update did the bot no harm."""
    async with running_bot(bot_settings(fake)):
        fake.push(update)
        last = fake.push(tg.message("/about", user_id=BYSTANDER))
        assert await fake.wait_for(lambda: fake.confirmed() > last and fake.sent_to(BYSTANDER))
    [answer] = fake.sent_to(BYSTANDER)
    assert answer.text.startswith(title("about"))
    assert fake.problems == []
    assert errors(log) == []


def errors(log) -> list[str]:
    return [r.getMessage() for r in log.records if r.levelno >= logging.ERROR]


def chats_answered(fake) -> list[int]:
    return sorted(int(call.params["chat_id"]) for call in fake.sent())


async def test_an_edited_message_gets_no_second_answer(fake, quiet_like_production):
    original = tg.message("/contact", user_id=8501)
    async with running_bot(bot_settings(fake)):
        fake.push(original)
        assert await fake.wait_for(lambda: fake.sent_to(8501))
        fake.push(tg.edited(original))
        last = fake.push(tg.message("/about", user_id=8501))  # the same chat: after the edit
        assert await fake.wait_for(lambda: fake.confirmed() > last and len(fake.sent_to(8501)) > 1)
    assert [m.text.split("\n")[0] for m in fake.sent_to(8501)] == [title("contact"), title("about")]
    assert errors(quiet_like_production) == []


# Messages with nothing to read, in a private chat: each gets one notice.
WITHOUT_TEXT = {
    "sticker": lambda: tg.message(None, user_id=8502, sticker=STICKER),
    "voice": lambda: tg.message(
        None, user_id=8503, voice={"file_id": "v", "file_unique_id": "v", "duration": 1}
    ),
    "empty-text": lambda: tg.message("", user_id=8507),
}


@pytest.mark.parametrize("make", WITHOUT_TEXT.values(), ids=WITHOUT_TEXT.keys())
async def test_a_message_without_text_gets_one_notice(fake, quiet_like_production, make):
    update = make()
    user = update["message"]["chat"]["id"]
    await run_with(fake, quiet_like_production, update)
    [notice] = fake.sent_to(user)
    assert notice.text == TEXT_ONLY
    assert chats_answered(fake) == sorted([user, BYSTANDER])


# Updates that are not for the bot: no message, no edit, no button answer.
NOT_FOR_US = {
    "channel-post": lambda: {
        "channel_post": tg.message("/contact", chat_id=-100999, chat_type="channel")["message"]
    },
    "photo-in-a-group": lambda: tg.message(
        None,
        user_id=8504,
        chat_id=GROUP,
        chat_type="group",
        photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
    ),
    "member-joins-a-group": lambda: tg.message(
        None, user_id=8505, chat_id=GROUP, chat_type="group", new_chat_members=[tg.user(8506)]
    ),
    "our-own-inline-result": lambda: tg.message(
        "<b>Contact</b> an inline result sent via us",
        user_id=8512,
        via_bot={"id": BOT_ID, "is_bot": True, "first_name": "Test"},
    ),
    "unknown-update-kind": lambda: {"some_future_update": {"id": 1, "what": "unknown to PTB"}},
}


@pytest.mark.parametrize("make", NOT_FOR_US.values(), ids=NOT_FOR_US.keys())
async def test_an_update_not_for_us_is_ignored(fake, quiet_like_production, make):
    await run_with(fake, quiet_like_production, make())
    assert chats_answered(fake) == [BYSTANDER]
    assert fake.attempts("editMessageText") == [] and fake.attempts("answerCallbackQuery") == []


async def test_a_command_from_an_anonymous_group_admin_is_answered(fake, quiet_like_production):
    update = tg.message(
        "/contact",
        chat_id=GROUP,
        chat_type="supergroup",
        sender=False,  # no "from": the group itself speaks
        sender_chat={"id": GROUP, "type": "supergroup", "title": "G"},
    )
    await run_with(fake, quiet_like_production, update)
    [answer] = fake.sent_to(GROUP)
    assert answer.text.startswith(title("contact"))


@pytest.mark.parametrize("data", ["placeholder", "nonsense:action"])
async def test_a_button_the_bot_did_not_make_is_only_acknowledged(
    fake, quiet_like_production, data
):
    update = tg.callback(data, user_id=8510)  # forged, or of another bot's version
    await run_with(fake, quiet_like_production, update)
    [acknowledged] = fake.sent("answerCallbackQuery")
    assert acknowledged.params["callback_query_id"] == update["callback_query"]["id"]
    assert chats_answered(fake) == [BYSTANDER]


async def test_a_button_press_without_data_is_only_acknowledged(fake, quiet_like_production):
    update = {"callback_query": {"id": "c1", "from": tg.user(8508), "chat_instance": "x"}}
    await run_with(fake, quiet_like_production, update)
    assert [c.params["callback_query_id"] for c in fake.sent("answerCallbackQuery")] == ["c1"]
    assert chats_answered(fake) == [BYSTANDER]
    assert fake.attempts("editMessageText") == []


async def test_a_button_under_an_inline_result_shows_the_topic_in_its_place(
    fake, quiet_like_production
):
    update = {
        "callback_query": {
            "id": "c2",
            "from": tg.user(8509),
            "chat_instance": "x",
            "data": "topic:contact",
            "inline_message_id": "im1",
        }
    }
    await run_with(fake, quiet_like_production, update)
    [edit] = fake.sent("editMessageText")
    assert edit.params["inline_message_id"] == "im1"
    assert edit.text.startswith(title("contact"))
    assert [c.params["callback_query_id"] for c in fake.sent("answerCallbackQuery")] == ["c2"]
    assert chats_answered(fake) == [BYSTANDER]


async def test_a_stale_topic_button_is_answered_politely(fake, quiet_like_production):
    """A button of ours for a topic the content no longer has: the menu (a button that is not
    ours at all gets nothing but its acknowledgement: see above)."""
    user = 8511
    update = tg.callback("topic:no_such_topic", user_id=user)
    await run_with(fake, quiet_like_production, update)
    [answer] = fake.sent_to(user)
    buttons = [row[0]["callback_data"] for row in answer.params["reply_markup"]["inline_keyboard"]]
    assert answer.text and buttons and all(b.startswith("topic:") for b in buttons)  # the topics
    acknowledged = [c.params["callback_query_id"] for c in fake.sent("answerCallbackQuery")]
    assert acknowledged == [update["callback_query"]["id"]]
    assert chats_answered(fake) == sorted([user, BYSTANDER])


async def test_a_wrong_token_stops_start_up_naming_the_variable_not_the_token(
    fake, quiet_like_production
):
    wrong = "999999:WRONG_TOKEN_abcdefghijklmnopqrstuv"
    settings = bot_settings(fake, token=Secret(wrong))
    status = await asyncio.wait_for(serve(settings, [TELEGRAM]), 10)
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
