"""Each web chat session's conversation, kept in the state store so that a reload, another
tab or a later visit shows it again (and staff replies written while the page was closed).

One record per session (kind "webchat", key the session id) holding the latest entries as JSON,
kept as long as the question log keeps questions (IOMBOT_QUESTION_LOG_DAYS; 0 keeps none).
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from typing import Any

from ..state import StateStore

log = logging.getLogger("iombot.webchat")

KIND = "webchat"
MAX_ENTRIES = 60  # the latest entries shown again; older ones are dropped
MAX_BYTES = 96 * 1024  # and at most this much JSON per session

Entry = dict[str, Any]


class Transcripts:
    def __init__(self, state: StateStore, days: int):
        self.state = state
        self.seconds = days * 86400
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def load(self, session: str) -> list[Entry]:
        if not self.seconds:
            return []
        record = await self.state.get_record(KIND, session)
        text = record.get("log") if record else None
        if not isinstance(text, str):
            return []
        try:
            entries = json.loads(text)
        except ValueError:
            log.warning("a web chat transcript that is not JSON was dropped")
            return []
        return [entry for entry in entries if isinstance(entry, dict)]

    async def append(self, session: str, *entries: Entry) -> None:
        """Add entries to the session's conversation (one process at a time per session)."""
        if not self.seconds or not entries:
            return
        lock = self._locks.get(session)
        if lock is None:
            lock = self._locks[session] = asyncio.Lock()
        async with lock:
            kept = [*await self.load(session), *entries][-MAX_ENTRIES:]
            text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
            while len(text.encode()) > MAX_BYTES and len(kept) > 1:
                kept = kept[1:]
                text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
            await self.state.put_record(KIND, session, {"log": text}, self.seconds)
