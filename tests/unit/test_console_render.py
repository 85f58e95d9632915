"""The console renders the reply model as plain text."""

from iombot.bots.console import render, render_spans
from iombot.core.reply import Bold, Button, Command, Link, Paragraph, Phone, Reply, ReplyKind, Text


def test_spans_become_readable_plain_text():
    assert render_spans((Text("Call "), Phone("03-3595-2487", "+81-3-3595-2487"))) == (
        "Call 03-3595-2487"
    )
    assert render_spans((Link("www.iom.int", "https://www.iom.int/"),)) == "https://www.iom.int/"
    assert render_spans((Link("the site", "https://x.org/"),)) == "the site <https://x.org/>"
    assert render_spans((Link("facebook.com/IOMJapan", "https://www.facebook.com/IOMJapan/"),)) == (
        "https://www.facebook.com/IOMJapan/"
    )
    assert render_spans((Bold("b"), Command("lang ja"))) == "b/lang ja"


def test_reply_with_title_blocks_and_numbered_buttons():
    reply = Reply(
        kind=ReplyKind.TOPIC,
        language="en",
        title="T",
        blocks=(Paragraph((Text("p"),)),),
        buttons=(Button("A", "topic:a"), Button("B", "topic:b")),
    )
    assert render(reply) == "== T ==\n\np\n\n[1] A  [2] B"
