"""The handoff itself: open a ticket, pass the asker's messages to staff and staff replies to
the asker, close. Platform-neutral: it sees only `StaffDesk` and `Deliverer`."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Protocol

from ...core.languages import Languages
from ...core.reply import Paragraph, Reply, ReplyKind, Text
from .tickets import Ticket, TicketBook

if TYPE_CHECKING:
    from ...core.answerer import Answerer
    from ..metrics import Metrics
    from ..state import StateStore

log = logging.getLogger("iombot.handoff")

FORWARD_LIMIT = 20  # messages an asker may add to a ticket in an hour
FORWARD_WINDOW = 3600.0
REPLY_SEEN_SECONDS = 7 * 86400  # a staff message is delivered once, even if Slack retries


class Undeliverable(Exception):
    """The asker can no longer be reached (blocked the bot, left): the ticket is closed."""


class HandoffFailed(Exception):
    """The staff side could not take the question: the asker is told to call instead."""


class StaffDesk(Protocol):
    """Where staff work (Slack): a ticket is a message, the conversation its thread."""

    channel: str

    async def post_ticket(self, ticket: Ticket, text: str, languages: Languages) -> str:
        """Post a new ticket with the asker's first message; returns the thread's id.
        `languages` names the ticket's language for staff."""
        ...

    async def post_followup(self, ticket: Ticket, text: str) -> None: ...

    async def note(self, ticket: Ticket, key: str, **values: str) -> None:
        """The bot's own note in the ticket's thread ("delivered", "closed", …)."""
        ...

    async def mark_delivered(self, ticket: Ticket, message: str) -> None: ...

    async def mark_closed(self, ticket: Ticket, by: str) -> None: ...

    def listing(self, tickets: list[Ticket], languages: Languages) -> str:
        """The open tickets, with links to their threads, for staff."""
        ...


class Deliverer(Protocol):
    """Sends a reply to one chat of a public platform; raises Undeliverable when that chat can
    no longer be reached, any other exception for a failure worth retrying later."""

    async def deliver(self, chat: str, reply: Reply) -> None: ...

    async def close(self) -> None:
        """Release its HTTP client (the service is stopping)."""


