"""Shared fixtures: the shipped content, a fresh answerer, and the fixture folders."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from iombot.core.answerer import Answerer
from iombot.core.content import default_content_dir, load_content
from iombot.core.reply import Query
from iombot.core.topics import Content
from iombot.testing.redis_server import RedisServer


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(default_content_dir())


@pytest.fixture(scope="session")
def answerer(content: Content) -> Answerer:
    # The core keeps no state, so one answerer serves every test (and the content's readings,
    # which load the Japanese dictionary, are worked out once).
    return Answerer(content)


@pytest.fixture(scope="session")
def ask(answerer: Answerer):
    """ask("text", locale=..., user_id=...) -> Reply, through the shipped content."""

    def ask(text: str, **fields) -> object:
        return answerer.answer(Query(text=text, **fields))

    return ask


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, shared by a test module."""
    with RedisServer() as server:
        yield server
