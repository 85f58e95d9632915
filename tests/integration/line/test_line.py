"""The LINE adapter end to end: `serve()` with LINE (the real line-bot-sdk client) against the fake
LINE API on loopback, signed webhooks posted to our server."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace

from aiohttp import ClientSession
from line_harness import Running, line_settings, quick_replies, replied, running

from iombot.bots.line import PLATFORM as LINE
from iombot.bots.line.deliver import LineDeliverer
from iombot.bots.line.settings import LineSettings
from iombot.bots.service import serve
from iombot.bots.settings import Secret
from iombot.core.content import load_content
from iombot.core.reply import Paragraph, Reply, ReplyKind, Text
from iombot.testing import line as fake_line
from iombot.testing.line import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    FakeLine,
    follow_event,
    postback_event,
    signed_headers,
    sticker_event,
    text_event,
    webhook_body,
)

from testsupport import ADAPTER_CONTENT

TOPICS = load_content(ADAPTER_CONTENT).by_command()
CONTACT_EN = TOPICS["contact"].text("en").title
CONTACT_JA = TOPICS["contact"].text("ja").title
USER = "U" + "2" * 32


async def test_a_question_in_a_one_to_one_chat_is_answered_with_quick_replies(fake):
    async with running(line_settings(fake)) as bot:
        assert await bot.send(text_event("/contact", user_id=USER, reply_token="tok-1")) == 200
        (call,) = await replied(fake)
        assert call.body["replyToken"] == "tok-1"
        assert FakeLine.texts(call)[0].startswith(CONTACT_EN)
        items = quick_replies(call)
        assert ("👍", "fb:up:contact:en") in items and ("👎", "fb:down:contact:en") in items
        assert any(data.startswith("topic:") for _, data in items)
        assert all(len(label) <= 20 for label, _ in items)
        # A postback opens its topic.
        await bot.send(postback_event("topic:history", user_id=USER))
        calls = await replied(fake, 2)
        assert FakeLine.texts(calls[1])[0].startswith(TOPICS["history"].text("en").title)


async def test_the_webhook_checks_the_signature_before_anything_else(fake):
    async with running(line_settings(fake)) as bot:
        body = webhook_body(text_event("/contact", user_id=USER))
        assert await bot.post(body, {"Content-Type": "application/json"}) == 400
        bad = {
            "Content-Type": "application/json",
            "X-Line-Signature": fake_line.signature(body, "wrong"),
        }
        assert await bot.post(body, bad) == 401
        assert await bot.post(b"not json", signed_headers(b"not json")) == 400
        assert await bot.post(b'{"events": [{"type": 7}]}') == 200  # signed: LINE's, unreadable
        assert await bot.send() == 200  # the console's verification: no events
        await asyncio.sleep(0.3)
        assert fake.calls_to("reply") == []
        status, health = await bot.get("/healthz")
        assert status == 200 and json.loads(health)["adapters"]["line"]["up"] is True


async def test_each_event_is_read_on_its_own(fake, caplog):
    """An event that cannot be read is logged and skipped, and the others in the body answered;
    events as LINE sent them before it added webhookEventId, deliveryContext and quoteToken,
    an event type the SDK does not know, and one in standby mode are all taken in their stride."""
    old = text_event("/contact", user_id=USER, reply_token="tok-old")
    for field in ("webhookEventId", "deliveryContext"):
        del old[field]
    old["message"].pop("quoteToken", None)
    standby = {**text_event("/history", user_id=USER, reply_token="tok-standby"), "mode": "standby"}
    unknown = {**follow_event(user_id=USER), "type": "things", "replyToken": "tok-things"}
    pointless = postback_event("richmenu-changed-to-b", user_id=USER, reply_token="tok-menu")
    body = webhook_body(text_event("/un", user_id=USER, reply_token="tok-new"))
    body = body.replace(b'"events": [', b'"events": ["junk", {"no": "type"}, ')
    async with running(line_settings(fake)) as bot:
        assert await bot.post(body) == 200
        assert await bot.send(old, standby, unknown, pointless) == 200
        await replied(fake, 2)
        await asyncio.sleep(0.3)
    assert sorted(c.body["replyToken"] for c in fake.calls_to("reply")) == ["tok-new", "tok-old"]
    skipped = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
    assert skipped == [
        "skipped a LINE webhook event that could not be read: an event that is not an object (str)",
        "skipped a LINE webhook event that could not be read: an event without a type",
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_language_from_japanese_text_the_profile_and_lang(fake):
    fake.languages[USER] = "ja"
    async with running(line_settings(fake)) as bot:
        await bot.send(text_event("電話番号は？", user_id="U" + "3" * 32))
        await bot.send(text_event("/contact", user_id=USER))  # the profile says Japanese
        calls = await replied(fake, 2)
        assert all(FakeLine.texts(c)[0].startswith(CONTACT_JA) for c in calls)
        await bot.send(text_event("/lang en", user_id=USER))
        await replied(fake, 3)
        await bot.send(text_event("/contact", user_id=USER))  # the explicit choice wins
        calls = await replied(fake, 4)
        assert FakeLine.texts(calls[3])[0].startswith(CONTACT_EN)
        # One lookup: the Japanese question needs none, and USER's profile is kept.
        assert len(fake.calls_to("profile")) == 1


async def test_groups_answer_commands_and_mentions_only(fake):
    async with running(line_settings(fake)) as bot:
        group = "C" + "4" * 32
        await bot.send(text_event("chatting about lunch", user_id=USER, group_id=group))
        await bot.send(sticker_event(user_id=USER, group_id=group))
        await asyncio.sleep(0.3)
        assert fake.calls_to("reply") == []
        await bot.send(text_event("contact", user_id=USER, group_id=group, mention_self=True))
        await bot.send(text_event("/history", user_id=USER, group_id=group))
        calls = await replied(fake, 2)
        firsts = sorted(FakeLine.texts(c)[0].split("\n")[0] for c in calls)
        assert firsts == sorted([CONTACT_EN, TOPICS["history"].text("en").title])


async def test_follow_welcomes_and_a_sticker_gets_text_only_please(fake):
    async with running(line_settings(fake)) as bot:
        await bot.send(follow_event(user_id=USER))
        (welcome,) = await replied(fake)
        assert "Welcome" in FakeLine.texts(welcome)[0]
        await bot.send(sticker_event(user_id=USER))
        calls = await replied(fake, 2)
        assert "only read text" in FakeLine.texts(calls[1])[0]


async def test_a_redelivered_event_is_answered_once_and_a_used_token_breaks_nothing(fake):
    async with running(line_settings(fake)) as bot:
        event = text_event("/contact", user_id=USER, event_id="01HREDELIVERED0000000000AA")
        await bot.send(event)
        await replied(fake)
        await bot.send({**event, "deliveryContext": {"isRedelivery": True}})
        await asyncio.sleep(0.3)
        assert len(fake.calls_to("reply")) == 1
        fake.expired_tokens.add("tok-old")
        await bot.send(text_event("/contact", user_id=USER, reply_token="tok-old"))
        await asyncio.sleep(0.3)
        await bot.send(text_event("/history", user_id=USER, reply_token="tok-new"))
        calls = await fake.wait_for("reply", 3)
        assert calls[-1].body["replyToken"] == "tok-new" and calls[-1].status == 200


async def test_api_429_and_500_are_retried_then_given_up_politely(fake):
    async with running(line_settings(fake)) as bot:
        fake.fail("reply", 429, retry_after=0)
        await bot.send(text_event("/contact", user_id=USER))
        calls = await fake.wait_for("reply", 2)
        assert [c.status for c in calls] == [429, 200]
        fake.fail("reply", 500, times=3)
        await bot.send(text_event("/history", user_id=USER))
        await fake.wait_for("reply", 5)
        await asyncio.sleep(0.3)
        await bot.send(text_event("/about", user_id=USER))
        calls = await fake.wait_for("reply", 6)
        # /history tried three times and given up; /about answered at once: still serving.
        assert [c.status for c in calls] == [429, 200, 500, 500, 500, 200]
        assert FakeLine.texts(calls[-1])[0].startswith(TOPICS["about"].text("en").title)


async def test_hostile_text_and_a_10000_character_question(fake):
    async with running(line_settings(fake)) as bot:
        hostile = "<script>alert(1)</script> $ {emoji} @all " + "質問" * 4980
        await bot.send(text_event(hostile, user_id=USER))
        (call,) = await replied(fake)
        assert call.status == 200
        assert all(len(t) <= 5000 for t in FakeLine.texts(call))


async def test_a_vote_is_thanked_and_counted(fake):
    async with running(line_settings(fake)) as bot:
        await bot.send(postback_event("fb:up:contact:en", user_id=USER))
        (call,) = await replied(fake)
        assert FakeLine.texts(call) == ["Thank you for your feedback!"]
        _, metrics = await bot.get("/metrics")
        assert 'iombot_feedback_total{language="en",platform="line",vote="up"} 1.0' in metrics
        # A vote is not a question.
        assert (
            'iombot_questions_total{language="en",platform="line",topic="contact"} 0.0' in metrics
        )


async def test_a_refused_token_stops_start_up_without_showing_it(fake):
    settings = line_settings(fake)
    bad = replace(settings.platforms["line"], access_token=Secret("a-wrong-token-value"))
    settings = replace(settings, platforms={"line": bad})
    assert await serve(settings, [LINE], asyncio.Event()) == 1


async def test_the_staff_handoff_works_on_line_too(fake):
    from iombot.bots.handoff import HandoffSettings
    from iombot.bots.slack import PLATFORM as SLACK
    from iombot.bots.slack.settings import SlackSettings
    from iombot.testing.slack import BOT_TOKEN, SECRET, FakeSlack, event_payload
    from iombot.testing.slack import signed_headers as slack_signed

    slack = FakeSlack()
    await slack.start()
    try:
        settings = line_settings(fake)
        slack_options = SlackSettings(Secret(BOT_TOKEN), Secret(SECRET), api_url=slack.api_url)
        settings = replace(
            settings,
            platforms={**settings.platforms, "slack": slack_options},
            handoff=HandoffSettings(channel="C0HANDOFF1"),
        )
        adapters: list = []

        def make(platform):
            def made(services, options):
                adapters.append(platform.make_adapter(services, options))
                return adapters[-1]

            return replace(platform, make_adapter=made)

        registry = [make(LINE), make(SLACK)]
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, registry, stop, registry=registry))
        for _ in range(300):
            if len(adapters) == 2 and all(a.health()["up"] for a in adapters):
                break
            await asyncio.sleep(0.02)
        async with ClientSession() as http:
            bot = Running(f"http://127.0.0.1:{settings.port}", http, adapters[0])
            await bot.send(text_event("qzxv plmk?", user_id=USER))
            (first,) = await replied(fake)
            assert ("Ask IOM Tokyo staff", "staff:ask") in quick_replies(first)
            await bot.send(text_event("/staff Can I talk to someone?", user_id=USER))
            await replied(fake, 2)
            posted = await slack.wait_for("chat.postMessage", 1)
            thread = posted[0].result["ts"]
            event = {
                "type": "message",
                "channel": "C0HANDOFF1",
                "channel_type": "channel",
                "user": "U0STAFF01",
                "text": "Yes, call us on 03.",
                "ts": "1800000000.000001",
                "thread_ts": thread,
            }
            body = json.dumps(event_payload(event, "EvLine"))
            async with http.post(
                f"{bot.base}/slack/events", data=body, headers=slack_signed(body)
            ) as response:
                assert response.status == 200
            (push,) = await fake.wait_for("push", 1)
            assert push.body["to"] == USER
            assert "Yes, call us on 03." in "\n".join(FakeLine.texts(push))
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
    finally:
        await slack.stop()


async def test_the_staff_reply_deliverer_releases_its_http_session_on_close(fake):
    deliverer = LineDeliverer(LineSettings(Secret(CHANNEL_SECRET), Secret(ACCESS_TOKEN), fake.url))
    reply = Reply(kind=ReplyKind.EMPTY, language="en", blocks=(Paragraph((Text("hello"),)),))
    await deliverer.deliver("U-staff-reply", reply)
    assert [c.body["to"] for c in fake.pushes()] == ["U-staff-reply"]
    session = deliverer.line.api.api_client.rest_client.pool_manager
    await deliverer.close()
    assert session.closed and deliverer.line._client is None
