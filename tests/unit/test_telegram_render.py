"""The Telegram renderer: escaped HTML with our few tags, splitting under 4096, the keyboard."""

from __future__ import annotations

import html
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from iombot.bots.telegram.handlers import addressed_to_us
from iombot.bots.telegram.render import MAX_MESSAGE, render, render_spans, size
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

OUR_TAGS = re.compile(r'<b>|</b>|<a href="[^"<>]*">|</a>')
HOSTILE = '<b>bold?</b> & <i>unclosed <a href="javascript:x">&amp; \u202eRTL\u200b zero-width'


def visible(text: str) -> str:
    """What a Telegram client shows; fails if anything but our tags is in the markup."""
    stripped = OUR_TAGS.sub("", text)
    assert "<" not in stripped and ">" not in stripped, text
    assert re.fullmatch(r"([^&]|&(amp|lt|gt|quot);)*", stripped, re.DOTALL), text
    return html.unescape(stripped)


def topic(*blocks, title: str | None = "Title", buttons=()) -> Reply:
    return Reply(kind=ReplyKind.TOPIC, language="en", title=title, blocks=blocks, buttons=buttons)


def test_spans_title_bullets_links_and_commands():
    reply = topic(
        Paragraph((Text("Intro with "), Bold("bold"), Text(" and "), Command("lang ja"))),
        BulletList(((Text("one "), Link("site", "https://x.org/?a=1&b=2")), (Text("two"),))),
        buttons=(Button("Related", "topic:contact"),),
    )
    [message] = render(reply)
    assert message.text == (
        "<b>Title</b>\n\nIntro with <b>bold</b> and /lang ja\n\n"
        '• one <a href="https://x.org/?a=1&amp;b=2">site</a>\n• two'
    )
    keyboard = message.reply_markup.inline_keyboard
    assert [[(b.text, b.callback_data) for b in row] for row in keyboard] == [
        [("Related", "topic:contact")]
    ]


def test_phone_shows_the_international_number_once():
    alone = (Text("Phone: "), Phone("03-3595-2487", "+81-3-3595-2487"))
    assert render_spans(alone) == "Phone: 03-3595-2487 (+81-3-3595-2487)"
    with_number = (*alone, Text(" (from abroad: +81-3-3595-2487)"))
    assert render_spans(with_number) == "Phone: 03-3595-2487 (from abroad: +81-3-3595-2487)"


def test_hostile_content_and_user_text_are_escaped():
    reply = topic(
        Paragraph((Text(HOSTILE), Bold(HOSTILE), Link(HOSTILE, 'https://x.org/"><b>'))),
        BulletList(((Text(HOSTILE),),)),
        title=HOSTILE,
        buttons=(Button(HOSTILE, "topic:x"),),
    )
    [message] = render(reply)
    shown = visible(message.text)
    assert shown.count(HOSTILE) == 5
    assert 'href="https://x.org/&quot;&gt;&lt;b&gt;"' in message.text
    assert message.reply_markup.inline_keyboard[0][0].text == HOSTILE  # buttons are plain text


def test_long_reply_splits_at_paragraph_boundaries_with_keyboard_last():
    paragraphs = [Paragraph((Text(f"P{n} " + "word " * 300),)) for n in range(12)]
    reply = topic(*paragraphs, buttons=(Button("More", "topic:more"),))
    messages = render(reply)
    assert len(messages) > 1
    assert all(size(m.text) <= MAX_MESSAGE for m in messages)
    assert "\n\n".join(m.text for m in messages) == render(reply, limit=10**6)[0].text
    for m in messages[1:]:
        assert re.match(r"P\d+ ", m.text)  # each later message starts at a paragraph
    assert [m.reply_markup is not None for m in messages] == [False] * (len(messages) - 1) + [True]


def test_one_paragraph_too_long_even_for_a_message_is_cut_safely():
    # 3,000 ampersands escape to 15,000 characters: cut between entities, never inside one.
    reply = topic(Paragraph((Text("&" * 3000), Bold("<" * 2000))), title=None)
    messages = render(reply)
    assert len(messages) >= 4
    assert all(size(m.text) <= MAX_MESSAGE for m in messages)
    assert "".join(visible(m.text) for m in messages) == "&" * 3000 + "<" * 2000


def test_long_bullet_list_splits_between_items():
    items = tuple((Text(f"item {n} " + "x" * 200),) for n in range(40))
    messages = render(topic(BulletList(items)))
    assert len(messages) > 1
    for m in messages[1:]:
        assert m.text.startswith("• item ")


def test_size_counts_utf16_units_like_telegram():
    assert size("😀") == 2
    reply = topic(Paragraph((Text("😀" * 3000),)), title=None)
    messages = render(reply)
    assert len(messages) == 2 and all(size(m.text) <= MAX_MESSAGE for m in messages)


def test_commands_addressed_to_another_bot_are_not_for_us():
    # Telegram's /cmd@bot addressing is settled in the adapter; the core never sees "@bot".
    assert addressed_to_us("/contact@iom_tokyo_bot", "iom_tokyo_bot") == "/contact"
    assert addressed_to_us("/contact@IOM_Tokyo_Bot", "iom_tokyo_bot") == "/contact"
    assert addressed_to_us("/start@iom_tokyo_bot contact", "iom_tokyo_bot") == "/start contact"
    assert addressed_to_us("/contact@other_bot", "iom_tokyo_bot") is None
    assert addressed_to_us("/contact@other_bot", None) == "/contact"  # our name not known yet
    assert addressed_to_us("mail me@example.org", "iom_tokyo_bot") == "mail me@example.org"
    assert addressed_to_us("/contact", "iom_tokyo_bot") == "/contact"


def test_long_callback_data_is_dropped():
    [message] = render(topic(Paragraph((Text("x"),)), buttons=(Button("B", "topic:" + "y" * 60),)))
    assert message.reply_markup is None


spans = st.one_of(
    st.builds(Text, st.text(min_size=1, max_size=60)),
    st.builds(Bold, st.text(min_size=1, max_size=60)),
    st.builds(Link, st.text(min_size=1, max_size=20), st.just("https://x.org/?q=<&>")),
    st.builds(Command, st.from_regex(r"[a-z]{1,8}( [a-z&<]{1,5})?", fullmatch=True)),
)


@settings(max_examples=150, deadline=None)
# Found by Hypothesis: a cut at the first space left the rest of the span, plus the next
# character, one unit over the limit.
@example(paragraphs=[[Bold("\r" + "0" * 25 + "&" + "\U00010000" * 2)]], limit=40)
@given(
    paragraphs=st.lists(st.lists(spans, min_size=1, max_size=6), min_size=1, max_size=6),
    limit=st.integers(min_value=40, max_value=400),
)
def test_any_reply_renders_as_valid_html_under_the_limit(paragraphs, limit):
    reply = topic(*(Paragraph(tuple(p)) for p in paragraphs), title="T&")
    messages = render(reply, limit=limit)
    assert messages
    shown = ""
    for message in messages:
        assert size(message.text) <= limit
        shown += visible(message.text)
    # Nothing is lost: every character of the content is shown (white space aside).
    whole = visible(render(reply, limit=10**6)[0].text)
    assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", whole)
