"""The writing systems the bot tells apart, and which of them decides a text's language.

A language in content/languages.yaml names its script; the script picks how its text is searched
(analysers.py) and whether a text in that script says by itself which language it is in. Latin
letters never do (English, French and romaji share them); kana, Hangul and Devanagari do, and so
do Chinese characters, shared by Chinese and Japanese: without kana they are Chinese when the
registry has a `han` language, else Japanese.
"""

from __future__ import annotations

import re

LATIN = "latin"
JAPANESE = "japanese"  # kana and kanji
HAN = "han"  # Chinese characters without kana
HANGUL = "hangul"
DEVANAGARI = "devanagari"
SCRIPTS = (LATIN, JAPANESE, HAN, HANGUL, DEVANAGARI)

# Hiragana, katakana (with ー and ・) and half-width katakana.
KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
HAN_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Syllables, and the jamo they are made of.
HANGUL_CHARACTER = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
DEVANAGARI_CHARACTER = re.compile(r"[\u0900-\u097f]")


def deciding_script(text: str) -> str | None:
    """The script that says which language the text is in, or None (Latin letters, digits,
    nothing). Kana first: Japanese mixes kanji with it; Hangul before Han: so does Korean."""
    if text.isascii():  # the usual English question: nothing to look for
        return None
    if KANA.search(text):
        return JAPANESE
    if HANGUL_CHARACTER.search(text):
        return HANGUL
    if HAN_CHARACTER.search(text):
        return HAN
    if DEVANAGARI_CHARACTER.search(text):
        return DEVANAGARI
    return None
