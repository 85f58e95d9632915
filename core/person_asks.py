"""Asking for a person in so many words: the `asks` of the person intent, phrases with a
{people} slot ("talk to {people}", 「{people}につな」), found around one of its `people`.

The talk model judges a message as a whole, and a request with other words around it ("Can I
speak to the person in charge of refugee resettlement?") leans on those words: the topic's.
A request is its shape, wherever it stands: the words before and after the slot close to one
of the people named.
"""

from __future__ import annotations

import functools
import re

PEOPLE_SLOT = "{people}"

# Words (Latin and other alphabets) between a request's words and the person: "speak to | the |
# person", "someone | from iom | available".
_WORD_GAP = r"(?: \S+){0,2}"
# ...or up to five, where the request writes `...` there.
_ELLIPSIS = "..."
_WIDE_GAP = r"(?: \S+){0,5}"
# Characters between a request's kana or kanji and the person: particles and honorifics only
# (「担当|者様にお|つなぎ」), never a kanji of another word (「職員は何人いますか」 asks a number).
_KANA_GAP = "[\u3041-\u3096\u30a1-\u30fa\u30fc者様員方々]{0,4}"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# A person word in kanji is not one inside a longer word: 外国人, 人身, 連絡方法. 者, 様, 員,
# 方 and 々 may follow it (担当者, ご担当者様). (Before a request, only particles may follow it.)
_NOT_IN_A_WORD_BEFORE = r"(?<![\u3400-\u4dbf\u4e00-\u9fff])"
_AFTER_A_NOUN_OR_VERB = "(?:^|(?<=[のするたいでとにがはもを ]))"
_NOT_IN_A_WORD_AFTER = r"(?!(?![者様員方々])[\u3400-\u4dbf\u4e00-\u9fff])"


@functools.lru_cache(maxsize=32)
def asks_pattern(asks: tuple[str, ...], people: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern finding any of the requests in a canonical message (see
    conversation.canonical), or None when there are no requests or no people to ask for. Kept
    for the next content version with the same requests and people: every request around every
    person, it takes about 90 ms to compile."""
    words = sorted({p for p in people if p and not _CJK.search(p)}, key=len, reverse=True)
    cjk = sorted({p for p in people if p and _CJK.search(p)}, key=len, reverse=True)
    alternatives = []
    for ask in sorted(set(asks)):
        before, _, after = ask.partition(PEOPLE_SLOT)
        if _CJK.search(ask):
            if cjk:
                alternatives.append(_characters(before.strip(), cjk, after.strip()))
        elif words:
            alternatives.append(_words(before.split(), words, after.split()))
    return re.compile("|".join(alternatives)) if alternatives else None


def _words(before: list[str], people: list[str], after: list[str]) -> str:
    """A request in words: each word as written or with an ending (talk: talking, talked);
    `...` as a word: a wider gap ("{people} ... i could speak": anyone in charge of
    resettlement i could speak to)."""
    person = r"(?:" + "|".join(re.escape(p) for p in people) + r")s?(?!\w)"
    parts = [r"(?<!\w)"]
    if before:
        gap = _WIDE_GAP if before[-1] == _ELLIPSIS else _WORD_GAP
        parts.append(_in_words(before) + gap + " ")
    parts.append(person)
    if after:
        gap = _WIDE_GAP if after[0] == _ELLIPSIS else _WORD_GAP
        parts.append(gap + " " + _in_words(after) + r"(?!\w)")
    return "".join(parts)


def _in_words(words: list[str]) -> str:
    return " ".join(re.escape(w) + r"\w*" for w in words if w != _ELLIPSIS)


def _characters(before: str, people: list[str], after: str) -> str:
    """A request in kana and kanji: what is written, then the person, particles between."""
    longer = [re.escape(p) for p in people if len(p) > 1]
    single = [re.escape(p) for p in people if len(p) == 1]
    alternatives = [_NOT_IN_A_WORD_BEFORE + "(?:" + "|".join(longer) + ")"] if longer else []
    if single:  # 人, 方: after a particle or a verb (担当の方, チャットで人, わかる人), not 読み方
        alternatives.append(_AFTER_A_NOUN_OR_VERB + "(?:" + "|".join(single) + ")")
    person = "(?:" + "|".join(alternatives) + ")"
    # What follows the person is the request itself, or particles then the request; with no
    # request after it, no kanji may follow (話せる人, not 話せる人数).
    return (
        (re.escape(before) + _KANA_GAP if before else "")
        + person
        + (_KANA_GAP + re.escape(after) if after else _NOT_IN_A_WORD_AFTER)
    )
