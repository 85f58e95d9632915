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
from collections.abc import Iterable

# Added to every term count (Laplace smoothing): a term never seen with a class keeps a little
# weight, so one unfamiliar word does not rule a class out.
SMOOTHING = 0.1


class AskedModel:
    """Naive Bayes over term sets, one class per topic and one (the last) for "not answered".

    Classes are numbered 0..classes-1; documents are (terms, class). Every class is equally
    likely before the terms are seen: how many questions an editor filed says nothing of how
    often a topic is asked."""

    def __init__(self, documents: Iterable[tuple[Iterable[str], int]], classes: int):
        self.classes = classes
        counts: list[dict[str, int]] = [{} for _ in range(classes)]
        for terms, label in documents:
            count = counts[label]
            for term in set(terms):
                count[term] = count.get(term, 0) + 1
        vocabulary = set().union(*counts)
        self._rows: dict[str, tuple[float, ...]] = {}
        if not vocabulary:  # nothing to learn from: every class stays equally likely
            return
        # log((n + smoothing) / total) for each count n and class: a table of the logs of the
        # few small counts there are, less the log of each class's total.
        most = max((n for count in counts for n in count.values()), default=0)
        log_of = [math.log(n + SMOOTHING) for n in range(most + 1)]
        log_totals = [
            math.log(sum(count.values()) + SMOOTHING * len(vocabulary)) for count in counts
        ]
        # Each term's log-likelihood in each class.
        pairs = list(zip(counts, log_totals, strict=True))
        self._rows = {
            term: tuple([log_of[count.get(term, 0)] - log_total for count, log_total in pairs])
            for term in vocabulary
        }

    def knows(self, term: str) -> bool:
        return term in self._rows

    def posterior(self, terms: dict[str, float]) -> list[float]:
        """The probability of each class given the terms (each weighted as the search weighs
        it); all equal when no term is known."""
        scores = [0.0] * self.classes
        for term, weight in terms.items():
            row = self._rows.get(term)
            if row is None:
                continue
            for number, value in enumerate(row):
                scores[number] += weight * value
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return [value / total for value in exps]
