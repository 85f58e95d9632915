"""The boundary types of the core: a Query goes in, a Reply made of neutral blocks comes out.

No HTML or Markdown lives here; each adapter renders these blocks in its platform's format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Bold:
    text: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Phone:
    """A phone number: `text` as written locally, `number` in international form (+81-…)."""

    text: str
    number: str


@dataclass(frozen=True)
class Command:
    """A bot command with its arguments ("lang ja"); each platform writes it its own way."""

    name: str

    @property
    def text(self) -> str:
        return f"/{self.name}"


Span = Text | Bold | Link | Phone | Command


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple[Span, ...], ...]


Block = Paragraph | BulletList


@dataclass(frozen=True)
class Button:
    """A button the user can press. `action` is "topic:<command>" or "lang:<code>" (or an
    action of the bots layer: "staff:ask", "fb:up:<topic>")."""

    label: str
    action: str
    compact: bool = False  # short (👍): shares a row with the compact buttons next to it


class ReplyKind(StrEnum):
    TOPIC = "topic"  # a topic answered with confidence
    SUGGESTIONS = "suggestions"  # no confident answer: "did you mean" and the menu
    START = "start"
    HELP = "help"
    LANGUAGE = "language"  # the language menu, or a language just chosen
    UNKNOWN_COMMAND = "unknown_command"
    EMPTY = "empty"
    NOTICE = "notice"  # a message of the bot's own, or a staff reply passed on
    SMALLTALK = "smalltalk"  # hello, thanks, who are you… (content/conversation/): `intent`
    PERSON = "person"  # asking for a person in words: the staff handoff where there is one
    URGENT = "urgent"  # someone in trouble: who to call now (a topic asked too is TOPIC, urgent)


@dataclass(frozen=True)
class Query:
    """One incoming message, already stripped of its platform."""

    text: str
    user_id: str | None = None
    locale: str | None = None  # the platform's language hint, e.g. "ja", "en-US"
    platform: str = "console"
    chat_kind: str = "private"  # private | group | channel
    # The user's language choice, if any: a stored /lang choice or `console --lang`. The core
    # keeps no state: the caller looks the choice up and passes it in.
    language: str | None = None


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    language: str
    title: str | None = None
    blocks: tuple[Block, ...] = ()
    buttons: tuple[Button, ...] = ()
    topic: str | None = None  # the topic's command when kind is TOPIC
    suggestions: tuple[str, ...] = field(default=())  # topic commands offered, best first
    # Set when the user has just chosen a language (/lang ja): the caller remembers it.
    chosen_language: str | None = None
    # A free-text question without a confident answer: the closest topic and its score (0-1),
    # for the editors' question log.
    closest: str | None = None
    score: float | None = None
    # The conversation intent recognised (SMALLTALK: "greeting", "thanks"…; PERSON; URGENT).
    intent: str | None = None
    # The message says its writer is in trouble: the reply starts with who to call now, and
    # the caller offers a person where it can (a TOPIC reply may be urgent too).
    urgent: bool = False
    # A message asking two things: the other topics answered in this reply, after `topic`.
    also: tuple[str, ...] = ()


def plain_text(spans: tuple[Span, ...]) -> str:
    """The visible text of spans, for fallbacks and search."""
    return "".join(span.text for span in spans)
