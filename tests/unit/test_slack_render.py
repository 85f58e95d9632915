"""The Slack renderer (Reply -> Block Kit) and the Slack -> Query functions: pure, no network."""

from __future__ import annotations

import json
import re

import pytest

from iombot.bots.slack.handlers import command_query, event_query, slack_text
from iombot.bots.slack.render import (
    escape,
    home_view,
    mrkdwn,
    render_messages,
    section_texts,
    share_value,
)
from iombot.core.content import default_content_dir, load_content
from iombot.core.reply import (
    Bold,
    BulletList,
    Button,
    Command,
    Link,
    Paragraph,
    Phone,
    Query,
    Reply,
    ReplyKind,
    Text,
)

NAMES = frozenset({"contact", "phone", "連絡先", "about"})
# The bot's own words, from the shipped content (a renderer receives them).
STRINGS = load_content(default_content_dir()).strings


def topic(*blocks, buttons=(), title="Title") -> Reply:
    return Reply(
        kind=ReplyKind.TOPIC, language="en", title=title, blocks=blocks, buttons=buttons, topic="t"
    )


def all_text(message: dict) -> list[str]:
    texts = []
    for block in message["blocks"]:
        if block["type"] in ("section", "header"):
            texts.append(block["text"]["text"])
        if block["type"] == "context":
            texts += [e["text"] for e in block["elements"]]
    return texts


# --- escaping -------------------------------------------------------------------------------------


def test_escape_only_the_three_control_characters():
    assert escape("a & b < c > d *e* _f_") == "a &amp; b &lt; c &gt; d *e* _f_"
    assert escape("&amp;") == "&amp;amp;"  # typed entities stay as typed


def test_spans_as_mrkdwn():
    spans = (
        Text("Call "),
        Phone("03-3595-2487", "+81-3-3595-2487"),
        Text(" or see "),
        Link("IOM <Tokyo> & more", "https://example.org/a?b=1&c=2"),
        Text(", "),
        Bold(" really "),
        Text(" "),
        Command("contact"),
    )
    assert mrkdwn(spans) == (
        "Call <tel:+81335952487|03-3595-2487> or see "
        "<https://example.org/a?b=1&amp;c=2|IOM &lt;Tokyo&gt; &amp; more>, "
        " *really*  `/iom contact`"
    )


def test_hostile_content_cannot_mention_broadcast_or_link():
    spans = (
        Text("<!channel> <@U123> <https://evil.example|click> &lt;"),
        Link("a|b>c", "https://example.org/x|y>z"),
        Bold("<!here>"),
    )
    text = mrkdwn(spans)
    assert "<!" not in text and "<@" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; &amp;lt;" in text
    # Our own link keeps exactly one | and one closing >.
    link = re.search(r"<https://example\.org[^>]*>", text)
    assert link and link.group(0) == "<https://example.org/x%7Cy%3Ez|a¦b&gt;c>"
    assert "*&lt;!here&gt;*" in text


def test_sections_are_verbatim_so_slack_does_not_autolink():
    [message] = render_messages(topic(Paragraph((Text("@here #general"),))), STRINGS)
    section = next(b for b in message["blocks"] if b["type"] == "section")
    assert section["text"] == {"type": "mrkdwn", "text": "@here #general", "verbatim": True}


# --- Block Kit shape ------------------------------------------------------------------------------


def test_a_topic_reply_as_block_kit():
    reply = topic(
        Paragraph((Text("Hello "), Bold("world"))),
        BulletList(((Text("one"),), (Text("two"),))),
        buttons=(Button("About us", "topic:about"), Button("日本語", "lang:ja")),
    )
    [message] = render_messages(reply, STRINGS, share=share_value("en", action="topic:t"))
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["header", "section", "section", "context", "actions", "actions"]
    assert message["blocks"][0]["text"]["text"] == "Title"
    assert all_text(message)[1:3] == ["Hello *world*", "• one\n• two"]
    topics, share = message["blocks"][4]["elements"], message["blocks"][5]["elements"]
    assert [(e["action_id"], e["value"]) for e in topics] == [
        ("iom_topic:about", "topic:about"),
        ("iom_lang:ja", "lang:ja"),
    ]
    assert share[0]["action_id"] == "iom_share"
    assert json.loads(share[0]["value"]) == {"l": "en", "a": "topic:t"}
    assert message["text"].startswith("Title\nHello *world*")


def test_fallback_text_is_always_set():
    for reply in (
        topic(),
        Reply(kind=ReplyKind.EMPTY, language="ja"),
        topic(title=None),
    ):
        for message in render_messages(reply, STRINGS):
            assert message["text"].strip()


def test_long_labels_and_titles_are_cut_to_slack_limits():
    reply = topic(buttons=(Button("x" * 200, "topic:x"),), title="T" * 400)
    [message] = render_messages(reply, STRINGS)
    assert len(message["blocks"][0]["text"]["text"]) == 150
    button = message["blocks"][-1]["elements"][0]
    assert len(button["text"]["text"]) == 75


# --- splitting ------------------------------------------------------------------------------------


