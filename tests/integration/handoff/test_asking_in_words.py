"""Asking for a person, or for help in trouble, in words (the conversation content), end to end
under serve(): on LINE with the handoff (LINE the public platform, Slack the staff desk), on the
Slack side (staff: the contact route, never a ticket), and what the editors' report keeps of it
(counts, never an urgent message's text)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from dataclasses import asdict

import pytest
from both_platforms import (
    handoff_settings,
    line_handoff_settings,
    quick_replies,
    reply_to,
    running,
    shown,
    tickets_posted,
    tmp_sqlite,
)

from iombot.bots.editors.ledger import QUESTIONS, day_of
from iombot.bots.editors.report import render_json, render_text
from iombot.core.content import load_content
from iombot.testing.line import postback_event, text_event
from iombot.testing.slack import command_body, direct_message, mention

from testsupport import ADAPTER_CONTENT

CONTENT = load_content(ADAPTER_CONTENT)
PHONE = "03-5555-0123"  # the fixture's reach_us
# What the fixture's conversation content says to someone asking for a person.
PERSON_SAYS = {
    "en": "Ask the people of the test office.",
    "ja": "テスト事務所の職員にお尋ねください。",
}
USER = "U" + "5" * 32
OTHER = "U" + "6" * 32
GROUP = "C" + "7" * 32
URGENT = "My employer Hanamura took my passport, please help"
URGENT_WORDS = ("employer", "Hanamura", "passport", "助けて", "花村")
URGENT_JA = "花村さんが怖いです、助けて"
THIRD = "U" + "a" * 32


# --- LINE, with the handoff ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"), [("Can I talk to a human?", "en"), ("担当者と話せますか", "ja")]
)
async def test_on_line_a_person_asked_for_in_a_private_chat_gets_the_staff_flow(
    fakes, line, text, language
):
    _, slack = fakes
    async with running(line_handoff_settings(line, slack)) as bot:
        # What /staff gives someone who chose the language, for comparison.
        await bot.line_events(text_event(f"/lang {language}", user_id=OTHER, reply_token="t-l"))
        await reply_to(line, "t-l")
        assert (
            await bot.line_events(text_event("/staff", user_id=OTHER, reply_token="t-cmd")) == 200
        )
        staff = await reply_to(line, "t-cmd")

        await bot.line_events(text_event(text, user_id=USER, reply_token="t-words"))
        consent = await reply_to(line, "t-words")
        assert shown(consent) == shown(staff)
        assert quick_replies(consent) == quick_replies(staff)
        assert [data for _, data in quick_replies(consent)] == ["staff:cancel"]
        assert PERSON_SAYS[language] not in shown(consent)
        assert not tickets_posted(slack)  # consent first: nothing is sent yet

        # It is the handoff's flow: the next message is the question, and goes to staff.
        await bot.line_events(
            text_event("Where do I renew my visa?", user_id=USER, reply_token="t-q")
        )
        sent = await reply_to(line, "t-q")
        assert "#1" in shown(sent)
        await slack.wait_for("chat.postMessage", 1)
        (ticket,) = tickets_posted(slack)
        assert "Where do I renew my visa?" in json.dumps(ticket.args, ensure_ascii=False)
        assert text not in json.dumps(ticket.args, ensure_ascii=False)


async def test_on_line_cancel_after_asking_in_words_sends_nothing(fakes, line):
    _, slack = fakes
    async with running(line_handoff_settings(line, slack)) as bot:
        await bot.line_events(text_event("connect me to staff", user_id=USER, reply_token="t-1"))
        assert ("Cancel", "staff:cancel") in quick_replies(await reply_to(line, "t-1"))
        await bot.line_events(postback_event("staff:cancel", user_id=USER, reply_token="t-2"))
        assert "Cancelled" in shown(await reply_to(line, "t-2"))
        # The next message is a question for the bot again, not for staff.
        await bot.line_events(text_event("/contact", user_id=USER, reply_token="t-3"))
        assert PHONE in shown(await reply_to(line, "t-3"))
        await asyncio.sleep(0.2)
        assert not tickets_posted(slack)


async def test_on_line_an_urgent_message_gets_the_urgent_reply_and_the_staff_button(fakes, line):
    _, slack = fakes
    async with running(line_handoff_settings(line, slack)) as bot:
        await bot.line_events(text_event(URGENT, user_id=USER, reply_token="t-urgent"))
        urgent = await reply_to(line, "t-urgent")
        assert "110" in shown(urgent) and PHONE in shown(urgent)
        assert ("Ask IOM Tokyo staff", "staff:ask") in quick_replies(urgent)
        assert not tickets_posted(slack)  # offered, not opened
        # The button starts the consent flow.
        await bot.line_events(postback_event("staff:ask", user_id=USER, reply_token="t-ask"))
        assert ("Cancel", "staff:cancel") in quick_replies(await reply_to(line, "t-ask"))


async def test_on_line_the_staff_flow_speaks_the_profile_language(fakes, line):
    """LINE tells a user's language only through their profile: the staff button (a postback,
    no text) and /staff answer in it, as the urgent reply before them did."""
    _, slack = fakes
    line.languages[USER] = line.languages[OTHER] = "ja"
    consent_ja = CONTENT.strings.text("staff_title", "ja")
    async with running(line_handoff_settings(line, slack)) as bot:
        await bot.line_events(text_event("助けて", user_id=USER, reply_token="t-urgent"))
        urgent = await reply_to(line, "t-urgent")
        assert "いますぐ110" in shown(urgent)
        (label,) = [label for label, data in quick_replies(urgent) if data == "staff:ask"]
        assert label == CONTENT.strings.text("ask_staff", "ja")
        await bot.line_events(postback_event("staff:ask", user_id=USER, reply_token="t-ask"))
        assert shown(await reply_to(line, "t-ask")).startswith(consent_ja)
        await bot.line_events(text_event("/staff", user_id=OTHER, reply_token="t-staff"))
        assert shown(await reply_to(line, "t-staff")).startswith(consent_ja)
        # The ticket is filed in that language (what staff see, and the replies' framing).
        await bot.line_events(text_event("Visa question", user_id=OTHER, reply_token="t-q"))
        assert "#1" in shown(await reply_to(line, "t-q"))
        (ticket,) = await slack.wait_for("chat.postMessage", 1)
        assert "· Japanese" in json.dumps(ticket.args["blocks"], ensure_ascii=False)


async def test_in_a_line_group_a_person_asked_for_gets_the_contact_route(fakes, line):
    _, slack = fakes
    async with running(line_handoff_settings(line, slack)) as bot:
        asked = text_event(
            "Can I talk to a human?",
            user_id=USER,
            group_id=GROUP,
            mention_self=True,
            reply_token="t-group",
        )
        await bot.line_events(asked)
        reply = await reply_to(line, "t-group")
        assert PERSON_SAYS["en"] in shown(reply) and PHONE in shown(reply)
        assert not any(data.startswith("staff:") for _, data in quick_replies(reply))
        # Nothing is pending for the group: the next mention is the bot's, not staff's.
        question = text_event(
            "Where do I renew my visa?",
            user_id=USER,
            group_id=GROUP,
            mention_self=True,
            reply_token="t-next",
        )
        await bot.line_events(question)
        assert "#1" not in shown(await reply_to(line, "t-next"))
        # An urgent message in a group: the urgent reply, without the button (a private chat's).
        urgent = text_event(
            URGENT, user_id=USER, group_id=GROUP, mention_self=True, reply_token="t-u"
        )
        await bot.line_events(urgent)
        reply = await reply_to(line, "t-u")
        assert "110" in shown(reply)
        assert not any(data.startswith("staff:") for _, data in quick_replies(reply))
        await asyncio.sleep(0.2)
        assert not tickets_posted(slack)


# --- Slack: staff's side ---------------------------------------------------------------------


def slack_shown(args: dict) -> str:
    blocks = args.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return json.dumps([args.get("text", ""), blocks], ensure_ascii=False)


@pytest.mark.parametrize("text", ["can I talk to a human?", "connect me to staff"])
async def test_on_slack_a_person_asked_for_gets_the_contact_route_never_a_ticket(fakes, text):
    telegram, slack = fakes
    consent = CONTENT.strings.text("staff_consent", "en")[:40]
    async with running(handoff_settings(telegram, slack)) as bot:
        assert await bot.slack_event(direct_message(text, channel="D0STAFFDM"), "EvDM") == 200
        assert await bot.slack_event(mention(text, channel="C0GENERAL"), "EvMention") == 200
        posted = await slack.wait_for("chat.postMessage", 2)
        by_channel = {c.args["channel"]: slack_shown(c.args) for c in posted}
        # /iom, in a DM with the app and in a channel: the ack answers.
        acks = [
            slack_shown(await bot.slack_command(command_body(text, slack.response_url, channel=c)))
            for c in ("D0STAFFDM", "C0GENERAL")
        ]
        await asyncio.sleep(0.2)
        answers = [by_channel["D0STAFFDM"], by_channel["C0GENERAL"], *acks]
        for answer in answers:
            assert PERSON_SAYS["en"] in answer and PHONE in answer, answer
            assert consent not in answer and "staff:" not in answer
        assert not tickets_posted(slack)
        assert len(slack.calls_to("chat.postMessage")) == 2  # the DM's and the mention's answers


# --- the editors' report ---------------------------------------------------------------------


async def test_small_talk_and_urgent_messages_are_counted_never_logged(fakes, line, tmp_path):
    _, slack = fakes
    state = tmp_sqlite(tmp_path / "state.db")
    first_day = day_of(time.time())
    async with running(line_handoff_settings(line, slack, state_url=state)) as bot:
        await bot.line_events(text_event("hello", user_id=USER, reply_token="t-hello"))
        assert "Hello from the test bot." in shown(await reply_to(line, "t-hello"))
        await bot.line_events(text_event(URGENT, user_id=OTHER, reply_token="t-urgent"))
        assert "110" in shown(await reply_to(line, "t-urgent"))
        await bot.line_events(text_event(URGENT_JA, user_id=THIRD, reply_token="t-urgent-ja"))
        assert "110" in shown(await reply_to(line, "t-urgent-ja"))
        # A person asked for: counted too, though the handoff's consent prompt answers it.
        await bot.line_events(text_event("Can I talk to a human?", user_id=USER, reply_token="t-p"))
        assert ("Cancel", "staff:cancel") in quick_replies(await reply_to(line, "t-p"))
        await bot.line_events(postback_event("staff:cancel", user_id=USER, reply_token="t-c"))
        await reply_to(line, "t-c")
        # A question the content cannot answer is logged, so the log is known to work here.
        await bot.line_events(text_event("zxqv plmk wrtz?", user_id=OTHER, reply_token="t-q"))
        await reply_to(line, "t-q")

        report = await bot.services.report(first_day)
        days = {first_day, day_of(time.time())}  # the same, unless midnight (UTC) passed
        assert {t.day for t in report.talk} <= days
        talk = {(t.what, t.language, t.platform): t.count for t in report.talk}
        assert talk == {
            ("greeting", "en", "line"): 1,
            ("person", "en", "line"): 1,
            ("urgent", "en", "line"): 1,
            ("urgent", "ja", "line"): 1,
        }
        logged = [r["text"] for r in await bot.services.state.list_records(QUESTIONS)]
        assert logged == ["zxqv plmk wrtz?"]
        text, as_json = render_text(report), render_json(report)
        assert "(2 urgent)" in text
        rows = [row.split() for row in text.splitlines()]
        assert ["urgent", "2"] in rows and ["greeting", "1"] in rows and ["person", "1"] in rows
        assert {(r[1], r[2], r[3]) for r in rows if len(r) == 4 and r[0] in days} == {
            ("en", "line", "1"),
            ("ja", "line", "1"),
        }
        assert json.loads(as_json)["talk"] == [asdict(t) for t in report.talk]
        for rendered in (text, as_json):
            assert "hello" not in rendered.lower() and "human" not in rendered.lower()
            assert not any(word.lower() in rendered.lower() for word in URGENT_WORDS)

    # Nowhere in the store: every table, every row.
    with sqlite3.connect(tmp_path / "state.db") as db:
        dump = "\n".join(db.iterdump())
    assert "zxqv plmk wrtz?" in dump  # the dump does show texts that are kept
    for word in URGENT_WORDS:  # as it is, and as JSON escapes it
        assert word.lower() not in dump.lower() and json.dumps(word)[1:-1] not in dump, word
