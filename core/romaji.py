"""Japanese typed in Latin letters ("IOM Tokyo no denwa bangou oshiete"), read as kana.

People on a phone or computer without a Japanese keyboard type Japanese in romaji. Read as
hiragana, such a question goes the way of any question typed in kana (search.py matches kana
against the content's readings). The spelling to kana is jaconv's (Hepburn, kunrei and the
typing forms: shi/si, tsu/tu, ji/zi/jyu). An English question is left alone: a text is read as
romaji only when half of its words are romaji and not English the bot knows, and so are two of
the words that are neither stopwords nor such English (or the one there is: "IOM denwabangou").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import jaconv

# Words as letters only ("2016nen" gives "nen", "9gatsu" gives "gatsu"); an apostrophe inside
# one marks a syllabic n (kon'nichiwa, hon'ya).
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
# Long vowels written with a macron (tōkyō) or a circumflex (tôkyô), as the letters they stand for.
_LONG_VOWELS = str.maketrans(
    {
        "ā": "aa",
        "ī": "ii",
        "ū": "uu",
        "ē": "ee",
        "ō": "ou",
        "â": "aa",
        "î": "ii",
        "û": "uu",
        "ê": "ee",
        "ô": "ou",
        "’": "'",
    }
)
# In written romaji, n before a vowel is ん only when doubled or marked (minna, kon'nichiwa);
# jaconv follows the keyboard, where nn alone is ん, so the second n gets its vowel back.
_SYLLABIC_N = re.compile(r"nn(?=[aiueoy])")
# What jaconv makes of letters that are not Japanese ("is" -> いっ, "what" -> うぁっ, "via"
# -> ゔぃあ): a word is romaji only when it becomes kana without these.
_HIRAGANA = re.compile(r"[\u3041-\u3096]+")
_NOT_JAPANESE = re.compile(r"[ぁぃぅぇぉゔ]|っ$|^ん")
# At least this many of the words that are neither stopwords nor known English (or the one there
# is), and this share of all the words, must be romaji.
MIN_WORDS = 2
MIN_SHARE = 0.5


@lru_cache(maxsize=4096)
def as_kana(word: str) -> str | None:
    """The hiragana of one lower-case word of romaji, or None if it is not romaji."""
    kana = jaconv.alphabet2kana(_SYLLABIC_N.sub("n'n", word)).replace("'", "")
    if not _HIRAGANA.fullmatch(kana) or _NOT_JAPANESE.search(kana):
        return None
    return kana


def romaji_as_kana(
    text: str, known: Callable[[str], bool], stopwords: frozenset[str]
) -> str | None:
    """The (normalized, lower-case) text with its romaji words written in hiragana, when it
    reads as Japanese; None when it does not (English, or not only Latin letters).

    `known(word)`: whether a word is one of the English words the bot knows (its content's and
    its asked questions'): it stays as it is ("tokyo", "un", "mochizuki"). English stopwords
    that are romaji too ("no", "to", "he") are converted, but do not count as romaji."""
    text = text.translate(_LONG_VOWELS)
    if not text.isascii():
        return None
    words = _WORD.findall(text)
    unknown = [w for w in words if w not in stopwords and not known(w)]
    counted = [w for w in unknown if as_kana(w)]
    if not counted or len(set(counted)) < min(MIN_WORDS, len(set(unknown))):
        return None
    if len(counted) < MIN_SHARE * len(words):
        return None
    romaji = {w: kana for w in set(words) if not known(w) and (kana := as_kana(w))}
    return _WORD.sub(lambda m: romaji.get(m[0], m[0]), text)
