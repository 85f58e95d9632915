"""Content hot reload: poll the content folder; validate a change first, then swap it in whole.

A broken edit keeps the last good content and logs each problem as path:line: message.
Polling (every IOMBOT_RELOAD_SECONDS) works on every file system, bind mounts included.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from pathlib import Path

from ..core.catalog import strings_files
from ..core.content import CONTENT_SUFFIXES, ContentError, asked_files, load_content
from ..core.readings import ReadingError
from .periodic import Periodic
from .texts import REQUIRED_STRINGS

log = logging.getLogger("iombot.reload")


def prime_metrics(services, adapters) -> None:
    """Every series knowable from the adapters and the content, at 0 (metrics.py)."""
    handoff = services.handoff
    services.metrics.prime(
        [adapter.name for adapter in adapters],
        [topic.command for topic in services.answerer.content.topics],
        public=list(handoff.deliverers) if handoff else (),
        handoff=handoff is not None,
        languages=services.answerer.languages.codes,
    )


def snapshot(directory: Path) -> tuple:
    """What identifies the folder's current state: each content file's name, size and mtime
    (the topic files and languages.yaml, and those of asked/ and strings/)."""
    try:
        entries = sorted(p for p in directory.iterdir() if p.suffix in CONTENT_SUFFIXES)
        entries += asked_files(directory) + strings_files(directory)
        return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in entries)
    except OSError:
        return ()


def refreeze() -> None:
    """After a reload, when the service froze what start-up made (service.py): thaw it so the
    collector can free the old content's index (it holds reference cycles), then freeze the new."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
        gc.freeze()


class ContentWatcher:
    def __init__(self, directory: Path, services, adapters, interval: float = 2.0):
        self.directory = Path(directory)
        self.services = services
        self.adapters = adapters
        self._seen = snapshot(self.directory)
        self._periodic = Periodic(self.check, interval, "content-watcher")

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()

    def _version(self) -> str:
        return self.services.answerer.content.version

    async def check(self) -> bool:
        """Reload if the folder changed; True when new content was swapped in."""
        current = snapshot(self.directory)
        if current == self._seen:
            return False
        self._seen = current
        try:
            content = await asyncio.to_thread(
                load_content, self.directory, required_strings=REQUIRED_STRINGS
            )
        except ContentError as error:
            log.error(
                "content change rejected, keeping version %s:\n%s",
                self.services.answerer.content.version,
                error,
            )
            return False
        if content.version == self.services.answerer.content.version:
            return False
        try:
            # Building the index reads the Japanese in a child process: off the event loop. The
            # swap itself is one reference assignment.
            await asyncio.to_thread(self.services.answerer.replace_content, content)
        except ReadingError as error:
            log.error("content change not taken, keeping version %s: %s", self._version(), error)
            return False
        log.info("content reloaded: version %s, %d topics", content.version, len(content.topics))
        refreeze()
        prime_metrics(self.services, self.adapters)  # a new topic's series, at 0
        for adapter in self.adapters:
            try:
                await adapter.content_changed()
            except Exception:
                log.exception("adapter %s could not take the new content", adapter.name)
        return True
