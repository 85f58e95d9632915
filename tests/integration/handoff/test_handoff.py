"""Asking a person, end to end: a Telegram user's question becomes a ticket in the staff channel
in Slack, a staff member's reply in its thread comes back to the user's chat, and either side
closes it. The real python-telegram-bot Application and the real Bolt app, under serve()."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace

import pytest
from both_platforms import (
    CHANNEL,
    STAFF,
    buttons,
    handoff_settings,
    running,
    staff_reply,
    tickets_posted,
    tmp_sqlite,
    wait,
)

from iombot.bots.settings import Secret
from iombot.core.content import load_content
from iombot.testing.slack import (
    APP_TOKEN,
    action_body,
    action_payload,
    command_body,
    event_payload,
    signed_headers,
)
from iombot.testing.telegram import callback, message

from testsupport import ADAPTER_CONTENT, free_port

CONTACT_EN = load_content(ADAPTER_CONTENT).by_command()["contact"].text("en").title

USER = 4242


def thread_posts(slack, thread: str) -> list:
    return [c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == thread]


def plain_texts(call) -> list[str]:
    blocks = call.args.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return [b["text"]["text"] for b in blocks if b.get("text", {}).get("type") == "plain_text"]


async def open_ticket(telegram, slack, text: str, user: int = USER) -> str:
    """/staff <text> from a user; returns the ticket's thread ts in Slack."""
    before = len(tickets_posted(slack))
    telegram.push(message(f"/staff {text}", user_id=user))
    await wait(lambda: len(tickets_posted(slack)) > before)
    assert await telegram.wait_for(lambda: any("#" in c.text for c in telegram.sent_to(user)))
    return _ts_of(slack, tickets_posted(slack)[-1])


def _ts_of(slack, call) -> str:
    return call.result["ts"]  # the new message's ts, as the fake answered it


@pytest.mark.parametrize("only", [None, "telegram", "slack"])
async def test_the_ticket_counters_are_at_0_before_any_ticket(fakes, only):
    """The dashboard graphs them: every process exports them from the start, whichever
    adapters it runs (the compose services run one each)."""
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack), only=only) as bot:
        metrics = (await bot.metrics()).splitlines()
    for language in ("en", "ja"):
        labels = f'language="{language}",platform="telegram"'
        assert f"iombot_handoff_tickets_opened_total{{{labels}}} 0.0" in metrics
        for by in ("asker", "staff", "idle", "undeliverable"):
            assert f'iombot_handoff_tickets_closed_total{{by="{by}",{labels}}} 0.0' in metrics


