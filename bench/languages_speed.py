"""Free-text answer time per language on questions as people write them: each new language's
questions of issue 24's tune sets (tests/data/languages/<code>_tune.yaml), and for comparison
English's and Japanese's of the question sets' hold-outs (tests/data/questions_holdout*.yaml),
asked 30 times over once every language's index is built (the first question in a language
builds it). Prints the median and p99 per language; asserts nothing. These questions are longer
than make bench's eight (bench/core_speed.py, where issue 24's target of 200 µs is measured
for every language): most take 200-350 µs in every language, English and Japanese included.

Run: `python bench/languages_speed.py [--rounds 30]` from a checkout installed editable.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml
from core_speed import each, report, timed

from iombot.core.answerer import Answerer
from iombot.core.content import default_content_dir, load_content
from iombot.core.reply import Query

SETS = Path(__file__).parents[1] / "tests" / "data" / "languages"


def question_sets() -> dict[str, list[str]]:
    """The questions of each language: English's and Japanese's told apart by their letters."""
    sets: dict[str, list[str]] = {"en": [], "ja": []}
    for path in sorted(SETS.parent.glob("questions_holdout*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            sets["en" if item["q"].isascii() else "ja"].append(item["q"])
    for path in sorted(SETS.glob("*_tune.yaml")):
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        sets[path.name.split("_")[0]] = [item["q"] for item in items]
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    answerer = Answerer(load_content(default_content_dir()))
    for code, questions in question_sets().items():
        queries = [Query(text=question) for question in questions]
        for query in queries:  # the language's index built, its caches warm
            answerer.answer(query)
        report(
            f"free-text answer, {code}", timed(each(answerer, queries), args.rounds * len(queries))
        )


if __name__ == "__main__":
    main()
