"""Inbound flood control, the same on every platform: a per-user message budget per window.

Past the budget a user gets one polite notice, then silence until the window has passed. The
counts live in the state store, so they are bounded there (and shared where the store is).
"""

from __future__ import annotations

from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    NOTICE = "notice"  # the first message over the budget: tell the user once
    DROP = "drop"


class FloodGate:
    def __init__(self, limit: int = 20, window: float = 60.0):
        self.limit = limit
        self.window = window

    @staticmethod
    def window_key(sender: str) -> str:
        return f"flood:{sender}"

    def verdict(self, count: int) -> Verdict:
        """What to do with a sender's `count`th message of the current window."""
        if count <= self.limit:
            return Verdict.ALLOW
        return Verdict.NOTICE if count == self.limit + 1 else Verdict.DROP
