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


# Words of Latin letters (with their diacritics), and of Devanagari.
_LATIN_WORD = re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]+")
_DEVANAGARI_WORD = re.compile(r"[\u0900-\u097f]+")
# Hiragana: Japanese's particles and endings. Kanji and katakana without it are nouns, which
# other languages' questions borrow (在留カード, 東京 in a Tagalog question).
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
_KANJI_KATAKANA_RUN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30a0-\u30ff\uff66-\uff9f]+"
)
# How much of a text each script's units weigh, deciding which script it is written in. A
# Chinese character or kana weighs more than a Latin word (Chinese writes a word in one or two),
# a Devanagari word more than a Latin one (Nepali joins its particles to the word), and a Latin
# word with diacritics (Vietnamese, Portuguese) twice a bare one: it is that language's, not a
# name (IOM, Tokyo).
CJK_WEIGHT = 1.5
DEVANAGARI_WEIGHT = 1.5
HANGUL_WEIGHT = 1.0
ACCENTED_WORD_WEIGHT = 2.0


def deciding_script(text: str) -> str | None:
    """The script that says which language the text is in, or None (Latin letters, digits,
    nothing). Hangul or Devanagari decides wherever it stands; otherwise the script of most of
    the text: a Vietnamese or Nepali question with a name in kanji (IOM東京, 日本) is no
    Chinese, a Tagalog one with 在留カード no Japanese (kanji and katakana with no hiragana weigh
    a word a run); a tie goes to the script that decides. Kana and
    Chinese characters count together: with any kana they are Japanese (Japanese mixes kanji
    with it), without they are Chinese characters (HAN)."""
    if text.isascii():  # the usual English question: nothing to look for
        return None
    kana = len(KANA.findall(text))
    han = len(HAN_CHARACTER.findall(text))
    cjk = (kana + han) * CJK_WEIGHT
    if kana and not _HIRAGANA.search(text):  # borrowed nouns: each weighs as a word
        cjk = len(_KANJI_KATAKANA_RUN.findall(text)) * ACCENTED_WORD_WEIGHT
    weights = {
        JAPANESE if kana else HAN: cjk,
        HANGUL: len(HANGUL_CHARACTER.findall(text)) * HANGUL_WEIGHT,
        DEVANAGARI: len(_DEVANAGARI_WORD.findall(text)) * DEVANAGARI_WEIGHT,
    }
    script = max(weights, key=weights.__getitem__)
    if not weights[script]:
        return None
    if script in (HANGUL, DEVANAGARI):
        # Unlike kanji (在留カード, 東京 in a Vietnamese or Tagalog question), Hangul and
        # Devanagari are not borrowed into the others' questions: a few words of either, Nepali's
        # particles round English terms ("IOM Tokyo को chief of mission को हो"), say whose it is.
        return script
    latin = sum(1.0 if w.isascii() else ACCENTED_WORD_WEIGHT for w in _LATIN_WORD.findall(text))
    return None if latin > weights[script] else script
