"""Webhook mode: our aiohttp server receives the updates at the webhook URL's path."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from tg_harness import SECRET, TOKEN, bot_settings, running_bot, title

from iombot.bots.settings import Secret
from iombot.testing import telegram as tg

HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
async def webhook_bot(fake, quiet_like_production):
    settings = bot_settings(fake, webhook_secret=Secret(SECRET))
    url = f"http://127.0.0.1:{settings.port}/telegram/hook"
    settings = bot_settings(
        fake, port=settings.port, webhook_url=url, webhook_secret=Secret(SECRET)
    )
    async with running_bot(settings) as bot, aiohttp.ClientSession() as session:
        yield bot, session, url


async def post(session, url: str, update: dict, secret: str | None = SECRET) -> int:
    headers = {HEADER: secret} if secret is not None else {}
    async with session.post(url, json=update, headers=headers) as response:
        return response.status


async def test_start_up_sets_the_webhook_with_its_secret_and_never_polls(fake, webhook_bot):
    bot, session, url = webhook_bot
    [call] = fake.sent("setWebhook")
    assert call.params["url"] == url
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query", "inline_query"]
    async with session.get(f"{bot.base_url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["adapters"]["telegram"]["state"] == "webhook"
    assert not fake.attempts("getUpdates") and not fake.attempts("deleteWebhook")


async def test_updates_with_the_secret_are_answered(fake, webhook_bot):
    _, session, url = webhook_bot
    assert await post(session, url, {"update_id": 1, **tg.message("/contact", user_id=6001)}) == 200
    assert (
        await post(session, url, {"update_id": 2, **tg.callback("topic:un", user_id=6002)}) == 200
    )
    assert await post(session, url, {"update_id": 3, **tg.inline_query("phone")}) == 200
    assert await fake.wait_for(
        lambda: fake.sent_to(6001) and fake.sent_to(6002) and fake.sent("answerInlineQuery")
    )
    assert fake.sent_to(6001)[0].text.startswith(title("contact"))
    assert fake.sent_to(6002)[0].text.startswith(title("un"))


async def test_a_wrong_or_missing_secret_gets_403_and_is_not_processed(
    fake, webhook_bot, quiet_like_production
):
    _, session, url = webhook_bot
    update = {"update_id": 10, **tg.message("/contact", user_id=6101)}
    assert await post(session, url, update, secret=None) == 403
    assert await post(session, url, update, secret="wrong") == 403
    assert await post(session, url, update, secret=SECRET + "x") == 403
    async with session.post(url, data=b"{not json", headers={HEADER: SECRET}) as response:
        assert response.status == 400
    assert await post(session, url, {"update_id": 11, **tg.message("/about", user_id=6102)}) == 200
    assert await fake.wait_for(lambda: fake.sent_to(6102))
    assert fake.sent_to(6101) == []
    logged = quiet_like_production.get_records("setup") + quiet_like_production.records
    assert any("receiving webhooks" in r.getMessage() for r in logged)
    for record in logged:
        shown = record.getMessage() + (record.exc_text or "")
        assert SECRET not in shown and TOKEN not in shown


async def test_malformed_updates_are_dropped_and_serving_goes_on(
    fake, webhook_bot, quiet_like_production
):
    _, session, url = webhook_bot
    for body in ([1, 2], {"no": "update_id"}, {"update_id": 30, "message": {"text": "x"}}, "text"):
        assert await post(session, url, body) == 200  # Telegram would only resend it
    assert await post(session, url, {"update_id": 31, "future_kind": {"id": 1}}) == 200
    assert await post(session, url, {"update_id": 32, **tg.message("/about", user_id=6301)}) == 200
    assert await fake.wait_for(lambda: fake.sent_to(6301))
    assert len(fake.sent()) == 1
    warnings = [
        r.getMessage() for r in quiet_like_production.records if r.levelno == logging.WARNING
    ]
    unread = "ignored an update (not an object) that python-telegram-bot could not read: "
    assert warnings.count(unread + "AttributeError") == 2
    # An update of a known kind without what the Bot API always sends: its kind and the problem.
    assert "ignored an update (message) that python-telegram-bot could not read: KeyError" in (
        warnings
    )


async def test_stop_leaves_the_webhook_in_place(fake):
    settings = bot_settings(fake)
    url = f"http://127.0.0.1:{settings.port}/hook"
    settings = bot_settings(
        fake, port=settings.port, webhook_url=url, webhook_secret=Secret(SECRET)
    )
    async with running_bot(settings) as bot:
        async with aiohttp.ClientSession() as session:
            update = {"update_id": 20, **tg.message("/contact", user_id=6201)}
            assert await post(session, url, update) == 200
        assert await fake.wait_for(lambda: fake.sent_to(6201))
        assert await bot.shutdown() == 0
    assert not fake.attempts("deleteWebhook")  # updates wait at Telegram for the next start


async def test_a_redelivered_update_is_answered_once_even_on_another_replica(
    fake, redis_server, quiet_like_production
):
    # Two replicas behind one webhook URL (a proxy), sharing a real Redis: Telegram delivers an
    # update again when the first delivery looked lost, and the second may reach the other one.
    replicas = []
    for _ in range(2):
        first = bot_settings(fake, state_url=redis_server.url)
        url = f"http://127.0.0.1:{first.port}/telegram/hook"
        replicas.append(
            bot_settings(
                fake,
                port=first.port,
                state_url=redis_server.url,
                webhook_url=url,
                webhook_secret=Secret(SECRET),
            )
        )
    update = {"update_id": 990001, **tg.message("/contact", user_id=9901)}
    async with (
        running_bot(replicas[0]) as one,
        running_bot(replicas[1]) as two,
        aiohttp.ClientSession() as session,
    ):
        for bot in (one, two, one):
            assert await post(session, f"{bot.base_url}/telegram/hook", update) == 200
        assert await fake.wait_for(lambda: fake.sent_to(9901), timeout=5)
        later = {"update_id": 990002, **tg.message("/contact", user_id=9901)}
        assert await post(session, f"{two.base_url}/telegram/hook", later) == 200
        assert await fake.wait_for(lambda: len(fake.sent_to(9901)) == 2, timeout=5)
    assert len(fake.sent_to(9901)) == 2  # one answer per update, not per delivery
