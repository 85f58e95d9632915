"""A Reply as LINE messages: plain text as written (LINE interprets nothing), split between
paragraphs under 5,000 characters and 5 messages, buttons as at most 13 postback quick replies
with labels of at most 20 characters."""

from __future__ import annotations

import pytest

from iombot.bots.line.render import MAX_TEXT, render
from iombot.bots.settings import Settings, SettingsError
from iombot.core.reply import (
    Bold,
    BulletList,
    Button,
    Command,
    Link,
    Paragraph,
    Phone,
    Reply,
    ReplyKind,
    Text,
)


def reply(*blocks, buttons=(), title="Title") -> Reply:
    return Reply(
        kind=ReplyKind.TOPIC, language="en", title=title, blocks=blocks, buttons=buttons, topic="t"
    )


def test_spans_read_as_written_and_nothing_is_escaped():
    hostile = "<b>not bold</b> &amp; *star* $ {emoji} @all"
    (message,) = render(
        reply(
            Paragraph((Text("Call "), Phone("03-3595-2487", "+81-3-3595-2487"), Text("."))),
            Paragraph((Bold("IOM"), Text(" see "), Link("our site", "https://www.iom.int/"))),
            BulletList(((Command("contact"),), (Text(hostile),))),
        )
    )
    assert message.text == (
        "Title\n\nCall 03-3595-2487 (+81-3-3595-2487).\n\nIOM see our site (https://www.iom.int/)"
        f"\n\n• /contact\n• {hostile}"
    )


def test_long_replies_are_split_between_paragraphs_in_at_most_five_messages():
    paragraph = Paragraph((Text("x" * 3000),))
    messages = render(reply(*[paragraph] * 4))
    assert [len(m.text) for m in messages] == [len("Title") + 2 + 3000, 3000, 3000, 3000]
    huge = render(reply(Paragraph((Text("word " * 6000),))))  # one 30,000-character paragraph
    assert len(huge) <= 5 and all(len(m.text) <= MAX_TEXT for m in huge)
    assert huge[-1].text.endswith("…")


def test_buttons_are_postback_quick_replies_on_the_last_message_only():
    buttons = tuple(Button(f"Topic number {n} with a long title", f"topic:t{n}") for n in range(15))
    messages = render(
        reply(Paragraph((Text("x" * 4000),)), Paragraph((Text("y" * 4000),)), buttons=buttons)
    )
    assert messages[0].quick_reply is None
    items = messages[-1].quick_reply.items
    assert len(items) == 13
    assert all(len(item.action.label) <= 20 for item in items)
    assert items[0].action.label == "Topic number 0 with…"
    assert items[0].action.data == "topic:t0"
    assert items[0].action.display_text == "Topic number 0 with a long title"


def test_line_settings_need_both_the_secret_and_the_token():
    settings = Settings.from_env({"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t"})
    assert settings.platforms["line"].api_url == "https://api.line.me"
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"LINE_CHANNEL_SECRET": "a-secret-value"})
    assert "LINE_CHANNEL_ACCESS_TOKEN" in str(caught.value)
    assert "a-secret-value" not in str(caught.value)
    assert "line" not in Settings.from_env({}).platforms