class Handoff:
    def __init__(
        self,
        state: StateStore,
        desk: StaffDesk,
        deliverers: dict[str, Deliverer],
        metrics: Metrics,
        idle_seconds: float,
        answerer: Answerer,
    ):
        self.answerer = answerer  # the bot's own words, and the languages' names for staff
        self.state = state
        self.desk = desk
        self.deliverers = deliverers
        self.metrics = metrics
        self.idle_seconds = idle_seconds
        self.book = TicketBook(state, idle_seconds)
        self.forward_limit = FORWARD_LIMIT

    def serves(self, platform: str) -> bool:
        """Whether askers on this platform can reach staff (its replies can be delivered)."""
        return platform in self.deliverers

    # --- the asker's side ---------------------------------------------------------------------

    async def ask(self, platform: str, chat: str, language: str, text: str) -> Ticket:
        """Open a ticket with the first message and post it to staff; HandoffFailed if the
        staff side can't take it (then no ticket stays open)."""
        ticket = await self.book.open(platform, chat, language)
        try:
            thread = await self.desk.post_ticket(ticket, text, self.answerer.languages)
        except Exception as error:
            await self.book.close(ticket)
            _log(logging.ERROR, ticket, ": could not post it to staff: %s", type(error).__name__)
            raise HandoffFailed from error
        ticket = await self.book.attach(ticket, self.desk.channel, thread)
        self.metrics.tickets_opened.labels(platform, language).inc()
        await self._count_open()
        _log(logging.INFO, ticket, " opened", language=language)
        return ticket

    async def follow_up(self, ticket: Ticket, text: str) -> bool:
        """Another message from the asker into the ticket's thread; False past the hourly limit."""
        count = await self.state.count_in_window(f"handoff:{ticket.number}", FORWARD_WINDOW)
        if count > self.forward_limit:
            return False
        await self.desk.post_followup(ticket, text)
        await self.book.touch(ticket)
        return True

    # --- the staff side -----------------------------------------------------------------------

    async def staff_reply(self, channel: str, thread: str, message: str, text: str) -> bool:
        """A staff member's message in a ticket's thread, delivered once to the asker. False
        when the thread is not an open ticket's, or the message was already delivered."""
        ticket = await self.book.by_thread(channel, thread)
        if ticket is None:
            return False
        if not await self.state.first_time(f"handoff:{channel}:{message}", REPLY_SEEN_SECONDS):
            return False
        title = self.answerer.strings.text("staff_reply", ticket.language)
        reply = Reply(
            kind=ReplyKind.NOTICE,
            language=ticket.language,
            title=title,
            blocks=(Paragraph((Text(text),)),),
        )
        try:
            await self.deliverers[ticket.platform].deliver(ticket.chat, reply)
        except Undeliverable:
            _log(logging.WARNING, ticket, ": the asker can no longer be reached")
            await self.desk.note(ticket, "undeliverable")
            await self.close(ticket, "undeliverable")
            return False
        except Exception as error:
            # The platform failed for now (5xx, network, after the sender's retries): staff
            # are asked to send it again, as a new message.
            _log(
                logging.WARNING,
                ticket,
                ": could not deliver a staff reply: %s",
                type(error).__name__,
            )
            await self.desk.note(ticket, "try_again")
            return False
        first = ticket.replied is None
        ticket = await self.book.touch(ticket, replied=True)
        if first and ticket.replied is not None:
            self.metrics.first_reply.observe(ticket.replied - ticket.opened)
        await self.desk.mark_delivered(ticket, message)
        _log(logging.INFO, ticket, ": staff reply delivered")
        return True

    # --- closing ------------------------------------------------------------------------------

    async def close(self, ticket: Ticket, by: str) -> bool:
        """Close a ticket and tell both sides; `by` is "asker", "staff", "idle" or
        "undeliverable". False if it was closed already."""
        closed = await self._close(ticket, by)
        if closed:
            await self._count_open()
        return closed

    async def _close(self, ticket: Ticket, by: str) -> bool:
        """`close`, without counting the tickets still open (which lists them all)."""
        if not await self.book.close(ticket):
            return False
        self.metrics.tickets_closed.labels(ticket.platform, ticket.language, by).inc()
        _log(logging.INFO, ticket, " closed (%s)", by)
        try:
            await self.desk.mark_closed(ticket, by)
        except Exception as error:  # the asker is still told
            _log(
                logging.WARNING,
                ticket,
                ": could not mark it closed in Slack: %s",
                type(error).__name__,
            )
        if by != "undeliverable":
            notice = Reply(
                kind=ReplyKind.NOTICE,
                language=ticket.language,
                blocks=(
                    Paragraph(
                        self.answerer.strings.spans(
                            "staff_closed", ticket.language, number=str(ticket.number)
                        )
                    ),
                ),
            )
            try:
                await self.deliverers[ticket.platform].deliver(ticket.chat, notice)
            except Exception as error:
                _log(
                    logging.WARNING,
                    ticket,
                    ": could not tell the asker it closed: %s",
                    type(error).__name__,
                )
        return True

    async def close_number(self, number: int, by: str) -> bool:
        ticket = await self.book.get(number)
        return ticket is not None and await self.close(ticket, by)

    async def close_idle(self) -> int:
        """Close the tickets nobody wrote in for the idle limit (run by one replica)."""
        cutoff = time.time() - self.idle_seconds
        closed = 0
        for ticket in await self.book.open_tickets():
            if ticket.last < cutoff and await self._close(ticket, "idle"):
                closed += 1
        if closed:  # counted once, not once per ticket closed
            await self._count_open()
        return closed

    async def _count_open(self) -> None:
        self.metrics.open_tickets.set(len(await self.book.open_tickets()))


def _log(level: int, ticket: Ticket, what: str, *args: object, **fields: str) -> None:
    """One line about a ticket, "handoff: ticket N<what>", with the ticket's number, platform
    and any other `fields` as structured fields (LOG_FORMAT=json)."""
    log.log(
        level,
        f"handoff: ticket %d{what}",
        ticket.number,
        *args,
        extra={"ticket": ticket.number, "platform": ticket.platform, **fields},
    )