async def test_a_question_goes_to_staff_and_their_reply_comes_back(fakes):
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack)) as bot:
        # A question the content can't answer offers a person.
        telegram.push(message("zxcvq qwrty plmkn?", user_id=USER))
        first = (await telegram.wait_sent(1))[0]
        assert ("Ask IOM Tokyo staff", "staff:ask") in buttons(first)
        # The button says what is shared, and asks for the question.
        telegram.push(callback("staff:ask", user_id=USER))
        await telegram.wait_sent(2)
        consent = telegram.sent_to(USER)[-1]
        assert "not your name" in consent.text and ("Cancel", "staff:cancel") in buttons(consent)
        hostile = "Visa? <b>bold</b> *star* <!channel> <@U999> &amp; done"
        telegram.push(message(hostile, user_id=USER))
        await wait(lambda: len(tickets_posted(slack)) == 1)
        ticket = tickets_posted(slack)[0]
        assert plain_texts(ticket) == [hostile]  # plain_text: never read as mrkdwn
        assert "Ticket #1" in json.dumps(ticket.args) and str(USER) not in json.dumps(ticket.args)
        assert await telegram.wait_for(lambda: "#1" in telegram.sent_to(USER)[-1].text)
        thread = _ts_of(slack, ticket)

        # A staff reply in the thread reaches the asker, readable and escaped.
        reply = "Hi <@U123> see <https://example.org/a?b=1&amp;c=2|our page> &lt;b&gt;ok&lt;/b&gt;"
        assert await bot.slack_event(staff_reply(reply, thread, "1800000000.000001"), "EvR1") == 200
        assert await telegram.wait_for(
            lambda: telegram.sent_to(USER)[-1].text.startswith("<b>IOM Tokyo staff</b>")
        )
        delivered = telegram.sent_to(USER)[-1].text
        assert "see our page (https://example.org/a?b=1&amp;c=2) &lt;b&gt;ok&lt;/b&gt;" in delivered
        assert "U123" not in delivered and not telegram.problems
        await wait(lambda: bool(slack.calls_to("reactions.add")))
        reaction = slack.calls_to("reactions.add")[0].args
        assert (
            reaction["name"] == "white_check_mark" and reaction["timestamp"] == "1800000000.000001"
        )

        # Slack's retry, and the same message as another event id (a second replica): once.
        sent = len(telegram.sent_to(USER))
        await bot.slack_event(
            staff_reply(reply, thread, "1800000000.000001"),
            "EvR1",
            **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        )
        await bot.slack_event(staff_reply(reply, thread, "1800000000.000001"), "EvR1-other")
        await asyncio.sleep(0.3)
        assert len(telegram.sent_to(USER)) == sent

        # The asker's next message goes to the thread; a command is still the bot's.
        telegram.push(message("Thank you! One more thing.", user_id=USER))
        await wait(lambda: len(thread_posts(slack, thread)) == 1)
        assert plain_texts(thread_posts(slack, thread)[0]) == ["Thank you! One more thing."]
        telegram.push(message("/contact", user_id=USER))
        assert await telegram.wait_for(lambda: len(telegram.sent_to(USER)) == sent + 1)
        assert telegram.sent_to(USER)[-1].text.startswith(f"<b>{CONTACT_EN}</b>")
        assert len(thread_posts(slack, thread)) == 1

        # /done closes it on both sides; then the bot answers again.
        telegram.push(message("/done", user_id=USER))
        assert await telegram.wait_for(lambda: "is closed" in telegram.sent_to(USER)[-1].text)
        await wait(
            lambda: any(
                "closed by the person who asked" in c.args.get("text", "")
                for c in thread_posts(slack, thread)
            )
        )
        telegram.push(message("hello again", user_id=USER))
        assert await telegram.wait_for(lambda: "is closed" not in telegram.sent_to(USER)[-1].text)
        assert len([c for c in thread_posts(slack, thread) if plain_texts(c)]) == 1

        # A staff message after closing is not passed on.
        sent = len(telegram.sent_to(USER))
        await bot.slack_event(staff_reply("late", thread, "1800000000.000009"), "EvLate")
        await asyncio.sleep(0.3)
        assert len(telegram.sent_to(USER)) == sent

        metrics = await bot.metrics()
        assert (
            'iombot_handoff_tickets_opened_total{language="en",platform="telegram"} 1.0' in metrics
        )
        assert (
            'iombot_handoff_tickets_closed_total{by="asker",language="en",platform="telegram"} 1.0'
            in metrics
        )
        assert "iombot_handoff_first_reply_seconds_count 1.0" in metrics
        assert "iombot_handoff_open_tickets 0.0" in metrics


async def test_staff_list_and_close_tickets_and_the_asker_is_told(fakes):
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack)) as bot:
        thread = await open_ticket(telegram, slack, "Where can I get help with my case?")
        body = command_body("tickets", slack.response_url(), user=STAFF, channel=CHANNEL)
        async with bot.http.post(
            f"{bot.base}/slack/events", data=body, headers=signed_headers(body)
        ) as response:
            listing = await response.json()
        assert "#1" in listing["text"] and f"p{thread.replace('.', '')}" in listing["text"]
        payload = action_payload("1", "iom_handoff_close", None, user=STAFF, channel=CHANNEL)
        assert await bot.slack_action(action_body(payload)) == 200
        assert await telegram.wait_for(lambda: "is closed" in telegram.sent_to(USER)[-1].text)
        await wait(
            lambda: any(
                "closed by staff" in c.args.get("text", "") for c in thread_posts(slack, thread)
            )
        )


