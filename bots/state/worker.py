"""One thread that runs blocking calls for the event loop, as cheaply as a thread hop can be.

Compared with `loop.run_in_executor`, it skips concurrent.futures, and it takes every call queued
while it was busy as one batch, handing all their results back to the loop with one wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("iombot.state")

T = TypeVar("T")
_Job = tuple[asyncio.AbstractEventLoop | None, asyncio.Future | None, Callable[..., Any], tuple]


class Worker:
    def __init__(self, name: str):
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, work, args))
        return await future

    def submit(self, work: Callable[..., Any], *args: Any) -> None:
        """Run `work` on the thread without waiting for it; a failure is logged."""
        self._jobs.put((None, None, work, args))

    def stop(self) -> None:
        """Finish what is queued, then end the thread."""
        self._jobs.put(None)
        self._thread.join(10)

    def _run(self) -> None:
        while True:
            batch = [self._jobs.get()]
            while True:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            done: dict[asyncio.AbstractEventLoop, list] = {}
            for job in batch:
                if job is None:
                    continue
                loop, future, work, args = job
                try:
                    outcome = (future, work(*args), None)
                except BaseException as error:  # handed to the caller, as an await would
                    outcome = (future, None, error)
                if loop is None:  # submitted: nobody waits for it
                    if outcome[2] is not None:
                        log.warning("%s failed: %s", work.__name__, type(outcome[2]).__name__)
                    continue
                done.setdefault(loop, []).append(outcome)
            for loop, outcomes in done.items():
                # A closed loop raises RuntimeError: nobody is waiting there any more.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_deliver, outcomes)
            if None in batch:
                return


def _deliver(outcomes: list) -> None:
    for future, result, error in outcomes:
        if future.done():  # the caller was cancelled
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
