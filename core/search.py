"""Free-text retrieval over the topics, in every language of the registry.

Each topic becomes a weighted bag of terms from its command, aliases, title, summary, keywords,
example questions and body. English is matched by word stems (with typos corrected against the
content's own vocabulary). Japanese, written without spaces, is matched twice over: kanji by
character bigrams and unigrams, and everything as kana, by bigrams of its reading (readings.py),
so that a question typed in hiragana or katakana finds content written in kanji. Each text is
analysed by its language's analyser (analysers.py: the script and stemmer languages.yaml gives
it), a question by those of its language and of the scripts it contains. A query's score for a
topic is the share of the query's information (idf-weighted terms) that the topic covers, from 0
to 1.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer
from rapidfuzz import fuzz, process

from .analysers import (
    Analyser,
    analysers,
    devanagari_terms,
    han_terms,
    hangul_terms,
    pairs_of,
)
from .asked_model import AskedModel
from .readings import ReadingCache, fold_kana
from .romaji import romaji_as_kana
from .scripts import DEVANAGARI, HAN, HANGUL, KANA
from .topics import Content, NotCovered, Topic

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
_KANJI_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]+")
# Runs of one kana script: in a reading (katakana for kanji words, hiragana for the particles
# and endings around them) a change of script marks a word boundary, so no bigram spans it.
_KANA_RUN = re.compile(r"[\u3041-\u309fー]+|[\u30a1-\u30faー\u30fd-\u30ff]+")
_JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_STOPWORDS = frozenset(
    """
a an the is are was were be been being am doing have has had having i me my we us our
you your it its of to in on at for from by with about as into and or but if so than that this these
those there here can could would should will shall may might must please tell know want wanna like
get give show let need any some s t just also very much more most really yes no not hi hello hey
thanks thank ok okay exactly actually these days right now guys ppl so here currently anyway
he him his she her hers they them their theirs its itself myself yourself
up down out off over again then once what which u ur pls plz thx wat wot im i'm ive dont doesnt didnt isnt arent wasnt cant couldnt wont would've
do does did doing done
sorry dumb silly question quick wondering wonder wanted trying try bit kind sort stuff thing
things something anything everything someone somebody anyone anybody maybe perhaps probably
all overall nowadays lately recently basically generally new
lol lmao haha btw idk tho omg
""".split()
)

# Greetings and thanks around a question (「こんにちは、…」, 「…ありがとう」), as typed or read: they say
# nothing of the topic, but their kana would count (こんにちは gives こん, as in コンパクト). English
# greetings are stopwords above.
_PLEASANTRIES = re.compile(
    "こんにちは|こんにちわ|こんばんは|こんばんわ|おはようございます|はじめまして|初めまして|すみません|"
    "ありがとうございます|ありがとう|よろしくお願いします|よろしくおねがいします|お疲れ様です|おつかれさまです"
)

_KANJI_UNIGRAM_WEIGHT = 0.15
# Kana bigrams (of readings, and of kana as typed) include grammar (particles, endings), which
# idf makes cheap; they are kept apart from kanji terms by this prefix.
KANA_WEIGHT = 0.6
_KANA = "~"
# How much an unknown term that is likely grammar or a seam counts, against an unknown word.
UNKNOWN_KANA_SHARE = 0.35
# A lone kanji between kana is mostly a verb or adjective stem (知りたい, 来た).
_LONE_KANJI_WEIGHT = 0.5
NAME_BONUS = 0.15
# For the asked questions' model: neighbouring English words count half a word; kana bigrams,
# mostly grammar (endings, politeness) that says nothing of the topic, half their search weight.
PAIR_WEIGHT = 0.5
LEARNED_KANA_SHARE = 0.5
_TYPO_CUTOFF = 80.0


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of an English word, with British spellings folded."""
    return _STEMMER.stemWord(word.replace("isation", "ization").replace("ise", "ize"))


# English contractions ("I'm", "what's", "don't"): their endings are grammar, not words.
_CONTRACTION = re.compile(r"['’](s|m|re|ve|ll|d|t)\b")


def english_words(text: str) -> list[str]:
    words = _WORD.findall(_CONTRACTION.sub("", text))
    return [_ABBREVIATIONS.get(w, w) for w in words if w not in _STOPWORDS]


# Chat abbreviations, for the words they stand for.
_ABBREVIATIONS = {"yrs": "years", "yr": "year", "govt": "government", "info": "information"}


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


