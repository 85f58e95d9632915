"""The aiohttp request class PTB sends through (bots/telegram/request.py), against the fake Bot
API: what arrives, and what PTB is told when the call fails."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError
from tg_harness import TOKEN

from iombot.bots.telegram.request import AiohttpRequest
from iombot.testing.telegram import FakeBotApi

from testsupport import free_port


def bot_on(url: str) -> Bot:
    return Bot(TOKEN, base_url=f"{url}/bot", request=AiohttpRequest(connection_pool_size=4))


async def test_parameters_arrive_as_json_with_their_objects(fake: FakeBotApi):
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("連絡先", callback_data="topic:contact")]]
    )
    async with bot_on(fake.url) as bot:
        sent = await bot.send_message(
            8001, "<b>電話番号</b> &amp; more", "HTML", reply_markup=keyboard
        )
    assert sent.text == "sent"  # the fake's answer, parsed by PTB
    call = fake.calls[-1]
    assert call.method == "sendMessage"
    assert call.params["chat_id"] == 8001
    assert call.params["text"] == "<b>電話番号</b> &amp; more"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "連絡先", "callback_data": "topic:contact"}]]
    }


async def test_a_file_goes_as_multipart_with_the_other_parameters(fake: FakeBotApi):
    async with bot_on(fake.url) as bot:
        await bot.send_document(8002, b"hello", filename="a.txt", caption="a file")
    call = fake.calls[-1]
    assert call.method == "sendDocument"
    assert call.params["chat_id"] == "8002"  # form fields arrive as text
    assert call.params["caption"] == "a file"


async def test_an_error_answer_becomes_the_telegram_error(fake: FakeBotApi):
    fake.failures["sendMessage"] = [(400, None)]
    async with bot_on(fake.url) as bot:
        with pytest.raises(BadRequest, match="fake failure 400"):
            await bot.send_message(8003, "hi")


async def test_no_server_is_a_network_error():
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await request.post(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_a_request_before_initialize_is_refused():
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/", "POST")


async def test_the_staff_reply_deliverer_sends_on_our_client_and_closes_it(fake: FakeBotApi):
    from iombot.bots.settings import Secret
    from iombot.bots.telegram.deliver import TelegramDeliverer
    from iombot.bots.telegram.settings import TelegramSettings
    from iombot.core.reply import Paragraph, Reply, ReplyKind, Text

    deliverer = TelegramDeliverer(TelegramSettings(Secret(TOKEN), api_url=fake.url))
    reply = Reply(kind=ReplyKind.EMPTY, language="en", blocks=(Paragraph((Text("hello"),)),))
    await deliverer.deliver("8010", reply)
    assert [c.params["chat_id"] for c in fake.sent_to(8010)] == [8010]
    session = deliverer.request._session
    assert session is not None and not session.closed
    await deliverer.close()
    assert session.closed
