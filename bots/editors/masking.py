"""Personal data out of a question before the question log stores it.

The question log feeds the editors' report, which people read and pass around, and it is kept
for weeks: it must hold no personal data. So a question is masked on its way in: e-mail
addresses, links, phone numbers, @handles and long numbers (ids, postal codes, card numbers)
become placeholders, and a long message is cut. What is left is what an editor needs: the words
of the question.

The patterns run on a copy of the text with full-width forms folded to ASCII one character for
one (０９０－１２３４ reads as 090-1234), so the spans found there are the spans to replace in the
original, and what is not masked keeps its own characters. Their order matters: e-mail
addresses before @handles (an address holds an @), links before phone numbers and numbers (a
link holds digits), phone numbers before plain numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

EMAIL = "[email]"
URL = "[url]"
PHONE = "[phone]"
HANDLE = "[handle]"
NUMBER = "[number]"

# The longest text stored, the "…" included.
MAX_LENGTH = 500
ELLIPSIS = "…"

# Full-width ASCII (！ to ～) shifted back to ASCII, but for the sentence marks ？！， (so that a
# link ends before them, as it does before 。); spaces and dashes of every kind made one plain
# space or hyphen. One character for one, so that positions carry over to the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code) not in "？！，"}
_FOLD.update({ord(space): " " for space in "\u00a0\u3000\t"})
_FOLD.update({ord(dash): "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"})

_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
# A link runs over the characters a URL may hold (a placeholder masked inside it is taken with
# it) and ends before trailing punctuation, which belongs to the sentence.
_URL = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*[A-Za-z0-9\-_~/#=&%+\]]",
    re.IGNORECASE,
)
# Groups of digits joined by single spaces or hyphens, maybe a +country code first and an area
# code in parentheses: a phone number when _is_phone agrees.
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])"
    r"(?:\+[0-9]{1,3}[ \-]?)?"
    r"(?:\([0-9]{1,5}\)[ \-]?)?"
    r"[0-9]{1,15}(?:[ \-][0-9]{1,15}){0,5}"
    r"(?![0-9])"
)
# A Telegram, Slack or other @name, not the middle of an address (those are gone by now).
_HANDLE = re.compile(r"(?<![0-9A-Za-z_@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?")
# A run of digits, maybe in groups: joined by hyphens, or by spaces before groups of three or
# more digits (1234 5678 9012 3456), so that "in 2026 12 people came" keeps its year.
_NUMBER = re.compile(r"[0-9]+(?:-[0-9]+| [0-9]{3,})*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_PLACEHOLDER_START = re.compile(r"\[[a-z]*$")


def _digits(text: str) -> int:
    return sum(char.isdigit() for char in text)


def _is_phone(found: str) -> bool:
    """International (+81 3-1234-5678): 8 to 15 digits. Japanese (03-1234-5678, 090 1234 5678,
    (03) 1234-5678): a leading 0 and 10 or 11 digits."""
    digits = _digits(found)
    if found.startswith("+"):
        return 8 <= digits <= 15
    return found.lstrip("(").startswith("0") and 10 <= digits <= 11


def _is_number(found: str) -> bool:
    """Five digits or more, but a date (2026-11-01) or years (1951-1952) are kept."""
    if _digits(found) < 5 or _DATE.fullmatch(found):
        return False
    return not all(_YEAR.fullmatch(group) for group in re.split(r"[ \-]", found))


_RULES: tuple[tuple[re.Pattern[str], str, Callable[[str], bool] | None], ...] = (
    (_EMAIL, EMAIL, None),
    (_URL, URL, None),
    (_PHONE, PHONE, _is_phone),
    (_HANDLE, HANDLE, None),
    (_NUMBER, NUMBER, _is_number),
)


def _replace(
    text: str, folded: str, pattern: re.Pattern[str], placeholder: str, accept
) -> tuple[str, str]:
    """Replace what `pattern` finds in `folded` at the same places in both texts."""
    parts: list[str] = []
    folded_parts: list[str] = []
    start = 0
    for found in pattern.finditer(folded):
        if accept is not None and not accept(found.group()):
            continue
        parts += (text[start : found.start()], placeholder)
        folded_parts += (folded[start : found.start()], placeholder)
        start = found.end()
    if not parts:
        return text, folded
    parts.append(text[start:])
    folded_parts.append(folded[start:])
    return "".join(parts), "".join(folded_parts)


def _cap(text: str) -> str:
    if len(text) <= MAX_LENGTH:
        return text
    cut = text[: MAX_LENGTH - len(ELLIPSIS)]
    cut = _PLACEHOLDER_START.sub("", cut)  # no half placeholder ("[ema…")
    return cut.rstrip() + ELLIPSIS


def mask(text: str) -> str:
    """The question as the question log may keep it: personal data replaced by placeholders
    ([email], [url], [phone], [handle], [number]) and at most MAX_LENGTH characters."""
    text = text.strip()
    folded = text.translate(_FOLD)
    for pattern, placeholder, accept in _RULES:
        text, folded = _replace(text, folded, pattern, placeholder, accept)
    return _cap(text)
