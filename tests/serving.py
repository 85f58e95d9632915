"""serve() started in a test as `iombot run` starts it, with the adapters it makes recorded:
shared by tests/both_platforms.py and tests/webchat_support.py."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from iombot.bots.platform import Platform
from iombot.bots.service import serve
from iombot.bots.settings import Settings


def recorded(platform: Platform, adapters: list, make: Callable | None = None) -> Platform:
    """The platform, each adapter serve() makes of it (by `make`, else its own) appended to
    `adapters`."""

    def make_adapter(services, options):
        adapters.append((make or platform.make_adapter)(services, options))
        return adapters[-1]

    return replace(platform, make_adapter=make_adapter)


@contextlib.asynccontextmanager
async def serving(
    settings: Settings,
    registry: list[Platform],
    adapters: list,
    only: str | None = None,
    expect: int = 0,
) -> AsyncIterator[tuple[asyncio.Event, asyncio.Task]]:
    """serve() with the configured platforms of `registry` (or only one, like a compose
    service), until every adapter is up; stopped on leaving, ending with status `expect`."""
    chosen = [p for p in registry if p.name in settings.platforms and only in (None, p.name)]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, chosen, stop, registry=registry))
    for _ in range(300):
        if task.done() or (
            len(adapters) == len(chosen) and all(a.health()["up"] for a in adapters)
        ):
            break
        await asyncio.sleep(0.02)
    assert not task.done(), f"serve() ended at start: {task.result()}"
    try:
        yield stop, task
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == expect
