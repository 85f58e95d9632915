"""👍 / 👎 under every topic answer on the chat platforms: the buttons, and what a press means.

The button carries the topic and language it was shown with; the adapter adds who pressed it
and which answer (its message), and thanks the person without a new message."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...core.catalog import Catalog
from ...core.reply import Button, Reply, ReplyKind

PREFIX = "fb:"


@dataclass(frozen=True)
class Vote:
    helpful: bool
    topic: str
    language: str


def with_feedback(reply: Reply) -> Reply:
    """A topic answer with 👍 and 👎 after its own buttons; any other reply as it is."""
    if reply.kind is not ReplyKind.TOPIC or not reply.topic:
        return reply
    up = Button("👍", f"{PREFIX}up:{reply.topic}:{reply.language}", compact=True)
    down = Button("👎", f"{PREFIX}down:{reply.topic}:{reply.language}", compact=True)
    return replace(reply, buttons=(*reply.buttons, up, down))


def parse_vote(action: str) -> Vote | None:
    """The vote a button's action carries, or None for another button (or a forged one)."""
    if not action.startswith(PREFIX):
        return None
    parts = action[len(PREFIX) :].split(":")
    if len(parts) != 3 or parts[0] not in ("up", "down") or not parts[1]:
        return None
    return Vote(helpful=parts[0] == "up", topic=parts[1], language=parts[2])


def thanks(strings: Catalog, language: str) -> str:
    return strings.text("feedback_thanks", language)
