"""The small markup of topic bodies and UI strings, parsed into neutral blocks.

Paragraphs are separated by blank lines; consecutive lines starting with "- " form a bullet list;
inline: **bold**, [label](https://…) links, [03-…](tel:+81-…) phone numbers and `/command args`
(a bot command, written by each platform its own way). Nothing else is
markup: any other character is text, escaped later by each platform's renderer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .reply import Block, Bold, BulletList, Command, Link, Paragraph, Phone, Span, Text

_INLINE = re.compile(
    r"\*\*(?P<bold>.+?)\*\*|\[(?P<label>[^\[\]\n]+)\]\((?P<target>[^()\s]+)\)"
    r"|`/(?P<command>[a-z0-9_{}]+(?: [^`\s]+)*)`"
)
_URL = re.compile(r"https?://[^\s/]+\.[^\s]+")
_PHONE = re.compile(r"tel:\+[0-9][0-9-]{6,20}")
_BULLET = "- "


@dataclass(frozen=True)
class MarkupProblem:
    line: int  # 0-based line inside the marked-up text
    message: str


def parse_spans(
    text: str, line: int = 0, problems: list[MarkupProblem] | None = None
) -> tuple[Span, ...]:
    """Parse inline markup. Problems (bad links, unclosed bold) are appended when a list is given;
    the text is still turned into spans, so a UI string never fails at run time."""
    spans: list[Span] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            spans.append(Text(text[pos : match.start()]))
        if match.group("bold") is not None:
            spans.append(Bold(match.group("bold")))
        elif match.group("command") is not None:
            spans.append(Command(match.group("command")))
        else:
            spans.append(_link(match.group("label"), match.group("target"), line, problems))
        pos = match.end()
    if pos < len(text):
        spans.append(Text(text[pos:]))
    if problems is not None:
        for span in spans:
            if isinstance(span, Text) and "**" in span.text:
                problems.append(MarkupProblem(line, "unclosed ** (bold needs **text**)"))
            if isinstance(span, Text) and "](" in span.text:
                problems.append(
                    MarkupProblem(
                        line, "a link must be written [label](https://…) or [number](tel:+…)"
                    )
                )
    return tuple(_merge_text(spans))


def _link(label: str, target: str, line: int, problems: list[MarkupProblem] | None) -> Span:
    if _PHONE.fullmatch(target):
        return Phone(label, target.removeprefix("tel:"))
    if _URL.fullmatch(target):
        return Link(label, target)
    if problems is not None:
        problems.append(
            MarkupProblem(
                line,
                f"link target {target!r} must be an https:// URL or tel:+<international number>",
            )
        )
    return Text(f"[{label}]({target})")


def _merge_text(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        if merged and isinstance(span, Text) and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + span.text)
        else:
            merged.append(span)
    return merged


def parse_blocks(text: str, problems: list[MarkupProblem] | None = None) -> tuple[Block, ...]:
    """Parse a body into paragraphs and bullet lists."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    paragraph_start = 0
    bullets: list[tuple[Span, ...]] = []

    def flush() -> None:
        nonlocal paragraph, bullets
        if paragraph:
            joined = " ".join(part.strip() for part in paragraph)
            blocks.append(Paragraph(parse_spans(joined, paragraph_start, problems)))
            paragraph = []
        if bullets:
            blocks.append(BulletList(tuple(bullets)))
            bullets = []

    for number, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith(_BULLET):
            if paragraph:
                flush()
            item = line[len(_BULLET) :].strip()
            bullets.append(parse_spans(item, number, problems))
        elif bullets and raw.startswith("  "):
            # A continuation line of the last bullet item.
            last = bullets.pop()
            bullets.append(last + parse_spans(" " + line, number, problems))
        else:
            if bullets:
                flush()
            if not paragraph:
                paragraph_start = number
            paragraph.append(line)
    flush()
    return tuple(_merge_items(block) for block in blocks)


def _merge_items(block: Block) -> Block:
    if isinstance(block, BulletList):
        return BulletList(tuple(tuple(_merge_text(list(item))) for item in block.items))
    return block
