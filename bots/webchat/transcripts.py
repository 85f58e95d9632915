"""Each web chat session's conversation, kept in the state store so that a reload, another
tab or a later visit shows it again (and staff replies written while the page was closed).

The conversation is a ring of turns: each bot reply is written with what the person wrote
before it, as one small record (kind "webchat", key "<session>.<slot>"), and a head record
(kind "webchathead") counts the turns; a visit reads the latest TURNS. So an answer writes a few
kilobytes, not the whole conversation. Kept as long as the question log keeps questions
(IOMBOT_QUESTION_LOG_DAYS; 0 keeps none).

While the web chat serves (start() to stop()), turns are written behind: kept in memory, read
from there first, and written together every FLUSH_SECONDS (0.1 s) in one commit, and at stop
(a commit per turn and one per head cost the web chat bench about 100 µs of CPU per message; a
longer interval saved no more CPU and kept more memory). A crash loses at most that fraction of
a second of conversation; a clean stop loses nothing. Before start() and after stop() each turn
is written at once, with its head, in one commit.

Only web chat processes write conversations: a staff reply delivered by another process (the
Slack service) comes through the outbox (deliver.py), so the two never write one turn at once.
Two web chat processes serving pages of one session may still overwrite one of them: rare, and
only the older page's copy.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from typing import Any

from ..bounded import BoundedMap
from ..periodic import Periodic
from ..state import StateStore
from ..state.base import Record

log = logging.getLogger("iombot.webchat")

KIND, HEAD = "webchat", "webchathead"
TURNS = 40  # the latest turns shown again (a turn: a reply and what was written before it)
PENDING_SESSIONS = 10_000  # sessions with something written and no reply yet, in memory
PENDING_ENTRIES = 5
FLUSH_SECONDS = 0.1  # the longest a turn waits in memory while the web chat serves

Entry = dict[str, Any]


class BotEntry(dict):
    """A bot's entry that carries its reply's JSON text, made once with the reply's render
    (render.rendered, cached), so that sending and keeping it do not encode the reply again."""

    __slots__ = ("reply_json",)

    def __init__(self, fields: dict[str, Any], reply_json: str):
        super().__init__(fields)
        self.reply_json = reply_json


def entry_json(entry: Entry) -> str:
    """An entry as compact JSON (the same text json.dumps gives), a bot's reply spliced in as
    the text it carries; "reply" comes last."""
    if not isinstance(entry, BotEntry):
        return _compact(entry)
    head = _compact({key: value for key, value in entry.items() if key != "reply"})
    return f'{head[:-1]}{"," if len(head) > 2 else ""}"reply":{entry.reply_json}}}'


def encode(entries: list[Entry]) -> str:
    return "[" + ",".join(entry_json(entry) for entry in entries) + "]"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Transcripts:
    def __init__(self, state: StateStore, days: int):
        self.state = state
        self.seconds = days * 86400
        self.pending: BoundedMap[str, list[Entry]] = BoundedMap(PENDING_SESSIONS)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Written behind (start() to stop()): the records not yet in the store, by (kind, key),
        # and those a flush is writing now; both read before the store.
        self.unsaved: dict[tuple[str, str], Record] = {}
        self.saving: dict[tuple[str, str], Record] = {}
        self.buffered = False
        self.flusher = Periodic(self._flush_now, FLUSH_SECONDS, "webchat transcripts")

    def start(self) -> None:
        """Write behind from now on (the web chat serves in this process)."""
        if not self.buffered:
            self.buffered = True
            self.flusher.start()

    async def stop(self) -> None:
        """Write at once from now on, and write what waits: nothing is lost at a clean stop."""
        if self.buffered:
            self.buffered = False
            await self.flusher.stop()
        await self.flush()

    async def flush(self) -> None:
        """What waits in memory, into the store in one batch; kept for the next flush if the
        store fails."""
        while self.unsaved:
            self.saving, self.unsaved = self.unsaved, {}
            records = [(kind, key, record) for (kind, key), record in self.saving.items()]
            try:
                await self.state.put_records(records, self.seconds)
            except BaseException:
                self.unsaved = {**self.saving, **self.unsaved}  # a newer one wins
                raise
            finally:
                self.saving = {}

    async def _flush_now(self) -> None:
        try:
            await self.flush()
        except Exception as error:  # the next flush tries again; the flusher must go on
            log.warning("web chat turns not written yet: %s", type(error).__name__)

    async def _get(self, kind: str, key: str) -> Record | None:
        record = self.unsaved.get((kind, key))
        if record is None:
            record = self.saving.get((kind, key))
        return record if record is not None else await self.state.get_record(kind, key)

    async def load(self, session: str) -> list[Entry]:
        """The latest turns, oldest first, and what was written since the last reply."""
        if not self.seconds:
            return []
        head = await self._get(HEAD, session)
        count = head.get("n") if head else 0
        count = count if isinstance(count, int) else 0
        turns = range(max(0, count - TURNS), count)
        records = await asyncio.gather(
            *(self._get(KIND, f"{session}.{turn % TURNS}") for turn in turns)
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
            head = await self._get(HEAD, session)
            turn = head.get("n") if head else 0
            turn = turn if isinstance(turn, int) else 0
            records: list[tuple[str, str, Record]] = [
                (KIND, f"{session}.{turn % TURNS}", {"turn": turn, "e": encode(turn_entries)}),
                (HEAD, session, {"n": turn + 1}),
            ]
            if not self.buffered:
                await self.state.put_records(records, self.seconds)
                return
            for kind, key, record in records:
                self.unsaved[kind, key] = record
