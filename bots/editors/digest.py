"""The weekly digest: the editors' report, posted to a Slack channel once a week (default Monday
09:00 Asia/Tokyo), by one replica only: the store's lock decides who posts, and a record of
the week says it was posted."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from ..periodic import Periodic
from .report import render_text

if TYPE_CHECKING:
    from ..settings import Settings
    from ..shared import Services

log = logging.getLogger("iombot.editors")

POSTED = "digest"
LOCK_SECONDS = 300.0  # a replica that took the lock and died: another tries after this
WIDTH = 80  # characters of a line of the text report in a Slack code block


class ReportPoster(Protocol):
    async def post_report(self, channel: str, title: str, text: str) -> None: ...


class WeeklyDigest:
    def __init__(
        self,
        services: Services,
        poster: ReportPoster,
        settings: Settings,
        check_seconds: float = 60.0,
        now: Callable[[], datetime] | None = None,
    ):
        assert settings.digest_channel is not None
        self.services = services
        self.poster = poster
        self.channel = settings.digest_channel
        self.day = settings.digest_day
        self.at = settings.digest_time
        self.zone = ZoneInfo(settings.digest_timezone)
        self.now = now or (lambda: datetime.now(self.zone))
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._periodic = Periodic(self.tick, check_seconds, "weekly-digest")

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()

    async def tick(self) -> bool:
        """Post this week's digest if it is due and not posted yet; True when this replica
        posted it. Never raises: the next tick tries again."""
        now = self.now().astimezone(self.zone)
        if now.weekday() != self.day or now.strftime("%H:%M") < self.at:
            return False
        year, week, _ = now.isocalendar()
        key = f"{year}-W{week:02d}"
        state = self.services.state
        try:
            if await state.get_record(POSTED, key):
                return False
            if not await state.acquire_lock(f"digest:{key}", self.owner, LOCK_SECONDS):
                return False
            if await state.get_record(POSTED, key):  # posted while we waited for the lock
                return False
            since = (now.date() - timedelta(days=7)).isoformat()
            report = await self.services.report(since)
            title = f"IOM Tokyo bot: the week's report ({since} to {now.date().isoformat()})"
            await self.poster.post_report(self.channel, title, render_text(report, WIDTH))
            await state.put_record(POSTED, key, {"posted": time.time()}, 8 * 86400)
        except Exception as error:
            log.warning("weekly digest %s not posted: %s", key, type(error).__name__)
            return False
        log.info("weekly digest %s posted", key, extra={"channel": self.channel})
        return True
