"""A topic: one content file, its command, aliases and text in each language; and Content, every
topic with the language registry and the string catalogs of one content version."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .catalog import Catalog
from .conversation import Conversation
from .languages import Languages
from .reply import Block


@dataclass(frozen=True)
class TopicText:
    """The text of a topic in one language."""

    title: str
    summary: str
    keywords: tuple[str, ...]
    questions: tuple[str, ...]
    body: str  # the source markup, kept for search and checks
    blocks: tuple[Block, ...]
    reach_us: tuple[Block, ...] = ()  # see schema.TEXT_FIELDS


@dataclass(frozen=True)
class Topic:
    command: str
    aliases: tuple[str, ...]
    order: int
    related: tuple[str, ...]
    texts: dict[str, TopicText]  # by language code: the default language's, and any others
    path: str  # the file it came from, for messages
    source: str  # the default language (languages.yaml), which every topic has
    owner: str | None = None  # who answers for the topic (a unit or a role), if given
    reviewed: datetime.date | None = None  # when last checked against the source, if ever
    # Line of each command, alias and related entry ("alias:phone"), for messages across files;
    # also "owner" and "reviewed": the line of the field, or of command: when the field is absent.
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def text(self, language: str) -> TopicText:
        """The text in a language; in the default language when the topic lacks it."""
        return self.texts.get(language) or self.texts[self.source]

    def has(self, language: str) -> bool:
        """Whether the topic is written in the language (not only in the default one)."""
        return language in self.texts


@dataclass(frozen=True)
class NotCovered:
    """A subject people ask about that the content does not answer (content/_not_covered.yaml):
    a question about it gets no topic, but how to reach IOM Tokyo staff."""

    subject: str
    phrases: dict[str, tuple[str, ...]]  # by language code


@dataclass(frozen=True)
class Asked:
    """A question as people ask it (content/asked/), and the topic that answers it: None for a
    question the content does not answer. The bot learns from these how people word things."""

    text: str
    topic: str | None
    language: str


@dataclass(frozen=True)
class Content:
    """Every topic, in menu order, the languages and the bot's own words, and a short hash that
    names this version of the content."""

    topics: tuple[Topic, ...]
    version: str
    languages: Languages
    strings: Catalog
    not_covered: tuple[NotCovered, ...] = ()
    asked: tuple[Asked, ...] = ()
    # Small talk, asking for a person, help in trouble, languages asked for in words.
    conversation: Conversation = field(default_factory=Conversation)
    directory: str = ""  # the folder it was loaded from, for messages

    def by_command(self) -> dict[str, Topic]:
        """Each topic by its command, made once per content (asked for in every answer); not
        to be changed."""
        found = self.__dict__.get("_by_command")
        if found is None:
            found = {topic.command: topic for topic in self.topics}
            object.__setattr__(self, "_by_command", found)
        return found

    def reach_us(self, language: str) -> tuple[Block, ...]:
        """How to reach people, from the topic that says it (empty if none does)."""
        for topic in self.topics:
            if topic.text(language).reach_us:
                return topic.text(language).reach_us
        return ()