async def test_a_blocked_user_is_noted_in_the_thread_and_the_ticket_closes(fakes):
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack)) as bot:
        thread = await open_ticket(telegram, slack, "Please call me back")
        telegram.fail("sendMessage", 403)
        await bot.slack_event(staff_reply("Sure, what number?", thread, "1800000001.000001"), "EvB")
        await wait(
            lambda: any(
                "could not be delivered" in c.args.get("text", "")
                for c in thread_posts(slack, thread)
            )
        )
        assert not slack.calls_to("reactions.add")
        metrics = await bot.metrics()
        assert 'by="undeliverable"' in metrics and "iombot_handoff_open_tickets 0.0" in metrics
        # Staff are told once that the ticket closed.
        await wait(
            lambda: any("is closed" in c.args.get("text", "") for c in thread_posts(slack, thread))
        )
        closing = [c for c in thread_posts(slack, thread) if "closed" in c.args.get("text", "")]
        assert len(closing) == 1


async def test_a_long_staff_reply_is_split_and_every_part_is_valid(fakes):
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack)) as bot:
        thread = await open_ticket(telegram, slack, "Tell me everything")
        before = len(telegram.sent_to(USER))
        long = " ".join(f"word{i}<&>" for i in range(1200))  # about 10,000 characters
        assert len(long) >= 10_000
        escaped = long.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # as Slack
        await bot.slack_event(staff_reply(escaped, thread, "1800000002.000001"), "EvLong")
        assert await telegram.wait_for(
            lambda: "word1199" in telegram.sent_to(USER)[-1].text, timeout=10
        )
        parts = telegram.sent_to(USER)[before:]
        assert len(parts) >= 3 and all(len(p.text) <= 4096 for p in parts)
        assert not telegram.problems  # every part is valid Telegram HTML
        joined = " ".join(p.text for p in parts)
        assert "word0" in joined and "word1199" in joined


async def test_the_hourly_limit_of_messages_to_staff(fakes):
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack)) as bot:
        # The limit is 20 an hour; the inbound flood limit (20 a minute) would stop a test that
        # sends 21 at once first, so this one counts to 3.
        bot.services.handoff.forward_limit = 3
        thread = await open_ticket(telegram, slack, "first")
        for n in range(4):
            telegram.push(message(f"more {n}", user_id=USER))
        assert await telegram.wait_for(lambda: "many messages" in telegram.sent_to(USER)[-1].text)
        await asyncio.sleep(0.2)
        assert [plain_texts(c) for c in thread_posts(slack, thread)] == [
            ["more 0"],
            ["more 1"],
            ["more 2"],
        ]


async def test_cancel_sends_nothing_and_groups_are_sent_to_a_private_chat(fakes):
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack)):
        telegram.push(message("/staff", user_id=USER))
        await telegram.wait_sent(1)
        telegram.push(callback("staff:cancel", user_id=USER))
        assert await telegram.wait_for(lambda: "Cancelled" in telegram.sent_to(USER)[-1].text)
        telegram.push(message("just a question now", user_id=USER))
        await telegram.wait_sent(3)
        assert not tickets_posted(slack)
        telegram.push(message("/staff help me", user_id=USER, chat_id=-100, chat_type="supergroup"))
        assert await telegram.wait_for(lambda: bool(telegram.sent_to(-100)))
        group = telegram.sent_to(-100)[-1].text
        assert "private chat" in group and "03-5555-0123" in group and "www.example.org" in group
        assert not tickets_posted(slack)


async def test_without_the_handoff_there_is_no_button_and_staff_gives_the_contact_route(fakes):
    telegram, slack = fakes
    settings = handoff_settings(telegram, slack)
    async with running(replace(settings, handoff=None)):
        telegram.push(message("zxcvq qwrty plmkn?", user_id=USER))
        first = (await telegram.wait_sent(1))[0]
        assert not any(data.startswith("staff:") for _, data in buttons(first))
        telegram.push(message("/staff please", user_id=USER))
        await telegram.wait_sent(2)
        unavailable = telegram.sent_to(USER)[-1].text
        assert "can't be reached" in unavailable and "03-5555-0123" in unavailable
        assert not tickets_posted(slack)


