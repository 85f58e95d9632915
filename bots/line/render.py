"""A neutral Reply as LINE messages: plain text (LINE shows text as it is: nothing to escape, no
markup), split between paragraphs under 5,000 characters, at most 5 messages; the buttons as
quick replies (postbacks) on the last message, at most 13, labels within 20 characters.

Pure: no network."""

from __future__ import annotations

from functools import lru_cache

from linebot.v3.messaging import PostbackAction, QuickReply, QuickReplyItem, TextMessage

from ...core.reply import Block, BulletList, Link, Paragraph, Phone, Reply, Span

MAX_TEXT = 5000
MAX_MESSAGES = 5  # a reply token carries at most 5
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_DATA = 300
GAP = "\n\n"
MORE = "…"


def render(reply: Reply) -> list[TextMessage]:
    return list(_render(reply))


@lru_cache(maxsize=256)
def render_dicts(reply: Reply) -> tuple[dict, ...]:
    """The same messages as the JSON the API takes, made once per reply (the SDK's models are
    slow to serialise; the dicts are only read)."""
    return tuple(message.to_dict() for message in _render(reply))


@lru_cache(maxsize=256)
def _render(reply: Reply) -> tuple[TextMessage, ...]:
    pieces = [reply.title] if reply.title else []
    pieces += [text for block in reply.blocks for text in _cut(render_block(block), MAX_TEXT)]
    texts = _pack(pieces)
    if len(texts) > MAX_MESSAGES:  # what fits in one reply; the topic is shorter in practice
        texts = texts[:MAX_MESSAGES]
        texts[-1] = texts[-1][: MAX_TEXT - len(MORE)] + MORE
    if not texts:
        texts = [MORE]
    quick = quick_reply(reply)
    return tuple(
        TextMessage(text=text, quick_reply=quick if n == len(texts) - 1 else None)
        for n, text in enumerate(texts)
    )


def quick_reply(reply: Reply) -> QuickReply | None:
    items = [
        QuickReplyItem(
            action=PostbackAction(
                label=_label(button.label), data=button.action, display_text=button.label[:300]
            )
        )
        for button in reply.buttons
        if len(button.action) <= MAX_DATA
    ][:MAX_QUICK_REPLIES]
    return QuickReply(items=items) if items else None


def render_spans(spans: tuple[Span, ...]) -> str:
    parts = []
    for span in spans:
        if isinstance(span, Link) and span.url != span.text:
            parts.append(f"{span.text} ({span.url})")
        elif isinstance(span, Phone) and span.number.lstrip("+") not in span.text:
            parts.append(f"{span.text} ({span.number})")
        else:
            parts.append(span.text)  # bold, commands (/contact), plain text: as they read
    return "".join(parts)


def render_block(block: Block) -> str:
    if isinstance(block, BulletList):
        return "\n".join(f"• {render_spans(item)}" for item in block.items)
    if isinstance(block, Paragraph):
        return render_spans(block.spans)
    return ""


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + MORE


def _cut(text: str, limit: int) -> list[str]:
    """A block too long for one message, cut at line ends, else at spaces, else anywhere."""
    pieces = []
    while len(text) > limit:
        at = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        at = at if at > limit // 2 else limit
        pieces.append(text[:at].rstrip())
        text = text[at:].lstrip()
    return [*pieces, text] if text else pieces


def _pack(pieces: list[str]) -> list[str]:
    """Blocks joined into as few messages as fit, split only between blocks."""
    texts: list[str] = []
    for piece in pieces:
        if texts and len(texts[-1]) + len(GAP) + len(piece) <= MAX_TEXT:
            texts[-1] += GAP + piece
        else:
            texts.append(piece)
    return texts
