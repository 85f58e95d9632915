"""Fixtures: the fake Bot API server, and the log levels production uses."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from tg_harness import TOKEN

from iombot.testing.telegram import FakeBotApi


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def quiet_like_production(caplog):
    """The log levels `configure_logging` sets (library request logs carry the token), with
    everything of ours captured down to DEBUG."""
    for name in ("httpx", "httpcore", "telegram.ext.Updater"):
        logging.getLogger(name).setLevel(logging.WARNING)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="iombot")
    return caplog
