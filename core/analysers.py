"""How text becomes search terms, per script, chosen by the language registry.

search.py indexes a topic's text in a language with that language's analyser, and a question
with the analysers of the scripts it contains. English (latin, stemmed by Snowball's English
stemmer) and Japanese (kanji bigrams and kana readings) keep their tuned pipelines in search.py;
this module adds what a new language needs and says which pipeline each language gets:

- latin: words, casefolded, diacritics folded (é -> e), stemmed by the language's Snowball
  stemmer if it has one (a language without one, Vietnamese, keeps whole words). English keeps
  its tuned pipeline as it was: no folding (folded, the Latin word pairs of a question typed in
  romaji with macrons, "tōkyō", would change a tuned figure);
- japanese: search.japanese_terms, unchanged;
- han: Chinese characters as bigrams and unigrams, with no kana readings;
- hangul: each word, and the syllable bigrams inside it (particles stick to Korean words);
- devanagari: words, split on spaces, punctuation and the danda.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import snowballstemmer

from .languages import Languages
from .scripts import DEVANAGARI, HAN, HANGUL, JAPANESE, LATIN

Stemmer = Callable[[str], str]

# As search.py weighs a kanji bigram and a kanji unigram (its _KANJI_UNIGRAM_WEIGHT): Chinese
# and Japanese text share these terms, so a name in kanji matches in both.
HAN_BIGRAM_WEIGHT = 1.0
HAN_UNIGRAM_WEIGHT = 0.15
# A Korean word with its particle (전화번호는) rarely matches whole; its syllable bigrams do.
HANGUL_WORD_WEIGHT = 0.5
HANGUL_BIGRAM_WEIGHT = 1.0

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]+")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7af]+")
# Letters, vowel signs and digits of Devanagari; the danda (।) and double danda (॥) split.
_DEVANAGARI_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097f]+")
_ACCENTED = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")
# Latin letters NFKD does not decompose.
_UNDECOMPOSED = str.maketrans(
    {
        **{"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ı": "i"},
        **{"Æ": "AE", "Ø": "O", "Œ": "OE", "Đ": "D", "Ł": "L", "Þ": "TH"},
    }
)


def fold_latin(text: str) -> str:
    """Diacritics dropped from Latin letters ("numéro" -> "numero", "tōkyō" -> "tokyo"); any
    text without them as it is. Only Latin words are read from the result."""
    if not _ACCENTED.search(text):
        return text
    if len(text) <= _REMEMBERED:
        return _folded(text)
    return _fold(text)


# A question's text and words come back in every judge: those are remembered; a content field
# folded while its index is made is not (the cache would keep each content version's text).
_REMEMBERED = 200


@functools.lru_cache(maxsize=16384)
def _folded(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=64)
def pairs_of(text: str) -> frozenset[str]:
    """A text's pairs of characters and its characters: phrases kept by their first two
    characters (a phrase of one character by that character) are looked up by them, each
    phrase list (signals, people, declined subjects…) for the same message in turn."""
    return frozenset({text[i : i + 2] for i in range(len(text))} | set(text))


@functools.cache
def snowball(algorithm: str) -> Stemmer:
    """A Snowball stemmer's stemWord (PyStemmer's C one when installed), each word's stem
    remembered: the same words come back in every question."""
    return functools.lru_cache(maxsize=8192)(snowballstemmer.stemmer(algorithm).stemWord)


def han_terms(text: str) -> dict[str, float]:
    """Chinese: every run of characters as bigrams and unigrams (no readings: no kana)."""
    terms: dict[str, float] = {}
    for run in _HAN_RUN.findall(text):
        for i in range(len(run) - 1):
            terms[run[i : i + 2]] = HAN_BIGRAM_WEIGHT
        for char in run:
            terms.setdefault(char, HAN_BIGRAM_WEIGHT if len(run) == 1 else HAN_UNIGRAM_WEIGHT)
    return terms


def hangul_terms(text: str) -> dict[str, float]:
    """Korean: each word, and the bigrams of its syllables."""
    terms: dict[str, float] = {}
    for word in _HANGUL_WORD.findall(text):
        for i in range(len(word) - 1):
            terms[word[i : i + 2]] = HANGUL_BIGRAM_WEIGHT
        terms.setdefault(word, HANGUL_WORD_WEIGHT)
    return terms


def devanagari_terms(text: str) -> dict[str, float]:
    """Hindi, Nepali, Marathi…: the words, as written."""
    return dict.fromkeys(_DEVANAGARI_WORD.findall(text), 1.0)


@dataclass(frozen=True)
class Analyser:
    """How the text of one language is analysed (and a question asked in it)."""

    stem: Stemmer  # for Latin words: the language's stemmer, else the default language's
    fold: Callable[[str], str]  # diacritics dropped before Latin words are read (not English)
    vocabulary: str  # the words typos are corrected to: those stemmed the same way
    han: str  # Chinese characters without kana: read as Japanese, or as Chinese (HAN)
    romaji: bool  # Japanese typed in Latin letters is read as kana (a Japanese language exists)
    scripts: frozenset[str]  # the other scripts analysed: HANGUL, DEVANAGARI when registered


def analysers(languages: Languages, english: Stemmer) -> dict[str, Analyser]:
    """Each registered language's analyser. `english` is search.py's tuned English stemmer,
    used for the stemmer named "english"."""
    registered = {language.script for language in languages}
    han = HAN if HAN in registered else JAPANESE
    scripts = frozenset(registered & {HANGUL, DEVANAGARI})
    default = languages.get(languages.default)
    together = languages.searched_together
    found = {}
    for language in languages:
        latin = language if language.script == LATIN else default
        name = latin.stemmer if latin.script == LATIN else None
        found[language.code] = Analyser(
            stem=_stemmer(name, english),
            fold=_as_is if name == "english" else fold_latin,
            vocabulary=name or "",
            # Chinese characters in a Japanese text are Japanese, in a Chinese one Chinese.
            han=JAPANESE if language.script == JAPANESE else han,
            # Romaji is read as Japanese in a question of the default language's (today's
            # English questions) or of Japanese, not in Vietnamese typed without its marks.
            romaji=JAPANESE in registered and language.code in together,
            scripts=scripts,
        )
    return found


def _stemmer(name: str | None, english: Stemmer) -> Stemmer:
    if name is None:
        return _whole
    return english if name == "english" else snowball(name)


def _whole(word: str) -> str:
    """No stemmer (Vietnamese): a word is its own term."""
    return word


def _as_is(text: str) -> str:
    return text