def japanese_terms(text: str, reading: str | None = None) -> dict[str, float]:
    """Kanji bigrams and unigrams of the text, and kana bigrams of its reading (for content:
    `reading` from readings.py; for a question: its kana as typed)."""
    terms: dict[str, float] = {}
    if text.isascii():  # no kanji and no kana: nothing to do
        return terms
    text = _PLEASANTRIES.sub(" ", text)
    for run in _KANJI_RUN.findall(text):
        if len(run) == 1:
            terms[run] = _LONE_KANJI_WEIGHT
        for i in range(len(run) - 1):
            terms[run[i : i + 2]] = 1.0
        for char in run:
            terms.setdefault(char, _KANJI_UNIGRAM_WEIGHT)
    reading = text if reading is None else _PLEASANTRIES.sub(" ", reading)
    for typed in _KANA_RUN.findall(reading):
        run = fold_kana(typed)
        for i in range(len(run) - 1):
            terms.setdefault(_KANA + run[i : i + 2], KANA_WEIGHT)
    return terms


class Judgement(NamedTuple):
    """A question judged: the search's matches, best first; each topic (None: not answered)
    with the asked questions' probability, most likely first; and the terms they weighed."""

    matches: list[Match]
    learned: list[tuple[Topic | None, float]]
    terms: dict[str, float]


@dataclass(frozen=True)
class Match:
    topic: Topic | NotCovered  # NotCovered: a subject the content says it does not answer
    score: float


