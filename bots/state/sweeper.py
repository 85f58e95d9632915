"""The periodic clean-up of expired state, run by one replica at a time (the store's lock)."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from ..periodic import Periodic
from .base import StateStore

log = logging.getLogger("iombot.state")


class StateSweeper:
    def __init__(
        self,
        state: StateStore,
        interval: float,
        also: Callable[[], Awaitable[int]] | None = None,
    ):
        self.state = state
        self.also = also  # another clean-up for the same replica: closing idle tickets
        self.interval = interval
        # Who holds the lock: this process, recognisable in Redis or SQLite by an operator.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._periodic = Periodic(self.sweep_once, interval, "state-sweeper")

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()

    async def sweep_once(self) -> int | None:
        """Sweep if no other replica has this interval; the number removed, or None if skipped."""
        try:
            # Held for most of an interval: the other replicas skip this round.
            if not await self.state.acquire_lock("sweep", self.owner, self.interval * 0.9):
                return None
            removed = await self.state.sweep()
            if self.also is not None:
                await self.also()
        except Exception as error:  # the next round tries again
            log.warning("state sweep failed (%s)", type(error).__name__)
            return None
        if removed:
            log.info("state sweep removed %d expired entries", removed)
        return removed
