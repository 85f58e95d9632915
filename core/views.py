"""A language's share of the content, searched apart from the others'.

The default language and Japanese are searched together, as they always were (a question typed
in romaji is read as kana and matched against the Japanese text; an English one meets the
Japanese content's English words). Every other language is searched in its own index and talk
model, made from its own texts only (its topics' sections, its questions in content/asked/, its
not-covered words, its conversation file): Chinese shares kanji with Japanese, Filipino English
words with English, and mixed together each would move the other's answers. Such a language's
index is made when a question is first written in it, not at every content load.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from .conversation import Conversation
from .languages import Languages
from .topics import Content, NotCovered, Topic


def content_in(
    content: Content, codes: Collection[str], registry: Languages | None = None
) -> Content:
    """The content as it is in these languages only: each topic's sections in them (its
    default section, when it has none of them: still found by its English words), and the
    asked questions, not-covered words and conversation in them. `registry`: the languages
    the view is read with (the base's, or all of them: a Chinese text is read as Chinese only
    when Chinese is registered). The content itself when it has no other language."""
    codes = frozenset(codes)
    registry = registry or content.languages
    if set(content.languages.codes) <= codes and registry is content.languages:
        return content
    topics = tuple(_topic_in(topic, codes) for topic in content.topics)
    not_covered = tuple(
        NotCovered(entry.subject, {c: p for c, p in entry.phrases.items() if c in codes})
        for entry in content.not_covered
    )
    conversation = Conversation(
        default=content.conversation.default,
        intents={c: i for c, i in content.conversation.intents.items() if c in codes},
    )
    return replace(
        content,
        topics=topics,
        languages=registry,
        not_covered=not_covered,
        asked=tuple(asked for asked in content.asked if asked.language in codes),
        conversation=conversation,
    )


def registry_of(languages: Languages, codes: Collection[str]) -> Languages:
    """The registry with these languages only (the default kept)."""
    kept = tuple(lang for lang in languages if lang.code in codes or lang.code == languages.default)
    return Languages(all=kept, default=languages.default, path=languages.path)


def _topic_in(topic: Topic, codes: frozenset[str]) -> Topic:
    texts = {code: text for code, text in topic.texts.items() if code in codes}
    if not texts:
        texts = {topic.source: topic.texts[topic.source]}
    return replace(topic, texts=texts)
