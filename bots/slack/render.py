"""A core Reply as Slack Block Kit: pure functions, no Slack client, no network.

Escaping happens here and only here: `&`, `<` and `>` in content and in anything a user typed become
entities, so text can never turn into a mention, a broadcast or a link; our own links are written
as `<url|label>` after escaping their parts. Sections are `verbatim` so Slack does not auto-link
`@here` or channel names either. Long replies are split within Slack's limits: 3,000 characters a
section, 50 blocks a message (100 in a Home tab).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from ...core.catalog import Catalog
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
)

SECTION_CHARS = 3000
MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
HEADER_CHARS = 150
BUTTON_CHARS = 75
FALLBACK_CHARS = 3000
ACTIONS_PER_BLOCK = 25
SLASH_COMMAND = "/iom"

SHARE_ACTION = "iom_share"
_WORDS_FROM = 300  # a text span longer than this is split into words for packing
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,20}")


def hint(strings: Catalog, language: str) -> str:
    """The line under every answer: how to see the topics and how to ask."""
    placeholder = strings.text("question_placeholder", language)
    return mrkdwn(strings.spans("command_hint", language, question=placeholder))


def shared_by_line(strings: Catalog, user: str, language: str) -> str:
    # The mention is written after escaping, so that it stays a mention.
    return escape(strings.text("shared_by", language)).replace("{user}", f"<@{user}>")


# --- text -----------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_url(url: str) -> str:
    # Inside <url|label>, a | or > would end the URL early: percent-encode them.
    return (
        escape(url.replace("|", "%7C").replace(" ", "%20"))
        .replace("&gt;", "%3E")
        .replace("&lt;", "%3C")
    )


def _atoms(span: Span) -> Iterator[str]:
    """One span as mrkdwn pieces that may be split between sections (words, or a whole link)."""
    match span:
        case Text(text=text) if len(text) <= _WORDS_FROM:
            yield escape(text)
        case Text(text=text):  # long: words, so that sections can break between them
            for piece in re.split(r"(\s+)", text):
                yield from (escape(part) for part in _chunks(piece, SECTION_CHARS // 5))
        case Bold(text=text):
            # Slack's bold cannot hold a * nor start or end with a space.
            inner = escape(text.strip().replace("*", "")[: SECTION_CHARS // 5 - 2])
            if inner:
                lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
                yield f"{lead[:1]}*{inner}*{trail[:1]}"
        case Link(text=text, url=url):
            label = escape(text.replace("|", "¦")[:200])
            yield f"<{_escape_url(url)}|{label}>" if label else f"<{_escape_url(url)}>"
        case Phone(text=text, number=number):
            digits = "+" + re.sub(r"\D", "", number) if number.startswith("+") else number
            yield f"<tel:{_escape_url(digits)}|{escape(text.replace('|', '¦'))}>"
        case Command(name=name):
            yield f"`{escape(f'{SLASH_COMMAND} {name}')}`"


def _chunks(text: str, size: int) -> Iterator[str]:
    if not text:
        return
    for start in range(0, len(text), size):
        yield text[start : start + size]


def mrkdwn(spans: Iterable[Span]) -> str:
    """Spans as one mrkdwn string (no length limit: see `section_texts`)."""
    return "".join(atom for span in spans for atom in _atoms(span))


def _block_atoms(block: Block) -> list[str]:
    match block:
        case Paragraph(spans=spans):
            return [atom for span in spans for atom in _atoms(span)]
        case BulletList(items=items):
            atoms: list[str] = []
            for n, item in enumerate(items):
                atoms += (["\n"] if n else []) + ["• "]
                atoms += [atom for span in item for atom in _atoms(span)]
            return atoms
    return []


def section_texts(block: Block, limit: int = SECTION_CHARS) -> list[str]:
    """A block's mrkdwn, packed into pieces of at most `limit` characters, never cutting an
    escape or a link in two: a piece ends at the last line break (between list items) when
    there is one, else between words."""
    pieces: list[str] = []
    current, line_start = "", 0
    for atom in _block_atoms(block):
        while len(current) + len(atom) > limit and current:
            cut = line_start if line_start > 0 else len(current)
            pieces.append(current[:cut])
            current, line_start = current[cut:].lstrip("\n"), 0
        if atom == "\n":
            if not current:
                continue
            line_start = len(current)
        current += atom
    pieces.append(current)
    return [piece.strip("\n") for piece in pieces if piece.strip()]


# --- Block Kit ------------------------------------------------------------------------------------


def _plain(text: str, limit: int) -> dict:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text or " ", "emoji": True}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text, "verbatim": True}]}


def button(label: str, value: str, action_id: str, primary: bool = False) -> dict:
    element = {
        "type": "button",
        "text": _plain(label, BUTTON_CHARS),
        "action_id": action_id[:255],
        "value": value[:2000],
    }
    if primary:
        element["style"] = "primary"
    return element


def button_blocks(buttons: Iterable[Button], taken: set[str] | None = None) -> list[dict]:
    """Buttons as actions blocks; action_id "iom_topic:<cmd>", made unique within `taken`.
    Compact buttons (👍 👎) get an actions block of their own, after the others."""
    taken = set() if taken is None else taken
    groups: dict[bool, list[dict]] = {False: [], True: []}
    for item in buttons:
        action_id = f"iom_{item.action}"
        n = 2
        while action_id in taken:
            action_id, n = f"iom_{item.action}#{n}", n + 1
        taken.add(action_id)
        groups[item.compact].append(button(item.label, item.action, action_id))
    return [
        {"type": "actions", "elements": elements[i : i + ACTIONS_PER_BLOCK]}
        for elements in (groups[False], groups[True])
        for i in range(0, len(elements), ACTIONS_PER_BLOCK)
    ]


def staff_context(text: str) -> dict:
    """A context line of our own words (with `code` spans), under the /iom menu."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def thanked(blocks: list[dict], thanks: str) -> list[dict]:
    """An answer's blocks with its vote buttons replaced by a thank-you."""

    def votes(block: dict) -> bool:
        elements = block.get("elements") or []
        return block.get("type") == "actions" and any(
            str(e.get("action_id", "")).startswith("iom_fb:") for e in elements
        )

    kept = [block for block in blocks if not votes(block)]
    return [*kept, _context(escape(thanks))]


