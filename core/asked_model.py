"""What the questions in content/asked/ teach: which topic a question's words point to.

The topics' own text says what each topic is about, in the content's words; people ask in
theirs ("digits", 「偉い人」, 「でんわ」). The questions editors file under each topic (and under
_not_covered) are the bot's record of those words. A naive Bayes model over the same terms the
search uses (search.py) learns them when the content is loaded: counting, a few milliseconds,
and a table of one row per term. It also learns what questions the content does not answer
look like, which the topics alone cannot say.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import chain, groupby, repeat
from operator import itemgetter

# Added to every term count (Laplace smoothing): a term never seen with a class keeps a little
# weight, so one unfamiliar word does not rule a class out.
SMOOTHING = 0.1

# A question's terms, each once: a set, or each with its weight (the search's).
Terms = Iterable[str] | dict[str, float]


class AskedModel:
    """Naive Bayes over term sets, one class per topic and one (the last) for "not answered".

    Classes are numbered 0..classes-1; documents are (terms, class). Every class is equally
    likely before the terms are seen: how many questions an editor filed says nothing of how
    often a topic is asked."""

    def __init__(self, documents: Iterable[tuple[Terms, int]], classes: int, beyond: bool = True):
        """`beyond`: also learn what each topic's unanswered questions look like (see
        `beyond`); a model whose last class is not "not answered" has no use for it."""
        self.classes = classes
        unanswered = classes - 1 if beyond else -1
        counts: list[Counter[str]] = [Counter() for _ in range(classes)]
        unanswered_documents: list[tuple[str, ...]] = []  # kept for a second look, below
        # Counted a run of documents of one class at a time (in C: chain and Counter's update).
        for label, run in groupby(documents, key=itemgetter(1)):
            if label == unanswered:
                run = [tuple(terms) for terms, _ in run]
                unanswered_documents += run
            else:
                run = map(itemgetter(0), run)
            counts[label].update(chain.from_iterable(run))
        vocabulary = list(set().union(*counts))
        self._rows: dict[str, tuple[float, ...]] = {}
        # Per topic, the questions about it that it does not answer (see `beyond`).
        self._beyond: list[tuple[Counter[str], float]] = []
        if not vocabulary:  # nothing to learn from: every class stays equally likely
            return
        # log((n + smoothing) / total) for each count n and class: per class, a table of it
        # for the few small counts there are.
        self._smoothed = SMOOTHING * len(vocabulary)
        most = max(max(count.values(), default=0) for count in counts)
        log_of = []
        for count in counts:
            log_total = math.log(count.total() + self._smoothed)
            log_of.append([math.log(n + SMOOTHING) - log_total for n in range(most + 1)])
        # Each term's log-likelihood in each class. Most terms share their counts with many
        # others (seen once, in one class): the terms with the same counts share one row, made
        # once (a tenth as many rows as terms). The counts are read a class (a column) at a
        # time with map, which runs in C.
        signatures = list(
            zip(*(map(count.get, vocabulary, repeat(0)) for count in counts), strict=True)
        )
        row_of = {
            signature: tuple(map(list.__getitem__, log_of, signature))
            for signature in set(signatures)
        }
        self._rows = dict(zip(vocabulary, map(row_of.__getitem__, signatures), strict=True))
        del signatures, row_of, log_of
        if not beyond:
            return
        # Each question not answered is about some topic ("Amy Pope's age": leaders), the one
        # its words point to most; counted by that topic, they say what a question about the
        # topic looks like when it asks what the topic does not tell.
        about: list[Counter[str]] = [Counter() for _ in range(unanswered)]
        row = self._rows.__getitem__
        for terms in unanswered_documents:
            if terms:
                scores = list(map(sum, zip(*map(row, terms), strict=True)))[:unanswered]
                about[scores.index(max(scores))].update(terms)
        self._beyond = [(count, math.log(count.total() + self._smoothed)) for count in about]

    def knows(self, term: str) -> bool:
        return term in self._rows

    def posterior(self, terms: dict[str, float]) -> list[float]:
        """The probability of each class given the terms (each weighted as the search weighs
        it); all equal when no term is known."""
        scores = self._log_scores(terms)
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return [value / total for value in exps]

    def log_odds(self, terms: dict[str, float], first: int, second: int) -> float:
        """log P(terms | first) - log P(terms | second): how much likelier the terms make one
        class than another, the other classes not looked at (cheaper than `posterior`)."""
        rows = self._rows
        odds = 0.0
        for term, weight in terms.items():
            row = rows.get(term)
            if row is not None:
                odds += weight * (row[first] - row[second])
        return odds

    def beyond(self, terms: dict[str, float], topic: int) -> float:
        """The probability that a question about `topic` asks what the topic does not answer
        ("when did Mochizuki take office"), against its being one the topic answers ("who is
        Mochizuki"): the topic's questions against the unanswered ones about it, each side
        equally likely before the terms are seen."""
        if not self._beyond:
            return 0.0
        count, log_total = self._beyond[topic]
        evidence = 0.0
        for term, weight in terms.items():
            row = self._rows.get(term)
            if row is not None:
                unanswered = math.log(count.get(term, 0) + SMOOTHING) - log_total
                evidence += weight * (unanswered - row[topic])
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, evidence))))

    def _log_scores(self, terms: dict[str, float]) -> list[float]:
        """Each class's log-likelihood of the terms. Rows of the same weight are summed
        column by column (zip and sum run in C): most terms weigh 1 or 1/2."""
        by_weight: dict[float, list[tuple[float, ...]]] = defaultdict(list)
        for term, weight in terms.items():
            row = self._rows.get(term)
            if row is not None:
                by_weight[weight].append(row)
        scores = [0.0] * self.classes
        for weight, rows in by_weight.items():
            scores = [
                s + weight * c
                for s, c in zip(scores, map(sum, zip(*rows, strict=True)), strict=True)
            ]
        return scores