def test_a_10000_character_paragraph_is_split_into_sections_within_3000():
    words = " ".join(f"w{n}&<>" for n in range(1400))  # about 10,000 characters, all escaped
    link = Link("a link that must not be cut", "https://example.org/")
    paragraph = Paragraph((Text(words), link, Text(" " + words)))
    texts = section_texts(paragraph)
    assert len(texts) > 3
    assert all(len(text) <= 3000 for text in texts)
    joined = "".join(texts)
    assert "<https://example.org/|a link that must not be cut>" in joined
    for text in texts:  # no piece ends inside an escape or a link
        assert not re.search(r"&[a-z]*$", text)
        assert text.count("<") == text.count(">")


def test_a_single_huge_word_is_cut_hard_but_never_inside_an_escape():
    texts = section_texts(Paragraph((Text("&" * 10_000),)))
    assert all(len(text) <= 3000 for text in texts)
    assert "".join(texts) == "&amp;" * 10_000


def test_many_blocks_are_split_into_messages_of_at_most_50():
    blocks = tuple(Paragraph((Text(f"paragraph {n}"),)) for n in range(120))
    messages = render_messages(
        topic(*blocks, buttons=(Button("B", "topic:b"),)), STRINGS, share="{}"
    )
    assert len(messages) == 3
    assert all(len(m["blocks"]) <= 50 for m in messages)
    assert all(m["text"] for m in messages)
    sections = [t for m in messages for t in all_text(m) if t.startswith("paragraph")]
    assert sections == [f"paragraph {n}" for n in range(120)]
    assert messages[-1]["blocks"][-1]["elements"][0]["action_id"] == "iom_share"


def test_long_bullet_lists_break_between_items():
    items = tuple((Text(f"item {n} " + "x" * 90),) for n in range(100))
    texts = section_texts(BulletList(items))
    assert all(len(t) <= 3000 for t in texts)
    assert all(t.startswith("• item") for t in texts)


def test_fallback_is_bounded_and_never_cuts_a_link():
    blocks = tuple(Paragraph((Link(f"link {n}", f"https://example.org/{n}"),)) for n in range(40))
    message = render_messages(topic(*(blocks * 3)), STRINGS)[0]  # the first of three
    assert len(message["text"]) <= 3002
    assert message["text"].count("<") == message["text"].count(">")


# --- App Home -------------------------------------------------------------------------------------


def test_home_view_has_topic_buttons_contact_and_unique_action_ids():
    welcome = Reply(
        kind=ReplyKind.START,
        language="en",
        title="Welcome",
        blocks=(Paragraph((Text("Hi"),)),),
        buttons=(Button("A", "topic:a"), Button("B", "topic:b")),
    )
    contact = Reply(
        kind=ReplyKind.TOPIC,
        language="en",
        title="Contact",
        blocks=(Paragraph((Phone("03-1", "+81-3-1"),)),),
        topic="contact",
    )
    selected = topic(Paragraph((Text("Bee"),)), buttons=(Button("A", "topic:a"),), title="B")
    view = home_view(STRINGS, welcome, contact, selected)
    assert view["type"] == "home"
    ids = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert ids == ["iom_topic:a", "iom_topic:b", "iom_topic:a#2"]
    assert "<tel:+8131|03-1>" in json.dumps(view)


def test_home_view_stays_within_100_blocks():
    welcome = Reply(kind=ReplyKind.START, language="en", title="W")
    big = topic(*(Paragraph((Text(f"p{n}"),)) for n in range(150)))
    view = home_view(STRINGS, welcome, None, big)
    assert len(view["blocks"]) == 100
    assert view["blocks"][-1]["type"] == "context"


# --- Slack -> Query -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("", "/help"),
        ("contact", "/contact"),
        ("Contact please", "Contact please"),
        ("連絡先", "/連絡先"),
        ("/phone", "/phone"),
        ("lang ja", "/lang ja"),
        ("help", "/help"),
        ("what's the phone number?", "what's the phone number?"),
        ("about the director general", "about the director general"),
        ("Q&amp;A &lt;here&gt;", "Q&A <here>"),
    ],
)
def test_command_query(typed, text):
    query = command_query({"text": typed, "user_id": "U1", "channel_id": "C1"}, NAMES, "ja-JP")
    assert query == Query(
        text=text, user_id="U1", locale="ja-JP", platform="slack", chat_kind="group"
    )


def test_command_query_with_missing_fields():
    query = command_query({}, NAMES)
    assert query.text == "/help" and query.user_id is None
    assert command_query({"channel_id": "D1", "text": 5}, NAMES).chat_kind == "private"


def test_slack_text_drops_mentions_and_keeps_link_labels():
    assert slack_text("<@UBOT> what's <https://x.org|this> &amp; <https://y.org>?") == (
        "what's this & https://y.org?"
    )
    assert slack_text("<!here> <#C1|general> hi") == "general hi"
    assert slack_text(None) == ""


def test_event_query():
    event = {"text": "<@UBOT> 電話番号は？", "user": "U9", "channel_type": "im"}
    assert event_query(event, "en-US") == Query(
        text="電話番号は？", user_id="U9", locale="en-US", platform="slack", chat_kind="private"
    )
    assert event_query({"text": "hi"}).chat_kind == "group"
