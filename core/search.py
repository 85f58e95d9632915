"""Free-text retrieval over the topics, in English and Japanese.

Each topic becomes a weighted bag of terms from its command, aliases, title, summary, keywords,
example questions and body. English is matched by word stems (with typos corrected against the
content's own vocabulary); Japanese, written without spaces, by character bigrams within runs of
one script (kanji, katakana, hiragana) plus kanji unigrams. A query's score for a topic is the
share of the query's information (idf-weighted terms) that the topic covers, from 0 to 1.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

from .topics import Content, Topic

# How strongly a term found in each field marks a topic (the best field counts).
FIELD_WEIGHTS = {
    "name": 1.0,
    "keywords": 0.9,
    "title": 0.8,
    "questions": 0.7,
    "summary": 0.6,
    "body": 0.4,
}

_WORD = re.compile(r"[a-z0-9]+")
_RUNS = re.compile(
    r"(?P<kanji>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]+)"
    r"|(?P<katakana>[\u30a0-\u30ff]+)|(?P<hiragana>[\u3040-\u309f]+)"
)
_STOPWORDS = frozenset(
    """
a an the is are was were be been being am doing have has had having i me my we us our
you your it its of to in on at for from by with about as into and or but if so than that this these
those there here can could would should will shall may might must please tell know want wanna like
get give show let need any some s t just also very much more most really yes no not hi hello hey
thanks thank ok okay exactly actually these days right now guys ppl so here currently anyway
""".split()
)

# Hiragana runs are mostly grammar (particles, endings): they count for less.
_SCRIPT_WEIGHTS = {"kanji": 1.0, "katakana": 1.0, "hiragana": 0.15}
_KANJI_UNIGRAM_WEIGHT = 0.15
_TYPO_CUTOFF = 80.0


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of an English word, with British spellings folded."""
    return _STEMMER.stemWord(word.replace("isation", "ization").replace("ise", "ize"))


def english_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.replace("'s", "")) if w not in _STOPWORDS]


_QUESTION_WORDS = frozenset("what whats who whos where when why how which tell about".split())
_JAPANESE_QUESTION_ENDING = re.compile(
    r"(って|とは|について|のこと)?(は|を|が)?(何|なに|なん|誰|だれ|どこ|いつ)?"
    r"(ですか|でしょうか|なの|ですか|を教えて(ください)?|教えて(ください)?)?$"
)


def bare_name(text: str) -> str:
    """A question reduced to the thing asked about: "what is IOM?" -> "iom", 「IOMとは？」 -> "iom".

    Used to find a topic by its command or alias inside a short question."""
    text = normalize(text).strip(" ?？!！。.、,")
    words = [w for w in english_words(text) if w not in _QUESTION_WORDS]
    if words and text.isascii():
        return " ".join(words)
    return _JAPANESE_QUESTION_ENDING.sub("", text).strip(" ?？!！。.、,")


def japanese_terms(text: str) -> dict[str, float]:
    terms: dict[str, float] = {}
    for match in _RUNS.finditer(text):
        run, script = match.group(), match.lastgroup
        weight = _SCRIPT_WEIGHTS[script]
        if len(run) == 1 and script != "hiragana":
            terms[run] = max(terms.get(run, 0.0), weight)
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            terms[gram] = max(terms.get(gram, 0.0), weight)
        if script == "kanji":
            for char in run:
                terms.setdefault(char, _KANJI_UNIGRAM_WEIGHT)
    return terms


@dataclass(frozen=True)
class Match:
    topic: Topic
    score: float


class TopicIndex:
    """An inverted index of the topics of one Content, built once per content version."""

    def __init__(self, content: Content):
        self.topics = content.topics
        weights: dict[str, dict[int, float]] = defaultdict(dict)
        self._words: dict[str, str] = {}  # every English word of the content -> its stem
        for number, topic in enumerate(self.topics):
            for field_name, text in _fields(topic):
                for term, term_weight in self._terms(text, correct=False).items():
                    weight = FIELD_WEIGHTS[field_name] * term_weight
                    postings = weights[term]
                    postings[number] = max(postings.get(number, 0.0), weight)
        count = len(self.topics)
        self._postings = {term: tuple(p.items()) for term, p in weights.items()}
        self._idf = {term: _idf(count, len(p)) for term, p in weights.items()}
        self._unknown_idf = _idf(count, 0)
        self._vocabulary = sorted(w for w in self._words if len(w) >= 4)
        self._correct = lru_cache(maxsize=4096)(self._closest_word)

    def search(self, text: str, limit: int = 3) -> list[Match]:
        """The best topics for a question, best first; scores from 0 to 1."""
        terms = self._terms(normalize(text), correct=True)
        if not terms:
            return []
        total = 0.0
        scores: dict[int, float] = defaultdict(float)
        for term, query_weight in terms.items():
            # A term the content never uses is usually the subject of a question we can't
            # answer ("visa", 「天気」): it weighs as much as the rarest term.
            idf = self._idf.get(term, self._unknown_idf) * query_weight
            total += idf
            for number, weight in self._postings.get(term, ()):
                scores[number] += idf * weight
        ranked = sorted(scores.items(), key=lambda item: -item[1])[:limit]
        return [Match(self.topics[number], score / total) for number, score in ranked]

    def _terms(self, text: str, correct: bool) -> dict[str, float]:
        text = normalize(text)
        terms = japanese_terms(text)
        for word in english_words(text):
            term = stem(word)
            if correct and term not in self._idf:
                term = self._correct(word) or term
            elif not correct:
                self._words.setdefault(word, term)
            terms[term] = 1.0
        return terms

    def _closest_word(self, word: str) -> str | None:
        """The stem of the content word closest to a misspelt one ("histroy" -> "histori")."""
        if len(word) < 4 or not word.isalpha():
            return None
        found = process.extractOne(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
        )
        return self._words[found[0]] if found else None


def _idf(count: int, frequency: int) -> float:
    return math.log((count - frequency + 0.5) / (frequency + 0.5) + 1.0)


def _fields(topic: Topic):
    names = " ".join((topic.command.replace("_", " "), *topic.aliases))
    yield "name", names
    for text in topic.texts.values():
        yield "title", text.title
        yield "summary", text.summary
        yield "keywords", " ".join(text.keywords)
        yield "questions", " ".join(text.questions)
        yield "body", text.body
