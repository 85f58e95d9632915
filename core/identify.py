"""Which Latin-script language a question is written in: English, Vietnamese, Portuguese…

Kana, Hangul, Chinese characters and Devanagari say by themselves which language a text is in
(scripts.py); Latin letters do not. For them the bot asks CLD2, Google's Compact Language
Detector 2 (PyPI: pycld2), for the registry's Latin languages only. Chosen among the detectors
that install here, on issue 24's tune sets (36 questions each in Vietnamese, Filipino,
Portuguese and Indonesian) and on 1,641 English and romaji questions and messages of the earlier
sets, which must stay English, with the names every language's content shares (IOM, Tokyo, Amy
Pope…) left out of the text first, each restricted to those five languages:

  detector                   right of 36: vi  tl  pt  id | English kept | import, first call | size
  pycld2 0.42 (chosen)                    32  30  33  35 | 1,637        |  1.6 ms,   0.5 ms  | 14 MB
  py3langid 0.4                           27  36  36  36 | 1,593        |   83 ms,   808 ms  | 5 MB + numpy 45 MB
  lingua 2.2, low accuracy mode           26  33  33  35 | 1,451        |  1.3 ms,    62 ms  | 96 MB
  langdetect 1.0.9                        27  33  34  33 | 1,594        |   15 ms,   260 ms  | 2.5 MB
  gcld3 (cld3-py 3.1)                     19  32  36  31 | 1,315        |  1.9 ms,   4.1 ms  | 1.4 MB

("English kept": English and romaji questions given no other language.) CLD2 is the one that
leaves English alone: on a short or mixed text it says "unknown" rather than guess, where the
others call chat English or romaji Tagalog or Indonesian. It loads no model at start (py3langid
takes 0.8 s), answers in about 20 µs, and is one wheel with no dependencies. What it gets wrong
on a few words (Vietnamese typed without its marks: "Amy Pope la ai vay" is Portuguese to it)
the content's own words settle first when they clearly say one language (a naive Bayes model of
each Latin language's words); what neither can tell is left to the platform's language, then
the default.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable

import pycld2

from .analysers import fold_latin
from .languages import Languages
from .scripts import HAN, HAN_CHARACTER, JAPANESE, LATIN
from .topics import Content

# CLD2's code for a language the registry may list under another (ISO 639-2/3) code.
_CLD2_CODES = {"fil": "tl", "tgl": "tl", "por": "pt", "ind": "id", "vie": "vi", "eng": "en"}
# A close neighbour CLD2 confuses a short text with (Malay for Indonesian, Cebuano for
# Filipino, Galician for Portuguese): that language, when the neighbour is not registered.
_NEIGHBOURS = {"ms": "id", "ceb": "tl", "war": "tl", "gl": "pt"}
_WORD = re.compile(r"[^\W\d_]+")
# The content's own words say a language when they make it this much likelier than the next
# (natural log: e^7, a thousand times), each word's likelihood in a language its share of that
# language's words (naive Bayes, SMOOTHING added to every count). Chosen on issue 24's tune sets
# and the earlier English and romaji sets: from 6 to 8 every Latin tune question is identified
# and no more English than by CLD2 alone is taken for another language.
WORDS_MARGIN = 7.0
SMOOTHING = 0.5
# When CLD2 cannot tell, the content's words say the language when it is e^WORDS_MARGIN likelier
# than the default's and e^AHEAD_MARGIN likelier than any other.
AHEAD_MARGIN = 3.0
_UNSEEN = object()
_MAX_ROWS = 100_000  # words whose likelihoods are kept (a bounded cache)


class LatinIdentifier:
    """The registered Latin-script language a text is written in, or None when it cannot be
    told (or the registry has no Latin language but the default). Built once per content
    version, from:
    - `names`: the words the languages' texts share (IOM, Tokyo, Amy Pope), which say nothing
      of the language a question is in and are left out first;
    - `words`: each Latin language's own words (its topics, questions and talk, folded): where
      they clearly say one language ("que horas abre" is the Portuguese content's, "la ai" the
      Vietnamese), it is that one; else CLD2 decides;
    - `romaji`: whether a text reads as Japanese typed in Latin letters (search.py), which is
      no Latin language's: such a text is left to the locale and the default, as before."""

    def __init__(
        self,
        languages: Languages,
        names: Iterable[str] = (),
        words: dict[str, Iterable[str]] | None = None,
        romaji: Callable[[str, Callable[[str], bool]], bool] | None = None,
        source: Callable[[], tuple[Iterable[str], dict[str, Iterable[str]]]] | None = None,
    ):
        """`source`: what gives `names` and `words` when they are first needed (reading every
        Latin language's texts takes tens of milliseconds: not at every content load)."""
        self._codes: dict[str, str] = {}  # CLD2's code -> the registry's
        for language in languages:
            if language.script == LATIN:
                base = language.code.split("-", 1)[0]
                self._codes.setdefault(_CLD2_CODES.get(base, base), language.code)
        for neighbour, code in _NEIGHBOURS.items():
            if code in self._codes and neighbour not in self._codes:
                self._codes[neighbour] = self._codes[code]
        self._default = languages.default
        # Whether there is a Latin language besides the default to tell apart.
        self.useful = any(code != self._default for code in self._codes.values())
        self._latin = frozenset(self._codes.values()) | {languages.default}
        self._romaji = romaji
        self._source = source
        self._learn(names, words)

    def _learn(self, names: Iterable[str], words: dict[str, Iterable[str]] | None) -> None:
        self._names = frozenset(name.lower() for name in names)
        # Every language whose texts have Latin words: a Latin language's, and those a
        # Nepali speaker types Nepali in (which CLD2 does not read).
        self._counts = {
            code: counts
            for code, own in (words or {}).items()
            if (counts := Counter({w: n for w, n in Counter(own).items() if w not in self._names}))
        }
        vocabulary = len(set().union(*self._counts.values())) if self._counts else 0
        self._log_total = {
            code: math.log(counts.total() + SMOOTHING * vocabulary)
            for code, counts in self._counts.items()
        }
        self._order = tuple(self._counts)
        self._rows: dict[str, tuple[float, ...] | None] = {}
        # The other languages' own words (not only the default's, whose questions filed in
        # asked/ may be romaji): the romaji reader asks about each word of a question.
        others = [own for code, own in self._counts.items() if code != self._default]
        self._foreign = frozenset().union(*others)

    def __call__(self, text: str) -> str | None:
        if not self.useful:
            return None
        if self._source is not None:  # the first text to identify: read the texts now
            source, self._source = self._source, None
            self._learn(*source())
        words = [w for w in _WORD.findall(text) if w.lower() not in self._names]
        if not words:
            return None
        scores = self._scores(words)
        found = _clear_best(scores)
        if found is not None:
            return found
        if self._romaji is not None and self._romaji(text, self._knows):
            return None
        found = self._by_cld2(words)
        if not scores:
            return found
        best = max(scores, key=scores.__getitem__)
        if found is not None:
            # CLD2 names a language the content's words make e^7 times less likely than the
            # likeliest: Nepali typed in Latin letters ("IOM ko Director Genral ko ho?"), which
            # CLD2 does not know, called English. The likeliest by those words, then.
            unlikely = scores.get(found, -math.inf) < scores[best] - WORDS_MARGIN
            return best if unlikely else found
        # CLD2 cannot tell, and the likeliest by the content's words is a language CLD2 never
        # reads in Latin letters (Nepali: "bholi tokyo ma pani parcha ki?"): that one, if e^7
        # likelier than the default language (what would be answered) and clearly ahead of the
        # next. (A language CLD2 reads, it would have named: romaji is no Portuguese.)
        if best in self._latin:
            return None
        default = scores.get(self._default, -math.inf)
        ahead = sorted(scores.values())[-2] if len(scores) > 1 else -math.inf
        if scores[best] - default >= WORDS_MARGIN and scores[best] - ahead >= AHEAD_MARGIN:
            return best
        return None

    def _knows(self, word: str) -> bool:
        """Whether a (lower-case) word is one of the other languages' own."""
        return fold_latin(word) in self._foreign

    def _scores(self, words: list[str]) -> dict[str, float]:
        """Each language's log-likelihood of the words its texts know ({} when none does)."""
        rows = [self._row(w) for w in words_of(" ".join(words))]
        rows = [row for row in rows if row is not None]
        if not rows:
            return {}
        return dict(zip(self._order, map(sum, zip(*rows, strict=True)), strict=True))

    def _row(self, word: str) -> tuple[float, ...] | None:
        """A word's log-likelihood in each language (`_order`), None for a word none uses;
        worked out once."""
        row = self._rows.get(word, _UNSEEN)
        if row is _UNSEEN:
            counts = [self._counts[code].get(word, 0) for code in self._order]
            row = None
            if any(counts):
                row = tuple(
                    math.log(n + SMOOTHING) - self._log_total[code]
                    for n, code in zip(counts, self._order, strict=True)
                )
            if len(self._rows) < _MAX_ROWS:
                self._rows[word] = row
        return row

    def _by_cld2(self, words: list[str]) -> str | None:
        try:
            _, _, details = pycld2.detect(" ".join(words), bestEffort=True)
        except pycld2.error:  # text CLD2 cannot read (it takes valid UTF-8 only)
            return None
        for _, code, _, _ in details:
            found = self._codes.get(code)
            if found is not None:
                return found
        return None


