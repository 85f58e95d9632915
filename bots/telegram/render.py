"""A neutral Reply as Telegram messages: HTML with every string escaped, split under 4096.

Pure: no network, no Application. The title is bold, bullets are "• item", links are <a href>,
phone numbers stay text next to their international form (which Telegram's clients make
tappable), and related topics become an inline keyboard on the last message.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

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
    Text,
    plain_text,
)

MAX_MESSAGE = 4096  # Telegram's limit, counted here on the HTML itself (never less than shown)
MAX_CALLBACK_DATA = 64  # bytes
BLOCK_GAP = "\n\n"


@dataclass(frozen=True)
class OutgoingMessage:
    text: str  # Telegram HTML
    reply_markup: InlineKeyboardMarkup | None = None


def render(reply: Reply, limit: int = MAX_MESSAGE) -> list[OutgoingMessage]:
    """The messages to send for a reply, in order."""
    return list(_render(reply, limit))


@lru_cache(maxsize=256)
def _render(reply: Reply, limit: int) -> tuple[OutgoingMessage, ...]:
    # Cached by value: replies are frozen, and the same topics are asked again and again.
    pieces: list[str] = []
    if reply.title:
        pieces.extend(_fit(f"<b>{_escape(reply.title)}</b>", [Bold(reply.title)], "", limit))
    for block in reply.blocks:
        pieces.extend(_render_block_fitted(block, limit))
    texts = _pack(pieces, BLOCK_GAP, limit)
    keyboard = keyboard_for(reply.buttons)
    if not texts:
        return (OutgoingMessage("…", keyboard),) if keyboard else ()
    messages = [OutgoingMessage(text) for text in texts]
    messages[-1] = OutgoingMessage(texts[-1], keyboard)
    return tuple(messages)


def keyboard_for(buttons: Iterable[Button]) -> InlineKeyboardMarkup | None:
    """One button per row: titles are long, and phones are narrow. Compact buttons (👍 👎)
    next to each other share a row."""
    return _keyboard(tuple(buttons))


@lru_cache(maxsize=512)
def _keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    # Cached: the same few keyboards recur, PTB objects are immutable and costly to build.
    rows: list[list[InlineKeyboardButton]] = []
    previous_compact = False
    for button in buttons:
        if len(button.action.encode()) > MAX_CALLBACK_DATA:
            continue
        key = InlineKeyboardButton(button.label, callback_data=button.action)
        if button.compact and previous_compact:
            rows[-1].append(key)
        else:
            rows.append([key])
        previous_compact = button.compact
    return CachedKeyboard(rows) if rows else None


class CachedKeyboard(InlineKeyboardMarkup):
    """A keyboard built once (above) and sent many times: PTB turns it into a dict for every
    message, which costs more than the rest of a reply's rendering; here that is done once.
    (The dict is only read: json.dumps'd into the request.)"""

    __slots__ = ("_as_dict",)

    def to_dict(self, recursive: bool = True) -> dict:
        if not recursive:
            return super().to_dict(recursive)
        try:
            return self._as_dict
        except AttributeError:
            as_dict = super().to_dict(recursive)
            object.__setattr__(self, "_as_dict", as_dict)  # past PTB's freezing
            return as_dict


def render_spans(spans: Iterable[Span]) -> str:
    spans = tuple(spans)
    visible = plain_text(spans)
    return "".join(_render_span(span, visible) for span in spans)


def render_block(block: Block) -> str:
    match block:
        case Paragraph(spans=spans):
            return render_spans(spans)
        case BulletList(items=items):
            return "\n".join(f"• {render_spans(item)}" for item in items)
    return ""


def size(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _render_span(span: Span, visible: str) -> str:
    match span:
        case Bold(text=text):
            return f"<b>{_escape(text)}</b>"
        case Link(text=text, url=url):
            return f'<a href="{html.escape(url, quote=True)}">{_escape(text)}</a>'
        case Phone(text=text, number=number):
            # Telegram has no tel: links; its clients linkify an international number in the
            # text, so show that number once unless the sentence already has it.
            if number in visible or text == number:
                return _escape(text)
            return f"{_escape(text)} ({_escape(number)})"
        case Command():
            return _escape(span.text)
        case Text(text=text):
            return _escape(text)
    return ""


# --- splitting ----------------------------------------------------------------------------------


def _render_block_fitted(block: Block, limit: int) -> list[str]:
    """A block as one piece, or as several under the limit when it is too long on its own."""
    whole = render_block(block)
    if size(whole) <= limit:
        return [whole]
    match block:
        case BulletList(items=items):
            lines: list[str] = []
            for item in items:
                lines.extend(_fit(f"• {render_spans(item)}", [Text("• "), *item], "", limit))
            return _pack(lines, "\n", limit)
        case Paragraph(spans=spans):
            return _fit(whole, list(spans), "", limit)
    return []


def _fit(whole: str, spans: list[Span], gap: str, limit: int) -> list[str]:
    """Split rendered spans into pieces under the limit, cutting inside a span only when one
    span alone is too long (at white space if possible, never inside a tag or an entity)."""
    if size(whole) <= limit:
        return [whole]
    visible = plain_text(tuple(spans))
    parts: list[str] = []
    for span in spans:
        rendered = _render_span(span, visible)
        if size(rendered) <= limit:
            parts.append(rendered)
            continue
        wrap = ("<b>", "</b>") if isinstance(span, Bold) else ("", "")
        room = limit - size(wrap[0] + wrap[1])
        parts.extend(wrap[0] + chunk + wrap[1] for chunk in _cut_text(span.text, room))
    return _pack(parts, gap, limit)


def _cut_text(text: str, room: int) -> list[str]:
    """Escaped chunks of plain text, each at most `room` long, preferring to cut at spaces."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    last_space = -1  # index in `current` after the last white space
    for char in text:
        escaped = _escape(char)
        if used + size(escaped) > room:
            if 0 < last_space < len(current):
                chunks.append("".join(current[:last_space]))
                current = current[last_space:]
            else:
                chunks.append("".join(current))
                current = []
            used = sum(size(c) for c in current)
            last_space = -1
            if current and used + size(escaped) > room:  # the words after the space fill it too
                chunks.append("".join(current))
                current, used = [], 0
        current.append(escaped)
        used += size(escaped)
        if char.isspace():
            last_space = len(current)
    if current:
        chunks.append("".join(current))
    return [chunk for chunk in chunks if chunk]


def _pack(pieces: list[str], gap: str, limit: int) -> list[str]:
    """Join pieces greedily with `gap` into texts no longer than `limit` (each piece fits)."""
    texts: list[str] = []
    current = ""
    for piece in pieces:
        if not piece:
            continue
        candidate = f"{current}{gap}{piece}" if current else piece
        if size(candidate) <= limit:
            current = candidate
        else:
            if current:
                texts.append(current)
            current = piece
    if current:
        texts.append(current)
    return texts
