"""Asking a person from the web chat: the staff button, a ticket in the (fake) Slack staff
channel, the staff reply in the open page at once, and in a closed page on its next visit; also
when the Slack side runs in another process (as the compose services do)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from both_platforms import staff_reply, tickets_posted, wait
from webchat_support import handoff_settings, running, text_of

from iombot.testing.slack import FakeSlack

from testsupport import free_port


async def ask_staff(page, slack: FakeSlack, question: str) -> str:
    """The staff button under a reply with no answer, then the question: the ticket's thread."""
    unsure = await page.ask("zxcvq qwrty plmkn?")
    staff = next(b for b in unsure["reply"]["buttons"] if b["action"] == "staff:ask")
    assert staff["label"] == "Ask IOM Tokyo staff"
    consent = await page.press(staff)
    assert consent["reply"]["title"] == "Ask IOM Tokyo staff"
    assert [b["action"] for b in consent["reply"]["buttons"]] == ["staff:cancel"]
    sent = await page.ask(question)
    assert "#1" in text_of(sent)
    await wait(lambda: len(tickets_posted(slack)) == 1)
    assert question in json.dumps(tickets_posted(slack)[0].args, ensure_ascii=False)
    assert "webchat" in json.dumps(tickets_posted(slack)[0].args)
    return tickets_posted(slack)[0].result["ts"]


async def test_the_staff_reply_reaches_the_open_page(slack):
    async with running(handoff_settings(slack)) as chat, chat.page() as page:
        thread = await ask_staff(page, slack, "Can I bring my child to the office?")
        status = await chat.slack_event(
            staff_reply("Yes, &lt;b&gt;of course&lt;/b&gt;.", thread, "1800000000.000001"), "EvW1"
        )
        assert status == 200
        entry = await page.reply()
        assert entry["reply"]["title"] == "IOM Tokyo staff"
        assert "Yes, <b>of course</b>." in text_of(entry)  # text, as the page shows it


async def test_a_closed_page_gets_it_on_its_next_visit(slack, tmp_path):
    settings = handoff_settings(slack, f"sqlite:///{tmp_path / 'state.db'}")
    async with running(settings) as chat:
        async with chat.page() as page:
            thread = await ask_staff(page, slack, "Is the office open on Saturday?")
            session = page.session
        await chat.slack_event(staff_reply("No, Monday to Friday.", thread, "1800.1"), "EvW2")
        await asyncio.sleep(0.3)
        async with chat.page(session=session) as again:
            assert "No, Monday to Friday." in text_of(again.history[-1])


async def test_from_another_process_through_the_store(slack, tmp_path):
    """The Slack service and the web chat service of the compose stack share the store."""
    settings = handoff_settings(slack, f"sqlite:///{tmp_path / 'state.db'}")
    async with (
        running(settings, only="webchat") as web,
        running(replace(settings, port=free_port()), only="slack") as staff,
        web.page() as page,
    ):
        thread = await ask_staff(page, slack, "Where do I send my documents?")
        # The staff reply arrives at the Slack process, which has no open page.
        await staff.slack_event(staff_reply("By post, please.", thread, "1800.2"), "EvW3")
        entry = await page.reply(timeout=8)
        assert "By post, please." in text_of(entry)


def bot_texts(history: list[dict]) -> list[str]:
    return [text_of(entry) for entry in history if entry["from"] == "bot"]


async def test_only_the_web_chat_writes_the_conversation(slack, tmp_path):
    """A staff reply that the Slack process posts while the page's own turn waits to be written
    is kept with it: neither overwrites the other."""
    settings = handoff_settings(slack, f"sqlite:///{tmp_path / 'state.db'}")
    async with (
        running(settings, only="webchat") as web,
        running(replace(settings, port=free_port()), only="slack") as staff,
    ):
        async with web.page() as page:
            thread = await ask_staff(page, slack, "Can I come on Monday?")
            session = page.session
            asked = await page.ask("/contact")  # (other text goes to the ticket)
            assert asked["reply"]["kind"] == "topic"
            await staff.slack_event(staff_reply("Yes, Monday is fine.", thread, "1800.3"), "EvW4")
            assert "Yes, Monday is fine." in text_of(await page.reply(timeout=8))
        async with web.page(session=session) as again:
            texts = bot_texts(again.history)
        assert sum("Yes, Monday is fine." in text for text in texts) == 1
        assert any("03-5555-0123" in text for text in texts)


async def test_a_closed_page_gets_it_from_another_process_once(slack, tmp_path):
    """Two web chat processes read the outbox; one of them keeps the staff reply."""
    settings = handoff_settings(slack, f"sqlite:///{tmp_path / 'state.db'}")
    async with (
        running(settings, only="webchat") as web,
        running(replace(settings, port=free_port()), only="webchat") as other_web,
        running(replace(settings, port=free_port()), only="slack") as staff,
    ):
        async with web.page() as page:
            thread = await ask_staff(page, slack, "Do you have forms in Nepali?")
            session = page.session
        await staff.slack_event(staff_reply("Not yet, sorry.", thread, "1800.4"), "EvW5")
        await asyncio.sleep(5)  # each process has read the outbox (every 2 s)
        async with other_web.page(session=session) as again:
            texts = bot_texts(again.history)
        assert sum("Not yet, sorry." in text for text in texts) == 1