def _clear_best(scores: dict[str, float]) -> str | None:
    """The language the words make by far the likeliest (e^WORDS_MARGIN), or None."""
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked:
        return None
    runner_up = ranked[1][1] if len(ranked) > 1 else -math.inf
    return ranked[0][0] if ranked[0][1] - runner_up >= WORDS_MARGIN else None


def words_of(text: str) -> list[str]:
    """The Latin words of a text, lower case, diacritics folded: as the identifier reads them."""
    return _WORD.findall(fold_latin(text.lower()))


def shared_names(texts_by_language: dict[str, Iterable[str]], at_least: int = 3) -> set[str]:
    """The Latin words written in the texts of at least `at_least` languages (IOM, Tokyo, Amy,
    Pope, facebook…), lower case: names and loanwords every language's content uses."""
    seen: dict[str, set[str]] = {}
    for language, texts in texts_by_language.items():
        for text in texts:
            for word in _WORD.findall(text.lower()):
                if word.isascii():
                    seen.setdefault(word, set()).add(language)
    return {word for word, languages in seen.items() if len(languages) >= at_least}


class KanjiForms:
    """Chinese characters alone (no kana) are Chinese, unless written as Japanese writes them:
    連絡先, 電話番号 and 概要 are Japanese words, 联系方式 and 电话号码 Chinese ones. A character the
    Japanese texts use and the Chinese ones do not (連, 電, 話: Chinese simplifies them) counts
    for Japanese, one the Chinese texts use and the Japanese do not (联, 电, 吗, 的) for
    Chinese; the more decide, Chinese when neither or as many."""

    def __init__(self, chinese: str, japanese: str, content: Content):
        """`content`: whose Chinese and Japanese texts are read when first needed."""
        self.chinese = chinese
        self.japanese = japanese
        self._content: Content | None = content
        self._japanese_only: frozenset[str] = frozenset()
        self._chinese_only: frozenset[str] = frozenset()

    @classmethod
    def of(cls, content: Content) -> KanjiForms | None:
        """For the content's Chinese and Japanese; None without both languages."""
        chinese = content.languages.with_script(HAN)
        japanese = content.languages.with_script(JAPANESE)
        if chinese is None or japanese is None or chinese.script != HAN:
            return None
        return cls(chinese.code, japanese.code, content)

    def _read(self, content: Content) -> None:
        found = {self.chinese: set(), self.japanese: set()}
        for language, texts in texts_in(content, set(found)).items():
            found[language] = set(HAN_CHARACTER.findall("\n".join(texts)))
        zh, ja = found[self.chinese], found[self.japanese]
        self._japanese_only, self._chinese_only = frozenset(ja - zh), frozenset(zh - ja)

    def __call__(self, text: str) -> str:
        if self._content is not None:  # the first text to tell: read the texts now
            content, self._content = self._content, None
            self._read(content)
        characters = HAN_CHARACTER.findall(text)
        japanese = sum(c in self._japanese_only for c in characters)
        chinese = sum(c in self._chinese_only for c in characters)
        return self.japanese if japanese > chinese else self.chinese


def texts_in(content: Content, languages: set[str]) -> dict[str, list[str]]:
    """Every text of the content in these languages: topics, asked questions, not-covered
    words, conversation."""
    texts: dict[str, list[str]] = {code: [] for code in languages}
    for topic in content.topics:
        for language, text in topic.texts.items():
            if language in languages:
                texts[language] += (text.title, text.summary, text.body, *text.keywords)
                texts[language] += text.questions
    for asked in content.asked:
        if asked.language in languages:
            texts[asked.language].append(asked.text)
    for entry in content.not_covered:
        for language, phrases in entry.phrases.items():
            if language in languages:
                texts[language] += phrases
    for language, intents in content.conversation.intents.items():
        if language in languages:
            for intent in intents.values():
                texts[language] += (*intent.phrasings, *intent.signals)
    return texts
