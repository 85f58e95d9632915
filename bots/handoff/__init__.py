"""Ask a person: a public question the content can't answer goes to IOM Tokyo staff, and their
reply comes back to the asker's chat.

Platform-neutral: a public platform (Telegram, LINE) gives a `Deliverer` that sends to one
of its chats; the staff platform (Slack) gives a `StaffDesk` that posts tickets and threads.
Each process builds both from the settings, so the compose services (one per platform) work the
same as one process: the state store (tickets.py) is what they share.
"""

from .relay import Deliverer, Handoff, HandoffFailed, StaffDesk, Undeliverable
from .settings import HandoffSettings, read_handoff_settings
from .tickets import Ticket, TicketBook

__all__ = [
    "Deliverer",
    "Handoff",
    "HandoffFailed",
    "HandoffSettings",
    "StaffDesk",
    "Ticket",
    "TicketBook",
    "Undeliverable",
    "read_handoff_settings",
]
