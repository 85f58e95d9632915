"""An asyncio loop in a thread of its own, so that synchronous code can run the fakes.

The fakes are asyncio servers. Code that blocks while they must keep answering (the container
smoke test waiting with time.sleep, a test driving the installed command with subprocess) runs
them here:

    with BackgroundLoop() as loop:
        fake = loop.call(FakeBotApi, TOKEN)
        loop.run(fake.start())
        ...
        loop.call(fake.push, message("/contact"))  # in the loop's thread: push needs its loop
        answered = loop.call(fake.sent_to, 501)
        loop.run(fake.stop())

Standard library only (see iombot.testing).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="iombot-testing-loop", daemon=True
        )
        self._thread.start()

    def run(self, awaitable: Awaitable[T], timeout: float | None = 60) -> T:
        """Run a coroutine in the loop and return its result (its exception is raised here)."""

        async def wrapped() -> T:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout)

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a plain function in the loop's thread: to build or change a fake, or to read
        its records without racing its handlers."""

        async def wrapped() -> T:
            return function(*args, **kwargs)

        return self.run(wrapped())

    def close(self) -> None:
        """Cancel what is still running in the loop, then stop it and its thread."""
        if self.loop.is_closed():
            return

        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.run(cancel_the_rest(), timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()

    def __enter__(self) -> BackgroundLoop:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
