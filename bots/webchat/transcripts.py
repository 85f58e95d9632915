"""Each web chat session's conversation, kept in the state store so that a reload, another
tab or a later visit shows it again (and staff replies written while the page was closed).

The conversation is a ring of turns: each bot reply is written with what the person wrote
before it, as one small record (kind "webchat", key "<session>.<slot>"), and a head record
(kind "webchathead") counts the turns; a visit reads the latest TURNS. So an answer writes a few
kilobytes, not the whole conversation. Kept as long as the question log keeps questions
(IOMBOT_QUESTION_LOG_DAYS; 0 keeps none).

Two processes writing one session's turn at the same instant (the web chat's and the Slack
service's, a staff reply) may overwrite one of them: rare, and only the older page's copy.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from typing import Any

from ..bounded import BoundedMap
from ..state import StateStore

log = logging.getLogger("iombot.webchat")

KIND, HEAD = "webchat", "webchathead"
TURNS = 40  # the latest turns shown again (a turn: a reply and what was written before it)
PENDING_SESSIONS = 10_000  # sessions with something written and no reply yet, in memory
PENDING_ENTRIES = 5

Entry = dict[str, Any]


def encode(entries: list[Entry]) -> str:
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":"))


class Transcripts:
    def __init__(self, state: StateStore, days: int):
        self.state = state
        self.seconds = days * 86400
        self.pending: BoundedMap[str, list[Entry]] = BoundedMap(PENDING_SESSIONS)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def load(self, session: str) -> list[Entry]:
        """The latest turns, oldest first, and what was written since the last reply."""
        if not self.seconds:
            return []
        head = await self.state.get_record(HEAD, session)
        count = head.get("n") if head else 0
        count = count if isinstance(count, int) else 0
        turns = range(max(0, count - TURNS), count)
        records = await asyncio.gather(
            *(self.state.get_record(KIND, f"{session}.{turn % TURNS}") for turn in turns)
        )
        entries: list[Entry] = []
        for turn, record in zip(turns, records, strict=True):
            if not record or record.get("turn") != turn or not isinstance(record.get("e"), str):
                continue  # expired, or overwritten
            try:
                found = json.loads(record["e"])  # type: ignore[arg-type]
            except ValueError:
                log.warning("a web chat turn that is not JSON was skipped")
                continue
            entries += [entry for entry in found if isinstance(entry, dict)]
        return entries + list(self.pending.get(session) or ())

    def note(self, session: str, entry: Entry) -> None:
        """What the person wrote: kept here, and written with the next reply."""
        if not self.seconds:
            return
        waiting = self.pending.get(session) or []
        self.pending.set(session, [*waiting, entry][-PENDING_ENTRIES:])

    async def append(self, session: str, entry: Entry) -> None:
        """A turn: what was written since the last reply, and this entry (a reply)."""
        if not self.seconds:
            return
        lock = self._locks.get(session)
        if lock is None:
            lock = self._locks[session] = asyncio.Lock()
        async with lock:
            turn_entries = [*(self.pending.pop(session) or ()), entry]
            head = await self.state.get_record(HEAD, session)
            turn = head.get("n") if head else 0
            turn = turn if isinstance(turn, int) else 0
            record = {"turn": turn, "e": encode(turn_entries)}
            await self.state.put_record(KIND, f"{session}.{turn % TURNS}", record, self.seconds)
            await self.state.put_record(HEAD, session, {"n": turn + 1}, self.seconds)