def content_blocks(reply: Reply) -> list[dict]:
    """The header and sections of a reply (no buttons)."""
    blocks: list[dict] = []
    if reply.title:
        blocks.append({"type": "header", "text": _plain(reply.title, HEADER_CHARS)})
    for block in reply.blocks:
        blocks.extend(_section(text) for text in section_texts(block))
    return blocks


def share_value(language: str, text: str | None = None, action: str | None = None) -> str:
    """What the Share button carries: enough to build the same answer again."""
    data = {"l": language, "a": action} if action else {"l": language, "q": (text or "")[:1000]}
    return json.dumps(data, ensure_ascii=False)


def render_messages(
    reply: Reply,
    strings: Catalog,
    share: str | None = None,
    shared_by: str | None = None,
    max_blocks: int = MESSAGE_BLOCKS,
) -> list[dict]:
    """A reply as one or more messages, each {"text": fallback, "blocks": [...]}.

    `strings` are the bot's own words (the content's); `share` adds a "Share in channel" button
    carrying that value; `shared_by` (a user id) adds a "Shared by" line.
    """
    blocks = content_blocks(reply)
    context = [hint(strings, reply.language)]
    if shared_by and _USER_ID.fullmatch(shared_by):
        context.insert(0, shared_by_line(strings, shared_by, reply.language))
    blocks.append(_context(" · ".join(context)))
    blocks.extend(button_blocks(reply.buttons))
    if share is not None:
        label = strings.text("share", reply.language)
        blocks.append(
            {"type": "actions", "elements": [button(label, share, SHARE_ACTION, primary=True)]}
        )
    messages = []
    for start in range(0, len(blocks), max_blocks):
        part = blocks[start : start + max_blocks]
        messages.append(
            {"text": fallback(part) or escape(reply.title or "IOM Tokyo"), "blocks": part}
        )
    return messages


def fallback(blocks: list[dict]) -> str:
    """Plain-ish text for notifications and clients without blocks: headers and sections."""
    lines = []
    for block in blocks:
        if block["type"] == "header":
            lines.append(escape(block["text"]["text"]))
        elif block["type"] == "section":
            lines.append(block["text"]["text"])
    text = "\n".join(lines)
    if len(text) > FALLBACK_CHARS:  # cut at a line so that no link or escape is broken
        text = text[:FALLBACK_CHARS].rsplit("\n", 1)[0] or text[: FALLBACK_CHARS // 2]
        text = re.sub(r"<[^>]*$|&[a-z]*$", "", text) + " …"
    return text


def home_view(
    strings: Catalog, welcome: Reply, contact: Reply | None = None, selected: Reply | None = None
) -> dict:
    """The App Home tab: an introduction with a button per topic, the topic last chosen, and
    the contact details; at most 100 blocks."""
    taken: set[str] = set()
    blocks = content_blocks(welcome)
    blocks += button_blocks(welcome.buttons, taken)
    if selected is not None:
        blocks.append({"type": "divider"})
        blocks.append(_context(escape(strings.text("home_topic", selected.language))))
        blocks += content_blocks(selected)
        blocks += button_blocks(selected.buttons, taken)
    if contact is not None and (selected is None or selected.topic != contact.topic):
        blocks.append({"type": "divider"})
        blocks += content_blocks(contact)
    blocks.append(_context(hint(strings, welcome.language)))
    if len(blocks) > HOME_BLOCKS:
        blocks = [*blocks[: HOME_BLOCKS - 1], blocks[-1]]
    return {"type": "home", "blocks": blocks}
