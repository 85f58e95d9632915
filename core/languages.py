"""Languages: which of English and Japanese a reply is in, and cleaning raw input text."""

from __future__ import annotations

import re
import unicodedata

from .reply import LANGUAGES

DEFAULT_LANGUAGE = "en"
MAX_INPUT_CHARS = 500  # longer input is cut before any other work

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def has_japanese(text: str) -> bool:
    """True when the text contains kana or kanji."""
    return _JAPANESE.search(text) is not None


def locale_language(locale: str | None) -> str | None:
    """Map a platform locale ("ja", "ja-JP", "en_US") to a supported language, or None."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-", 1)[0].strip().lower()
    return code if code in LANGUAGES else None


def resolve_language(explicit: str | None, locale: str | None, text: str) -> str:
    """Pick the reply language.

    An explicit choice wins. Then a question written in Japanese is answered in Japanese, whatever
    the locale (a person who writes Japanese reads it). Then the platform's locale hint, then the
    script of the text; English is the fallback.
    """
    if explicit in LANGUAGES:
        return explicit
    if has_japanese(text):
        return "ja"
    return locale_language(locale) or DEFAULT_LANGUAGE


def clean_input(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """Cut to `limit` characters, drop control and format characters, fold white space."""
    text = text[:limit]
    if text.isprintable():  # nothing to drop (the usual case): only the white space to fold
        return " ".join(text.split())
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" " if char in "\t\n\r\v\f" else "")
        else:
            kept.append(char)
    return " ".join("".join(kept).split())
