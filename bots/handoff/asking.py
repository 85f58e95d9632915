"""The asker's side of the handoff, the same on every public platform (Telegram, LINE):
what /staff, /done, the staff button and a message mean while someone asks staff. It answers
with neutral Replies; the adapter only sends them.

In a private chat with an open ticket, a text message goes to staff, not to the bot (commands
are still the bot's); right after /staff or the button, the next text message is the question.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ...core.reply import Button, Paragraph, Query, Reply, ReplyKind
from .relay import HandoffFailed

if TYPE_CHECKING:
    from ...core.catalog import Catalog
    from ..shared import Services

ASK_STAFF, CANCEL_ASKING = "staff:ask", "staff:cancel"
COMMANDS = ("staff", "done")  # the asker's commands, on every platform
_COMMAND = re.compile(r"\s*/(staff|done)(?:\s+(.*))?", re.DOTALL | re.IGNORECASE)
# Replies that are not a confident answer, and criticism: they offer a person.
NOT_CONFIDENT = (
    ReplyKind.SUGGESTIONS,
    ReplyKind.UNKNOWN_COMMAND,
    ReplyKind.EMPTY,
    ReplyKind.PERSON,
)


class Asking:
    def __init__(self, services: Services):
        self.services = services

    def _on(self, platform: str) -> bool:
        handoff = self.services.handoff
        return handoff is not None and handoff.serves(platform)

    async def message(self, platform: str, chat: str, query: Query) -> tuple[Reply, ...] | None:
        """The replies to a text message when the handoff takes it, or None for the bot to
        answer. `query` carries the user's remembered language (Services.admit)."""
        command = _COMMAND.fullmatch(query.text)
        if command is not None:
            if command[1].lower() == "staff":
                return await self.staff(platform, chat, query, (command[2] or "").strip())
            return await self.done(platform, chat, query)
        if not self._on(platform) or query.chat_kind != "private":
            return None
        if query.text.lstrip().startswith("/"):
            return None  # other commands are still the bot's
        handoff = self.services.handoff
        assert handoff is not None
        ticket, pending = await handoff.book.asker(platform, chat)
        if ticket is not None:
            if await handoff.follow_up(ticket, query.text):
                return ()
            return (self._say("staff_limit", ticket.language),)
        if pending is not None and query.text.strip():
            return await self._open(platform, chat, pending, query.text.strip())
        return None

    @staticmethod
    def takes(action: str) -> bool:
        """Whether `action` is one of the handoff's buttons (the staff button, Cancel)."""
        return action in (ASK_STAFF, CANCEL_ASKING)

    async def button(
        self, platform: str, chat: str, query: Query, action: str
    ) -> tuple[Reply, ...] | None:
        """The replies to the staff button or Cancel, or None for another button."""
        if action == ASK_STAFF:
            return await self.staff(platform, chat, query, "")
        if action != CANCEL_ASKING:
            return None
        if self.services.handoff is not None:
            await self.services.handoff.book.clear_pending(platform, chat)
        language = self.services.answerer.language_for(query)
        return (self._say("staff_cancelled", language),)

    def can_start(self, platform: str, query: Query) -> bool:
        """Whether asking for a person here starts the handoff (a public platform that has it,
        in a private chat); elsewhere the reply says how to reach people."""
        return self._on(platform) and query.chat_kind == "private"

    def offer(self, platform: str, reply: Reply, query: Query) -> Reply:
        """A reply that is not a confident answer, or to someone in trouble, in a private chat,
        offers a person."""
        if not (reply.kind in NOT_CONFIDENT or reply.urgent) or not self._on(platform):
            return reply
        if query.chat_kind != "private":
            return reply
        ask = Button(self._strings.text("ask_staff", reply.language), ASK_STAFF)
        return replace(reply, buttons=(ask, *reply.buttons))

    async def staff(
        self, platform: str, chat: str, query: Query, question: str
    ) -> tuple[Reply, ...]:
        language = self.services.answerer.language_for(query)
        handoff = self.services.handoff
        if handoff is None or not handoff.serves(platform):
            return (self._say("staff_unavailable", language, reach_us=True),)
        if query.chat_kind != "private":
            return (self._say("staff_in_group", language, reach_us=True),)
        ticket, _ = await handoff.book.asker(platform, chat)
        if ticket is not None:  # one open ticket per person: this goes into it
            if question and not await handoff.follow_up(ticket, question):
                return (self._say("staff_limit", ticket.language),)
            return (self._say("staff_sent", ticket.language, number=str(ticket.number)),)
        if question:
            return await self._open(platform, chat, language, question)
        await handoff.book.set_pending(platform, chat, language)
        strings = self._strings
        return (
            Reply(
                kind=ReplyKind.NOTICE,
                language=language,
                title=strings.text("staff_title", language),
                blocks=(Paragraph(strings.spans("staff_consent", language)),),
                buttons=(Button(strings.text("cancel", language), CANCEL_ASKING),),
            ),
        )

    async def done(self, platform: str, chat: str, query: Query) -> tuple[Reply, ...]:
        handoff = self.services.handoff
        if handoff is not None:
            ticket, pending = await handoff.book.asker(platform, chat)
            if ticket is not None:
                await handoff.close(ticket, "asker")  # which tells the asker, too
                return ()
            if pending is not None:
                await handoff.book.clear_pending(platform, chat)
        language = self.services.answerer.language_for(query)
        return (self._say("staff_none_open", language),)

    async def _open(
        self, platform: str, chat: str, language: str, question: str
    ) -> tuple[Reply, ...]:
        assert self.services.handoff is not None
        try:
            ticket = await self.services.handoff.ask(platform, chat, language, question)
        except HandoffFailed:
            return (self._say("staff_failed", language, reach_us=True),)
        return (self._say("staff_sent", language, number=str(ticket.number)),)

    @property
    def _strings(self) -> Catalog:
        return self.services.answerer.strings

    def _say(self, key: str, language: str, reach_us: bool = False, **values: str) -> Reply:
        blocks = (Paragraph(self._strings.spans(key, language, **values)),)
        if reach_us:
            blocks += self.services.answerer.content.reach_us(language)
        return Reply(kind=ReplyKind.NOTICE, language=language, blocks=blocks)