class TopicIndex:
    """An inverted index of the topics of one Content, built once per content version."""

    def __init__(
        self,
        content: Content,
        readings: ReadingCache,
        also_read: Iterable[str] = (),
        names_as: str | None = None,
    ):
        """`also_read`: other texts whose readings are wanted (the urgent signals), read in
        the same child process as the content's. `names_as`: the language the topics' names
        are read as (the default's; a language searched apart reads them as its own words)."""
        # The topics, then the subjects not covered, which compete with them like topics.
        self.topics: tuple[Topic | NotCovered, ...] = (*content.topics, *content.not_covered)
        weights: dict[str, dict[int, float]] = defaultdict(dict)
        self._default = content.languages.default
        self._names_as = names_as or self._default
        self._analysers = analysers(content.languages, stem)
        # Every Latin word of the content -> its stem, by the stemmer that made it (analysers.py:
        # the vocabulary); English (the content's and Japanese text's Latin words) in one.
        self._words: dict[str, dict[str, str]] = defaultdict(dict)
        fields = [
            (n, name, normalize(text), language)
            for n, entry in enumerate(self.topics)
            for name, text, language in _fields(entry, self._names_as)
        ]
        documents = _documents(content)
        # Read: every field, and each asked question. The topics' example questions and the
        # not-covered phrases are read as part of their field only (read one by one, they made
        # two more answers in the question sets wrong).
        self._readings = readings.read_all(
            itertools.chain(
                (
                    text
                    for text, language in (
                        *((t, language) for _, _, t, language in fields),
                        *((normalize(a.text), a.language) for a in content.asked),
                    )
                    if self._reads_japanese(text, language)
                ),
                also_read,
            )
        )
        covered = len(content.topics)
        self._numbers = {topic.command: n for n, topic in enumerate(content.topics)}
        for number, field_name, text, language in fields:
            for term, term_weight in self._terms(text, False, language).items():
                # A not-covered subject is marked only by words no topic uses: "salary", 住所;
                # a word the topics use too ("office", "help") says nothing of what is missing.
                if number >= covered and any(n < covered for n in weights.get(term, ())):
                    continue
                weight = FIELD_WEIGHTS[field_name] * term_weight
                postings = weights[term]
                postings[number] = max(postings.get(number, 0.0), weight)
        count = len(self.topics)
        self._postings = {term: tuple(p.items()) for term, p in weights.items()}
        self._idf = {term: _idf(count, len(p)) for term, p in weights.items()}
        self._unknown_idf = _idf(count, 0)
        self.model = AskedModel(
            (
                (self._document_terms(text, language), number)
                for number, text, language in documents
            ),
            classes=len(content.topics) + 1,
        )
        # Every Latin word of the content and the asked questions, whatever stemmed it: a word
        # that is not romaji (romaji.py). One vocabulary (English) is looked up as it is.
        vocabularies = list(self._words.values())
        self._known = (
            vocabularies[0] if len(vocabularies) == 1 else set().union(*vocabularies)
        ).__contains__
        # The words a typo may be corrected to, by vocabulary and first letter (_closest_word).
        self._vocabulary: dict[str, dict[str, list[str]]] = {}
        for name, words in self._words.items():
            by_letter = self._vocabulary[name] = defaultdict(list)
            for word in sorted(w for w in words if len(w) >= 4):
                by_letter[word[0]].append(word)
        self._correct = lru_cache(maxsize=4096)(self._closest_word)
        # Names that single a topic out: one word, not used all over the content ("iom" is not).
        names = [
            (normalize(name), number)
            for number, topic in enumerate(content.topics)
            for name in (topic.command, *topic.aliases)
            if len(name) >= 2 and "_" not in name and self._distinctive(name)
        ]
        # Looked up by the question's words (English), or tried each (Japanese: no spaces).
        self._word_names: dict[str, list[int]] = defaultdict(list)
        for name, number in names:
            if name.isascii():
                self._word_names[name].append(number)
        self._other_names = [(name, n) for name, n in names if not name.isascii()]
        # Whole phrases of the subjects not covered ("how many countries", 前の代表): found in a
        # question, they say what it asks even when its words are the topics' words too. A phrase
        # the topics themselves contain says nothing, and a single English word ("open") is
        # too loose; both are left to the terms.
        topic_text = " ".join(text for number, _, text, _ in fields if number < covered)
        topic_words = f" {' '.join(_WORD.findall(topic_text))} "
        english_vetoes: dict[tuple[str, ...], int] = {}
        other_vetoes: list[tuple[str, int]] = []
        for number, entry in enumerate(self.topics):
            if not isinstance(entry, NotCovered):
                continue
            for phrase in (normalize(p) for ps in entry.phrases.values() for p in ps):
                if not phrase.isascii():
                    if phrase not in topic_text:
                        other_vetoes.append((phrase, number))
                    continue
                words = tuple(_WORD.findall(phrase))
                if len(words) > 1 and f" {' '.join(words)} " not in topic_words:
                    english_vetoes[words] = number
        # Each looked up only where the question has its start: an English phrase by its first
        # word, another by its first two characters (trying every phrase at every place took
        # a tenth of a question's time).
        self._vetoes_by_word: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        for words, number in english_vetoes.items():
            self._vetoes_by_word[words[0]].append((words, number))
        self._vetoes_by_pair: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for phrase, number in other_vetoes:
            self._vetoes_by_pair[phrase[:2]].append((phrase, number))

    def judge(self, text: str, language: str | None = None) -> Judgement:
        """Both judges of a question, from its terms worked out once: the search (`search`),
        and what the asked questions say (asked_model.py): each topic (None: not answered)
        with its probability, most likely first. `language`: the question's (the reply's),
        whose analyser reads it; the default's when None."""
        normalized = normalize(text)
        terms = self._terms(normalized, True, language)
        learned_terms = self._with_pairs(dict(terms), normalized, self._analyser(language))
        posterior = self.model.posterior(learned_terms)
        covered = len(posterior) - 1
        ranked = sorted(range(len(posterior)), key=lambda n: -posterior[n])
        learned = [
            (self.topics[n] if n < covered else None, posterior[n])  # type: ignore[misc]
            for n in ranked
        ]
        return Judgement(self._rank(normalized, terms, None), learned, learned_terms)

    def beyond(self, judgement: Judgement, topic: Topic) -> float:
        """How likely the judged question, about this topic, asks what it does not answer
        (asked_model.py)."""
        return self.model.beyond(judgement.terms, self._numbers[topic.command])

    def search(self, text: str, limit: int | None = 3, language: str | None = None) -> list[Match]:
        """The best topics for a question, best first; scores from 0 to 1."""
        normalized = normalize(text)
        return self._rank(normalized, self._terms(normalized, True, language), limit)

    def _rank(self, normalized: str, terms: dict[str, float], limit: int | None) -> list[Match]:
        if not terms:
            return []
        total = 0.0
        scores: dict[int, float] = defaultdict(float)
        for term, query_weight in terms.items():
            idf = self._idf.get(term)
            if idf is None:
                idf = self._unknown_weight(term, terms)
            idf *= query_weight
            total += idf
            for number, weight in self._postings.get(term, ()):
                scores[number] += idf * weight
        shares = {number: score / total for number, score in scores.items()}
        # A topic's own name inside the question ("…のメッセージを読みたい", "the history of …")
        # is the strongest sign of what is asked: it counts on top of the terms.
        for number in self._named_in(normalized):
            shares[number] = shares.get(number, 0.0) + NAME_BONUS
        for number in self._vetoed_by(normalized):
            shares[number] = 1.0
        ranked = sorted(shares.items(), key=lambda item: -item[1])[:limit]
        return [Match(self.topics[number], share) for number, share in ranked]

    def _document_terms(self, text: str, language: str) -> dict[str, None]:
        """An asked question's terms for the model to learn from, each once: the same as a
        question's (`_with_pairs`), without the weights, which learning does not use."""
        pairs = _pairs(text, self._analyser(language))
        return dict.fromkeys(itertools.chain(self._terms(text, False, language), pairs))

    @staticmethod
    def _with_pairs(terms: dict[str, float], text: str, analyser: Analyser) -> dict[str, float]:
        """The asked questions' model's terms: the search's (changed in place), kana at a share
        of their weight, and pairs of neighbouring Latin words ("how old", "go to")."""
        for term in terms:
            if term.startswith(_KANA):
                terms[term] *= LEARNED_KANA_SHARE
        terms.update(dict.fromkeys(_pairs(text, analyser), PAIR_WEIGHT))
        return terms

    def reads_as_romaji(self, text: str, known: Callable[[str], bool] | None = None) -> bool:
        """Whether a question reads as Japanese typed in Latin letters (romaji.py), as the
        default language's analyser reads it; `known`: other words that are no romaji (the
        other Latin languages' words: "apa", "itu" are Indonesian)."""
        is_known = self._known
        if known is not None:
            is_known = lambda word: self._known(word) or known(word)  # noqa: E731
        return romaji_as_kana(normalize(text), is_known, _STOPWORDS) is not None

    def _analyser(self, language: str | None) -> Analyser:
        """A language's analyser; the default language's for None or a code not registered."""
        return self._analysers.get(language or self._default) or self._analysers[self._default]

    def _reads_japanese(self, text: str, language: str) -> bool:
        """Whether the text has Japanese to read aloud (readings.py): kana, or kanji that its
        language's analyser reads as Japanese (not as Chinese)."""
        if not _JAPANESE.search(text):
            return False
        return self._analyser(language).han != HAN or KANA.search(text) is not None

    def _distinctive(self, name: str) -> bool:
        """At most two topics use each of the name's terms, not counting one passing mention in
        a body (a pointer such as "see the topic Message …" does not make "message" common)."""

        def distinctive(postings: tuple[tuple[int, float], ...]) -> bool:
            in_fields = sum(1 for _, weight in postings if weight > FIELD_WEIGHTS["body"])
            return in_fields <= 2 and len(postings) <= 3

        terms = self._terms(name, correct=True, language=self._names_as)
        return bool(terms) and all(distinctive(self._postings.get(t, ())) for t in terms)

    def _vetoed_by(self, text: str) -> set[int]:
        """The subjects not covered whose whole phrase is in the (normalized) question."""
        found: set[int] = set()
        if self._vetoes_by_pair and not text.isascii():
            by_pair = self._vetoes_by_pair
            starts = pairs_of(text) & by_pair.keys()
            found.update(n for start in starts for phrase, n in by_pair[start] if phrase in text)
        by_word = self._vetoes_by_word
        words = _WORD.findall(text)
        for start, word in enumerate(words):
            for phrase, number in by_word.get(word, ()):
                if tuple(words[start : start + len(phrase)]) == phrase:
                    found.add(number)
        return found

    def _named_in(self, text: str) -> set[int]:
        """Topics whose command or alias appears in the (normalized) text: as a word in
        English, anywhere in Japanese (written without spaces)."""
        by_word = self._word_names
        found = {n for word in _WORD.findall(text) for n in by_word.get(word, ())}
        found.update(n for name, n in self._other_names if name in text)
        return found

    def _unknown_weight(self, term: str, terms: dict[str, float]) -> float:
        """A term the content never uses is usually the subject of a question we can't answer
        ("visa", 「給料」): it weighs as much as the rarest term. Except what is likely only
        grammar or a seam between two words: kana bigrams (particles and endings, when a
        question is typed in kana), and a kanji bigram across the boundary of a known one
        (日本来た gives 本来)."""
        if term.startswith(_KANA):
            return self._unknown_idf * UNKNOWN_KANA_SHARE
        if len(term) == 2 and _KANJI_RUN.fullmatch(term):
            for neighbour in terms:
                if (
                    len(neighbour) == 2
                    and neighbour in self._idf
                    and (neighbour[1] == term[0] or neighbour[0] == term[1])
                ):
                    return self._unknown_idf * UNKNOWN_KANA_SHARE
        return self._unknown_idf

    def _terms(self, text: str, correct: bool, language: str | None = None) -> dict[str, float]:
        """The terms of a text in a language (content), or of a question asked in it
        (`correct`: romaji read as kana, typos corrected): each script by its analyser."""
        text = normalize(text)
        analyser = self._analyser(language)
        if correct and analyser.romaji:  # Japanese typed in Latin letters, read as kana
            text = romaji_as_kana(text, self._known, _STOPWORDS) or text
        if analyser.han == HAN and not KANA.search(text):  # Chinese characters, as Chinese
            terms = han_terms(text)
        else:
            terms = japanese_terms(text, None if correct else self._readings.get(text, text))
        if analyser.scripts and not text.isascii():
            terms.update(_other_script_terms(text, analyser.scripts))
        words = self._words[analyser.vocabulary]
        for word in english_words(analyser.fold(text)):
            term = analyser.stem(word)
            if correct and term not in self._idf and not self.model.knows(term):
                term = self._correct(word, analyser.vocabulary) or term
            elif not correct:
                words.setdefault(word, term)
            terms[term] = 1.0
        return terms

    def _closest_word(self, word: str, vocabulary: str) -> str | None:
        """The stem of the content word closest to a misspelt one ("histroy" -> "histori"),
        among the words of its vocabulary (stemmed the same way). Typos rarely touch the first
        letter, and a word that only loses one ("funder" and "under") is another word: the
        candidates share the first letter."""
        if len(word) < 4 or not word.isalpha():
            return None
        candidates = self._vocabulary.get(vocabulary, {}).get(word[0], ())
        found = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF)
        return self._words[vocabulary][found[0]] if found else None


