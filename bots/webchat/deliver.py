"""Staff replies to web chat sessions, from any process (the handoff's Deliverer).

In the process that runs the web chat, the reply goes into the session's conversation and to its
open pages at once. From another process (the Slack service of the compose stack) it goes
through the state store: into the conversation, which a page shows on its next visit, and into an
outbox that every web chat process reads every few seconds for the pages it has open."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from ...core.reply import Reply
from ..state import StateStore
from .render import rendered
from .transcripts import BotEntry, Entry, Transcripts, entry_json

if TYPE_CHECKING:
    from .adapter import WebchatAdapter

OUTBOX = "webchatout"  # records: {"session", "entry" (JSON)}, read by the open pages' process
OUTBOX_SECONDS = 600.0  # a page opened later reads the conversation itself


def bot_entry(reply: Reply, feedback_names: tuple[str, str] | None = None) -> Entry:
    data, text = rendered(reply, feedback_names)
    fields = {"from": "bot", "id": secrets.token_hex(6), "at": time.time(), "reply": data}
    return BotEntry(fields, text)


async def post(state: StateStore, transcripts: Transcripts, session: str, entry: Entry) -> None:
    """An entry into the session's conversation, and into the outbox for its open pages."""
    await transcripts.append(session, entry)
    record: dict[str, Any] = {"session": session, "entry": entry_json(entry)}
    await state.put_record(OUTBOX, f"{session}.{entry['id']}", record, OUTBOX_SECONDS)


class WebchatDeliverer:
    """Made once per process from the service's state store (the handoff's deliverers, made in
    bootstrap.py), so its one Transcripts' lock per session holds across deliveries."""

    def __init__(self, state: StateStore, history_days: int):
        self.state = state
        self.transcripts = Transcripts(state, history_days)
        self.adapter: WebchatAdapter | None = None

    def attach(self, adapter: WebchatAdapter) -> None:
        """The web chat runs in this process: deliver straight to it."""
        self.adapter = adapter

    async def deliver(self, chat: str, reply: Reply) -> None:
        if self.adapter is not None:
            await self.adapter.push(chat, reply)
            return
        await post(self.state, self.transcripts, chat, bot_entry(reply))

    async def close(self) -> None:
        return None  # the state store is the service's, closed with it
