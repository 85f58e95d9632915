"""The console adapter: the same replies as plain text in a terminal, with no token and no network."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from ..core.answerer import Answerer
from ..core.reply import (
    Block,
    Bold,
    BulletList,
    Button,
    Command,
    Link,
    Paragraph,
    Phone,
    Query,
    Reply,
    Span,
    Text,
)

EXIT_WORDS = frozenset({"exit", "quit", "bye", "/exit", "/quit", "終了"})
PLATFORM = "console"
USER = "console-user"


def to_query(line: str, language: str | None = None) -> Query:
    return Query(text=line, user_id=USER, platform=PLATFORM, language=language)


def render_spans(spans: Iterable[Span]) -> str:
    parts = []
    for span in spans:
        match span:
            case Link(text=text, url=url):
                parts.append(url if _bare(text) == _bare(url) else f"{text} <{url}>")
            case Phone(text=text) | Bold(text=text) | Text(text=text):
                parts.append(text)
            case Command():
                parts.append(span.text)
    return "".join(parts)


def _bare(address: str) -> str:
    return address.split("://", 1)[-1].removeprefix("www.").rstrip("/")


def render_block(block: Block) -> str:
    match block:
        case Paragraph(spans=spans):
            return render_spans(spans)
        case BulletList(items=items):
            return "\n".join(f"  • {render_spans(item)}" for item in items)
    return ""


def render(reply: Reply) -> str:
    """A reply as plain text; buttons are numbered so they can be chosen by typing the number."""
    sections = []
    if reply.title:
        sections.append(f"== {reply.title} ==")
    sections.extend(render_block(block) for block in reply.blocks)
    if reply.buttons:
        sections.append("  ".join(f"[{n}] {b.label}" for n, b in enumerate(reply.buttons, 1)))
    return "\n\n".join(sections)


def answer_line(
    answerer: Answerer, line: str, language: str | None, buttons: tuple[Button, ...] = ()
) -> Reply:
    """Answer one typed line; a number picks a button of the previous reply."""
    query = to_query(line, language)
    choice = line.strip()
    if choice.isdigit() and 1 <= int(choice) <= len(buttons):
        return answerer.act(query, buttons[int(choice) - 1].action)
    return answerer.answer(query)


def run_console(
    answerer: Answerer, language: str | None, stdin: TextIO, stdout: TextIO, interactive: bool
) -> int:
    """Chat until EOF or an exit word; returns the exit status.

    --lang sets the starting language; /lang changes it for the rest of the session."""
    buttons: tuple[Button, ...] = ()
    if interactive:
        greeting = answerer.answer(to_query("/start", language))
        stdout.write(render(greeting) + "\n\nType a question, a number to pick a topic, or exit.\n")
        buttons = greeting.buttons
    while True:
        if interactive:
            stdout.write("\nyou> ")
            stdout.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in EXIT_WORDS:
            if interactive:
                stdout.write("\n")
            return 0
        if not line.strip() and not interactive:
            continue
        reply = answer_line(answerer, line, language, buttons)
        language = reply.chosen_language or language
        buttons = reply.buttons or buttons
        stdout.write(render(reply) + "\n")
        if not interactive:
            stdout.write("\n")
        stdout.flush()
