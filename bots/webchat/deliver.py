"""Staff replies to web chat sessions, from any process (the handoff's Deliverer).

In the process that runs the web chat, the reply goes into the session's conversation and to its
open pages at once. From another process (the Slack service of the compose stack) it goes into
an outbox in the state store, which every web chat process reads every few seconds: one of them
(the first to claim it) keeps it in the conversation, which a page shows on its next visit, and
each sends it to the pages it has open. Only web chat processes write conversations: a staff
reply written into one by the Slack process while the web chat wrote a turn overwrote one of
the two."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from ...core.reply import Reply
from ..state import StateStore
from .render import rendered
from .transcripts import BotEntry, Entry, entry_json

if TYPE_CHECKING:
    from .adapter import WebchatAdapter

# Records {"session", "entry" (JSON), "kept" (in the conversation already)}, key
# "<session>.<entry id>": read by every web chat process.
OUTBOX = "webchatout"
OUTBOX_SECONDS = 600.0  # a kept entry: a page opened later reads the conversation itself


def waiting_seconds(history_seconds: float) -> float:
    """How long an entry not yet kept waits in the outbox (and how long its claim holds): as
    long as the conversation would be kept."""
    return max(OUTBOX_SECONDS, history_seconds)


def bot_entry(reply: Reply, feedback_names: tuple[str, str] | None = None) -> Entry:
    data, text = rendered(reply, feedback_names)
    fields = {"from": "bot", "id": secrets.token_hex(6), "at": time.time(), "reply": data}
    return BotEntry(fields, text)


async def post(state: StateStore, session: str, entry: Entry, kept: bool, seconds: float) -> None:
    """An entry into the outbox, for the session's open pages in any web chat process; `kept`:
    in the conversation already (else a web chat process keeps it there)."""
    record: dict[str, Any] = {"session": session, "entry": entry_json(entry), "kept": kept}
    await state.put_record(OUTBOX, f"{session}.{entry['id']}", record, seconds)


class WebchatDeliverer:
    """Made once per process from the service's state store (the handoff's deliverers, made in
    bootstrap.py). It writes no conversation itself: the web chat, when it runs in this
    process, keeps the reply; else the outbox holds it for a web chat process."""

    def __init__(self, state: StateStore, history_days: int):
        self.state = state
        self.history_seconds = history_days * 86400
        self.adapter: WebchatAdapter | None = None

    def attach(self, adapter: WebchatAdapter) -> None:
        """The web chat runs in this process: deliver straight to it."""
        self.adapter = adapter

    async def deliver(self, chat: str, reply: Reply) -> None:
        if self.adapter is not None:
            await self.adapter.push(chat, reply)
            return
        seconds = waiting_seconds(self.history_seconds)  # until a web chat process keeps it
        await post(self.state, chat, bot_entry(reply), kept=False, seconds=seconds)

    async def close(self) -> None:
        return None  # the state store is the service's, closed with it
