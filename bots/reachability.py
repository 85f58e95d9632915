"""Whether an adapter reaches its platform, from the outcome of its calls: failing (5xx, no
answer, a 409 that persists, a socket that keeps dropping) for longer than a grace period makes
it degraded, and /healthz says so (503, with why); one call that succeeds clears it."""

from __future__ import annotations

import time
from collections.abc import Callable

GRACE_SECONDS = 30.0


class Reachability:
    def __init__(self, grace: float = GRACE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.grace = grace
        self.clock = clock
        self.failing_since: float | None = None
        self.why: str | None = None

    def succeeded(self) -> None:
        self.failing_since = None
        self.why = None

    def failed(self, why: str) -> None:
        """A call failed; `why` names it (never a URL or a token): "getUpdates: HTTP 502"."""
        if self.failing_since is None:
            self.failing_since = self.clock()
        self.why = why

    @property
    def degraded(self) -> bool:
        return self.failing_since is not None and self.clock() - self.failing_since > self.grace

    def report(self) -> dict:
        """For /healthz: nothing while it reaches the platform."""
        if self.failing_since is None:
            return {}
        failing = round(self.clock() - self.failing_since, 1)
        return {"failing_for_seconds": failing, "why": self.why, "degraded": self.degraded}