async def test_what_is_not_relayed(fakes):
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack)) as bot:
        thread = await open_ticket(telegram, slack, "a question")
        before = len(telegram.sent_to(USER))
        not_relayed = [
            dict(staff_reply("other channel", thread, "1800000003.000001"), channel="C0OTHER01"),
            staff_reply("not a ticket's thread", "1700000999.000100", "1800000003.000002"),
            dict(staff_reply("a bot", thread, "1800000003.000003"), bot_id="B1"),
            dict(staff_reply("edited", thread, "1800000003.000004"), subtype="message_changed"),
            {
                k: v
                for k, v in staff_reply("top level", thread, "1800000003.000005").items()
                if k != "thread_ts"
            },
        ]
        for n, event in enumerate(not_relayed):
            assert await bot.slack_event(event, f"EvN{n}") == 200
        files = dict(
            staff_reply("", thread, "1800000003.000006"), subtype="file_share", files=[{"id": "F1"}]
        )
        await bot.slack_event(files, "EvFile")
        await wait(
            lambda: any("Only text" in c.args.get("text", "") for c in thread_posts(slack, thread))
        )
        await asyncio.sleep(0.3)
        assert len(telegram.sent_to(USER)) == before


@pytest.mark.parametrize("store", ["sqlite", "redis"])
async def test_two_services_share_tickets_and_a_reply_after_a_restart_still_arrives(
    fakes, tmp_path, request, store
):
    """The compose layout: `iombot run telegram` and `iombot run slack`, sharing one SQLite
    file (or Redis). The ticket is posted by the Telegram service; the staff reply arrives at
    the Slack service, which delivers it to Telegram itself, before and after a restart; the
    same event reaching two Slack replicas is delivered once."""
    telegram, slack = fakes
    if store == "redis":
        state = request.getfixturevalue("redis_server").url
    else:
        state = tmp_sqlite(tmp_path / "state.db")
    public = handoff_settings(telegram, slack, state_url=state)
    staff = replace(public, port=free_port())
    async with running(public, only="telegram"):
        async with running(staff, only="slack") as slack_service:
            thread = await open_ticket(telegram, slack, "Is anyone there?")
            await slack_service.slack_event(
                staff_reply("Yes, here.", thread, "1800000010.000001"), "EvA"
            )
            assert await telegram.wait_for(lambda: "Yes, here." in telegram.sent_to(USER)[-1].text)
        # The Slack service restarts (a deploy): the ticket is still there.
        async with (
            running(staff, only="slack") as restarted,
            running(replace(staff, port=free_port()), only="slack") as replica,
        ):
            event = staff_reply("Still here after a restart.", thread, "1800000011.000001")
            await restarted.slack_event(event, "EvB")
            await replica.slack_event(event, "EvB")
            assert await telegram.wait_for(
                lambda: "after a restart" in telegram.sent_to(USER)[-1].text
            )
            await asyncio.sleep(0.3)
            assert sum("after a restart" in c.text for c in telegram.sent_to(USER)) == 1
        telegram.push(message("/done", user_id=USER))
        assert await telegram.wait_for(lambda: "is closed" in telegram.sent_to(USER)[-1].text)


async def test_an_idle_ticket_closes_itself(fakes):
    telegram, slack = fakes
    settings = replace(
        handoff_settings(telegram, slack, idle_days=0.5 / 86400), state_sweep_seconds=0.2
    )
    async with running(settings) as bot:
        thread = await open_ticket(telegram, slack, "hello?")
        assert "iombot_handoff_open_tickets 1.0" in await bot.metrics()
        assert await telegram.wait_for(lambda: "is closed" in telegram.sent_to(USER)[-1].text)
        await wait(
            lambda: any(
                "without messages" in c.args.get("text", "") for c in thread_posts(slack, thread)
            )
        )
        assert "iombot_handoff_open_tickets 0.0" in await bot.metrics()


