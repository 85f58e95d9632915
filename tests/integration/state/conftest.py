"""Each store the bot can use (memory, a SQLite file, a real redis-server), for the tests of this
folder to run against all three."""

from __future__ import annotations

import pytest

from iombot.bots.state import open_state


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def store(request, tmp_path, redis_server):
    url = {
        "memory": "memory://",
        "sqlite": f"sqlite:///{tmp_path / 'state.db'}",
        "redis": redis_server.url,
    }[request.param]
    state = await open_state(url)
    yield state
    await state.close()
