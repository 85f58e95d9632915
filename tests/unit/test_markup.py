"""The body markup: paragraphs, bullet lists, bold, links, phone numbers, commands."""

from iombot.core.markup import MarkupProblem, parse_blocks, parse_spans
from iombot.core.reply import Bold, BulletList, Command, Link, Paragraph, Phone, Text


def test_paragraphs_and_lists():
    blocks = parse_blocks("First line\ncontinues.\n\n- one\n- **two**\n  more\n\nLast.")
    assert blocks == (
        Paragraph((Text("First line continues."),)),
        BulletList(((Text("one"),), (Bold("two"), Text(" more")))),
        Paragraph((Text("Last."),)),
    )


def test_inline_spans():
    spans = parse_spans(
        "Call [03-3595-2487](tel:+81-3-3595-2487), see [site](https://www.iom.int/) or `/lang ja`."
    )
    assert spans == (
        Text("Call "),
        Phone("03-3595-2487", "+81-3-3595-2487"),
        Text(", see "),
        Link("site", "https://www.iom.int/"),
        Text(" or "),
        Command("lang ja"),
        Text("."),
    )


def test_html_is_just_text():
    assert parse_spans("<b>not bold</b> & <script>") == (Text("<b>not bold</b> & <script>"),)


def test_problems_are_reported_with_their_line():
    problems: list[MarkupProblem] = []
    parse_blocks("ok\n\n[x](javascript:alert(1)) **open\n", problems)
    messages = [(p.line, p.message) for p in problems]
    assert (2, "a link must be written [label](https://…) or [number](tel:+…)") in messages
    assert (2, "unclosed ** (bold needs **text**)") in messages
    problems.clear()
    parse_blocks("[bad](ftp://example.org/file)", problems)
    assert "must be an https:// URL" in problems[0].message
