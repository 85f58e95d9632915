"""Tickets in the state store, shared by every process and replica: ids, times and a language,
never a copy of the conversation (the text lives in the two chats only).

Records (StateStore.put_record), each kept a little longer than a ticket may stay idle:
- ticket/<number>: the ticket;
- ticket_asker/<platform:chat>: the asker's open ticket, or that they are about to ask;
- ticket_thread/<channel:thread>: the ticket of a staff thread.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace

from ..state import StateStore

TICKET, ASKER, THREAD = "ticket", "ticket_asker", "ticket_thread"
PENDING_SECONDS = 15 * 60  # how long "write your question" waits for the question
MARGIN_SECONDS = 86400  # records outlive the idle limit: the idle sweep closes them first


@dataclass(frozen=True)
class Ticket:
    number: int
    platform: str
    chat: str
    language: str
    opened: float
    last: float
    channel: str | None = None
    thread: str | None = None
    replied: float | None = None  # the first staff reply delivered

    @classmethod
    def from_record(cls, record: dict) -> Ticket:
        return cls(**{k: record.get(k) for k in cls.__dataclass_fields__})


class TicketBook:
    def __init__(self, state: StateStore, idle_seconds: float):
        self.state = state
        self.ttl = idle_seconds + MARGIN_SECONDS

    async def asker(self, platform: str, chat: str) -> tuple[Ticket | None, str | None]:
        """The asker's open ticket, or None and the language they are about to ask in (after
        /staff or the button), or None and None."""
        record = await self.state.get_record(ASKER, f"{platform}:{chat}")
        if not record:
            return None, None
        if record.get("ticket") is not None:
            ticket = await self.get(int(record["ticket"]))
            return ticket, None
        return None, record.get("pending")

    async def get(self, number: int) -> Ticket | None:
        record = await self.state.get_record(TICKET, str(number))
        return Ticket.from_record(record) if record else None

    async def by_thread(self, channel: str, thread: str) -> Ticket | None:
        record = await self.state.get_record(THREAD, f"{channel}:{thread}")
        return await self.get(int(record["ticket"])) if record else None

    async def set_pending(self, platform: str, chat: str, language: str) -> None:
        await self.state.put_record(
            ASKER, f"{platform}:{chat}", {"pending": language}, PENDING_SECONDS
        )

    async def clear_pending(self, platform: str, chat: str) -> None:
        await self.state.delete_record(ASKER, f"{platform}:{chat}")

    async def open(self, platform: str, chat: str, language: str) -> Ticket:
        now = time.time()
        number = await self.state.next_number("ticket")
        ticket = Ticket(number, platform, chat, language, opened=now, last=now)
        await self.save(ticket)
        await self.state.put_record(ASKER, f"{platform}:{chat}", {"ticket": number}, self.ttl)
        return ticket

    async def attach(self, ticket: Ticket, channel: str, thread: str) -> Ticket:
        ticket = replace(ticket, channel=channel, thread=thread)
        await self.save(ticket)
        await self.state.put_record(
            THREAD, f"{channel}:{thread}", {"ticket": ticket.number}, self.ttl
        )
        return ticket

    async def touch(self, ticket: Ticket, replied: bool = False) -> Ticket:
        now = time.time()
        first = now if replied and ticket.replied is None else ticket.replied
        ticket = replace(ticket, last=now, replied=first)
        await self.save(ticket)
        # The asker's and the thread's records live as long as the ticket.
        await self.state.put_record(
            ASKER, f"{ticket.platform}:{ticket.chat}", {"ticket": ticket.number}, self.ttl
        )
        if ticket.channel and ticket.thread:
            key = f"{ticket.channel}:{ticket.thread}"
            await self.state.put_record(THREAD, key, {"ticket": ticket.number}, self.ttl)
        return ticket

    async def save(self, ticket: Ticket) -> None:
        await self.state.put_record(TICKET, str(ticket.number), asdict(ticket), self.ttl)

    async def close(self, ticket: Ticket) -> bool:
        """Forget the ticket; False if it was already closed (by another replica, or twice)."""
        if await self.get(ticket.number) is None:
            return False
        await self.state.delete_record(TICKET, str(ticket.number))
        asker = await self.state.get_record(ASKER, f"{ticket.platform}:{ticket.chat}")
        if asker and asker.get("ticket") == ticket.number:
            await self.state.delete_record(ASKER, f"{ticket.platform}:{ticket.chat}")
        if ticket.channel and ticket.thread:
            await self.state.delete_record(THREAD, f"{ticket.channel}:{ticket.thread}")
        return True

    async def open_tickets(self) -> list[Ticket]:
        records = await self.state.list_records(TICKET)
        return sorted((Ticket.from_record(r) for r in records), key=lambda t: t.number)
