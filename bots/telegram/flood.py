"""Inbound flood control: a per-user message budget per window, in bounded memory.

Past the budget a user gets one polite notice, then silence until the window has passed. The
per-user state is an LRU map with a cap, so a flood of distinct users cannot grow it without end
(the user forgotten first is the one silent longest).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    NOTICE = "notice"  # the first message over the budget: tell the user once
    DROP = "drop"


@dataclass
class _Window:
    started: float
    count: int = 0


class FloodGate:
    def __init__(
        self,
        limit: int = 20,
        window: float = 60.0,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.limit = limit
        self.window = window
        self.capacity = capacity
        self._clock = clock
        self._users: OrderedDict[str, _Window] = OrderedDict()

    def check(self, user_key: str) -> Verdict:
        now = self._clock()
        state = self._users.get(user_key)
        if state is None or now - state.started >= self.window:
            state = _Window(started=now)
            self._users[user_key] = state
        self._users.move_to_end(user_key)
        while len(self._users) > self.capacity:
            self._users.popitem(last=False)
        state.count += 1
        if state.count <= self.limit:
            return Verdict.ALLOW
        return Verdict.NOTICE if state.count == self.limit + 1 else Verdict.DROP

    def __len__(self) -> int:
        return len(self._users)
