"""A staff member's Slack message as plain text for the asker on another platform: links as
"label (url)", mentions and channel links dropped, HTML entities unescaped. The result is plain
text; the public platform's renderer escapes it for its own markup."""

from __future__ import annotations

import html
import re

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def readable(text: str) -> str:
    def link(match: re.Match[str]) -> str:
        target, label = match[1], match[2]
        if target[0] in "@#!":  # <@U123>, <#C123|general>, <!here>: not for the asker
            return ""
        url = target.removeprefix("mailto:") if target.startswith("mailto:") else target
        if not label or label == url:
            return url
        return f"{label} ({url})"

    text = _LINK.sub(link, text)
    text = re.sub(r"[ \t]{2,}", " ", text)  # where a mention was
    return html.unescape(text).strip()
