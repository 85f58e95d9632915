"""A topic: one content file, its command, aliases and text in each language."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Topic:
    command: str
    aliases: tuple[str, ...]
    order: int
    related: tuple[str, ...]
    texts: dict[str, TopicText]  # by language code
    path: str  # the file it came from, for messages
    # Line of each command, alias and related entry ("alias:phone"), for messages across files.
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def text(self, language: str) -> TopicText:
        return self.texts[language]


@dataclass(frozen=True)
class Content:
    """Every topic, in menu order, and a short hash that names this version of the content."""

    topics: tuple[Topic, ...]
    version: str

    def by_command(self) -> dict[str, Topic]:
        return {topic.command: topic for topic in self.topics}
