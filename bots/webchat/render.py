"""A neutral Reply as the web chat's JSON: the blocks and spans as data, never HTML.

The page (static/chat.js) builds the DOM from it with textContent, so nothing the bot or a user
says is ever read as markup. Links keep only https: and tel: addresses (any other is shown as
its text); a phone number becomes a tel: link. Pure: no network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ...core.reply import (
    Block,
    Bold,
    BulletList,
    Button,
    Command,
    Link,
    Paragraph,
    Phone,
    Reply,
    Span,
)
from ..editors.feedback import parse_vote

SAFE_SCHEMES = ("https:", "tel:")


def render(reply: Reply, feedback_names: tuple[str, str] | None = None) -> dict[str, Any]:
    """The reply as a JSON-ready dict (cached: replies are frozen; the dict is only read).
    `feedback_names` name the 👍 and 👎 buttons for screen readers ("Helpful", "Not helpful")."""
    return rendered(reply, feedback_names)[0]


@lru_cache(maxsize=512)
def rendered(
    reply: Reply, feedback_names: tuple[str, str] | None = None
) -> tuple[dict[str, Any], str]:
    """The reply as a JSON-ready dict and as its compact JSON text, both made once per reply
    (cached): the text is what is sent and kept, not the dict encoded again each time."""
    data = _render(reply, feedback_names)
    return data, json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _render(reply: Reply, feedback_names: tuple[str, str] | None) -> dict[str, Any]:
    return {
        "kind": reply.kind.value,
        "topic": reply.topic,
        "language": reply.language,
        "title": reply.title,
        "blocks": [render_block(block) for block in reply.blocks],
        "buttons": [render_button(button, feedback_names) for button in reply.buttons],
    }


def render_button(button: Button, feedback_names: tuple[str, str] | None) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "label": button.label,
        "action": button.action,
        "compact": button.compact,
    }
    vote = parse_vote(button.action)
    if vote is not None and feedback_names:
        rendered["name"] = feedback_names[0 if vote.helpful else 1]
    return rendered


def render_block(block: Block) -> dict[str, Any]:
    if isinstance(block, BulletList):
        return {"list": [render_spans(item) for item in block.items]}
    if isinstance(block, Paragraph):
        return {"p": render_spans(block.spans)}
    return {"p": []}


def render_spans(spans: tuple[Span, ...]) -> list[dict[str, str]]:
    return [render_span(span) for span in spans]


def render_span(span: Span) -> dict[str, str]:
    if isinstance(span, Bold):
        return {"bold": span.text}
    if isinstance(span, Link):
        if span.url.lower().startswith(SAFE_SCHEMES):
            return {"text": span.text, "href": span.url}
        return {"text": span.text}
    if isinstance(span, Phone):
        return {"text": span.text, "href": "tel:" + span.number}
    if isinstance(span, Command):
        return {"command": span.text}
    return {"text": span.text}


def user_entry(text: str) -> dict[str, Any]:
    """What the person wrote, as the conversation shows (and keeps) it."""
    return {"from": "user", "text": text}
