"""The fake LINE API on loopback, for the adapter's tests and the fake's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from iombot.testing.line import FakeLine


@pytest.fixture
async def fake() -> AsyncIterator[FakeLine]:
    fake = FakeLine()
    await fake.start()
    yield fake
    await fake.stop()