def _other_script_terms(text: str, scripts: frozenset[str]) -> dict[str, float]:
    """Korean and Devanagari terms, for the scripts of registered languages only: with none,
    such text says nothing (as before there were any)."""
    terms = hangul_terms(text) if HANGUL in scripts else {}
    if DEVANAGARI in scripts:
        terms.update(devanagari_terms(text))
    return terms


def _pairs(text: str, analyser: Analyser) -> list[str]:
    """Pairs of neighbouring Latin words, stemmed, stopwords kept ("how old", "go to")."""
    stem = analyser.stem
    words = [stem(w) for w in _WORD.findall(_CONTRACTION.sub("", analyser.fold(text)))]
    return [f"{first} {second}" for first, second in itertools.pairwise(words)]


def _documents(content: Content) -> list[tuple[int, str, str]]:
    """What the asked questions' model learns from, as (class, normalized text, language): one
    class per topic, in the index's order, and the last for questions the content does not
    answer. The topics' own example questions and the not-covered phrases count as asked
    questions too."""
    numbers = {topic.command: n for n, topic in enumerate(content.topics)}
    unanswered = len(content.topics)
    documents = [
        (number, normalize(text), language)
        for number, topic in enumerate(content.topics)
        for language, topic_text in topic.texts.items()
        for text in topic_text.questions
    ]
    documents += [
        (unanswered, normalize(phrase), language)
        for entry in content.not_covered
        for language, phrases in entry.phrases.items()
        for phrase in phrases
    ]
    documents += [
        (numbers.get(a.topic, unanswered), normalize(a.text), a.language) for a in content.asked
    ]
    return documents


def _idf(count: int, frequency: int) -> float:
    return math.log((count - frequency + 0.5) / (frequency + 0.5) + 1.0)


def _fields(topic: Topic | NotCovered, default: str) -> Iterator[tuple[str, str, str]]:
    """(field, text, language) of a topic or a subject not covered; names are analysed as
    the default language's."""
    if isinstance(topic, NotCovered):
        for language, phrases in topic.phrases.items():
            yield "keywords", " ".join(phrases), language
        return
    names = " ".join((topic.command.replace("_", " "), *topic.aliases))
    yield "name", names, default
    for language, text in topic.texts.items():
        yield "title", text.title, language
        yield "summary", text.summary, language
        yield "keywords", " ".join(text.keywords), language
        yield "questions", " ".join(text.questions), language
        yield "body", text.body, language