async def test_in_japanese_over_socket_mode_with_nothing_said_in_the_logs(fakes, caplog):
    telegram, slack = fakes
    settings = handoff_settings(telegram, slack)
    socket = replace(settings.platforms["slack"], app_token=Secret(APP_TOKEN), signing_secret=None)
    settings = replace(settings, platforms={**settings.platforms, "slack": socket})
    caplog.set_level(logging.DEBUG)
    async with running(settings):
        await slack.wait_sockets(1)
        telegram.push(message("ぴょこぴょこ", user_id=USER, language_code="ja"))
        first = (await telegram.wait_sent(1))[0]
        assert ("IOM駐日事務所のスタッフに質問", "staff:ask") in buttons(first)
        telegram.push(
            message(
                "/staff ビザの更新について相談したい 秘密の話", user_id=USER, language_code="ja"
            )
        )
        await wait(lambda: len(tickets_posted(slack)) == 1)
        assert "Japanese" in json.dumps(tickets_posted(slack)[0].args)
        assert await telegram.wait_for(lambda: "受付番号" in telegram.sent_to(USER)[-1].text)
        thread = _ts_of(slack, tickets_posted(slack)[0])
        event = staff_reply(
            "お問い合わせありがとうございます。内緒の返事", thread, "1800000020.000001"
        )
        ack = await slack.send_envelope("events_api", event_payload(event, "EvJ"))
        assert ack["envelope_id"]
        assert await telegram.wait_for(
            lambda: telegram.sent_to(USER)[-1].text.startswith("<b>IOM駐日事務所スタッフ</b>")
        )
        # A reply that Telegram can't take just now: staff are asked to send it again.
        telegram.fail("sendMessage", 502, times=10)
        event = staff_reply("二通目", thread, "1800000021.000001")
        await slack.send_envelope("events_api", event_payload(event, "EvJ2"))
        await wait(
            lambda: any(
                "send it again" in c.args.get("text", "") for c in thread_posts(slack, thread)
            ),
            timeout=15,
        )
    # Our own log lines, at every level: ticket numbers, never what anyone wrote. (The
    # libraries' DEBUG lines show whole updates; LOG_LEVEL=DEBUG is for a developer's machine.)
    logged = "\n".join(
        f"{record.getMessage()} {record.__dict__}"
        for record in caplog.records
        if record.name.startswith("iombot")
    )
    assert "handoff: ticket 1 opened" in logged
    for private in ("秘密の話", "内緒の返事", "二通目", "ぴょこぴょこ"):
        assert private not in logged


async def test_asking_for_a_person_in_words_starts_the_handoff_and_trouble_offers_staff(fakes):
    telegram, slack = fakes
    async with running(handoff_settings(telegram, slack)):
        telegram.push(message("Can I talk to a human?", user_id=USER))
        consent = (await telegram.wait_sent(1))[0]
        assert ("Cancel", "staff:cancel") in buttons(consent)
        telegram.push(callback("staff:cancel", user_id=USER))
        assert await telegram.wait_for(lambda: "Cancelled" in telegram.sent_to(USER)[-1].text)
        telegram.push(message("They took my passport, help me", user_id=USER))
        assert await telegram.wait_for(lambda: "110" in telegram.sent_to(USER)[-1].text)
        urgent = telegram.sent_to(USER)[-1]
        assert any(data == "staff:ask" for _, data in buttons(urgent))
        assert not tickets_posted(slack)


async def test_without_the_handoff_a_person_asked_for_gets_the_contact_route(fakes):
    telegram, slack = fakes
    settings = handoff_settings(telegram, slack)
    async with running(replace(settings, handoff=None)):
        telegram.push(message("connect me to staff", user_id=USER))
        reply = (await telegram.wait_sent(1))[0]
        # The conversation content's answer and the contact route, not /staff's "unavailable".
        assert "Ask the people of the test office." in reply.text
        assert "03-5555-0123" in reply.text
        assert not any(data.startswith("staff:") for _, data in buttons(reply))
        assert not tickets_posted(slack)
