"""The question sets of issue 24, one pair per language (tests/data/languages/): each written
blind by a speaker's helper who had read only the seed page and the English topics, before any
work on the language. `<code>_tune.yaml` is tuned on; `<code>_holdout.yaml` is kept aside and
measured, never tuned on (its figures say how the bot does on the next question);
`<code>_holdout2.yaml` (and Nepali's third and fourth) were written later, as blind, and
measured once when the work they test was done; a hold-out tuned on becomes a tune set
(ne_tune2.yaml, ne_tune3.yaml).

Each question is asked as a new user asks it: no language chosen, no platform locale. An
answerable one (`topic:`) is right when it gets that topic, in the question's language; one
outside the content (no topic) is right when it gets no topic and the contact route, in the
question's language. `pytest tests/unit/test_language_sets.py -s` prints every set's figures
and misses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from iombot.core.answerer import Answerer
from iombot.core.reply import Query, Reply, ReplyKind, plain_text

SETS = Path(__file__).parents[1] / "data" / "languages"
TUNE = sorted(SETS.glob("*_tune*.yaml"))
HOLDOUT = sorted(SETS.glob("*_holdout*.yaml"))
# The hold-outs as first measured (the engine and translations merged, no language given): the
# answerable right in its language; the outside questions given the contact route in it.
#   zh_holdout 90.5 %, 83.3 % | zh_holdout2 100 %, 100 %
#   ko_holdout 90.5 %, 83.3 % | ko_holdout2 100 %, 100 %
#   vi_holdout 95.2 %, 83.3 % | vi_holdout2 100 %, 83.3 %
#   tl_holdout 100 %, 33.3 %  | tl_holdout2 95.2 %, 83.3 %
#   pt_holdout 95.2 %, 83.3 % | pt_holdout2 90.5 %, 83.3 %
#   id_holdout 95.2 %, 50.0 % | id_holdout2 95.2 %, 83.3 %
#   ne_holdout 90.5 %, 83.3 % | ne_holdout2 81.0 %, 100 % (romanized Nepali answered in English;
#   then tuned on, as ne_tune2.yaml) | ne_holdout3 81.0 %, 83.3 % (written after that work: its
#   romanized questions mostly of English words, "IOM ko Director Genral ko ho?", still English;
#   then tuned on, as ne_tune3.yaml: 95.2 %)
# The outside questions missed are mostly ones the contact topic takes (a fax number, an office
# in Osaka): floors at the first figures, so that none gets worse.
HOLDOUT_OUTSIDE_FLOORS = {"tl_holdout": 0.33, "id_holdout": 0.5}
# Hold-outs under the target for the answerable questions, as first measured.
UNDER_TARGET: dict[str, str] = {}
# What the tune sets reach (right topic in the right language, of the answerable questions;
# the contact route in the right language, of the others), as measured with this commit's
# content; floors a little under, so that a change that makes a language worse is noticed.
TUNE_FLOORS: dict[str, tuple[float, float]] = {
    "zh": (0.96, 0.87),  # 27 of 28; 7 of 8
    "id": (0.92, 0.87),  # 26 of 28; 7 of 8
    "vi": (0.96, 0.87),  # 27 of 28; 7 of 8
    "tl": (0.89, 1.0),  # 25 of 28; 8 of 8
    "ko": (1.0, 1.0),  # 28 of 28; 8 of 8
    "pt": (0.92, 0.87),  # 26 of 28; 7 of 8
    "ne": (0.92, 0.87),  # 26 of 28; 7 of 8
}
# Issue 24's target, for the answerable questions of every language.
TARGET = 0.90


@dataclass
class Figures:
    name: str
    answerable: int = 0
    right: int = 0  # the topic, in the question's language
    right_topic: int = 0  # the topic, whatever the language
    outside: int = 0
    routed: int = 0  # no topic, the contact route, in the question's language
    misses: list[str] = field(default_factory=list)

    @property
    def in_domain(self) -> float:
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def out_of_scope(self) -> float:
        return self.routed / self.outside if self.outside else 1.0

    def line(self) -> str:
        return (
            f"{self.name}: {self.in_domain:.1%} of {self.answerable} answerable right in its "
            f"language ({self.right_topic} the right topic); {self.out_of_scope:.1%} of "
            f"{self.outside} outside given the contact route in its language"
        )


def _language_of(path: Path) -> str:
    return path.name.split("_", 1)[0]


def _has_contact_route(answerer: Answerer, reply: Reply, language: str) -> bool:
    """The reply holds how to reach people (contact.yaml's reach_us) in the language."""
    route = answerer.content.reach_us(language)
    text = [plain_text(b.spans) for b in reply.blocks if hasattr(b, "spans")]
    return bool(route) and all(plain_text(r.spans) in text for r in route if hasattr(r, "spans"))


def measure(answerer: Answerer, path: Path) -> Figures:
    language = _language_of(path)
    figures = Figures(path.name)
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        reply = answerer.answer(Query(text=item["q"]))
        got = reply.topic if reply.kind is ReplyKind.TOPIC else None
        if item.get("topic"):
            figures.answerable += 1
            figures.right_topic += got == item["topic"]
            ok = got == item["topic"] and reply.language == language
            figures.right += ok
        else:
            figures.outside += 1
            ok = (
                got is None
                and reply.language == language
                and _has_contact_route(answerer, reply, language)
            )
            figures.routed += ok
        if not ok:
            figures.misses.append(
                f"{item['q']!r}: expected {item.get('topic')}, got {got} ({reply.kind.value}) "
                f"in {reply.language}"
            )
    print(f"\n{figures.line()}")
    print("\n".join(f"  miss {m}" for m in figures.misses))
    return figures


@pytest.mark.parametrize("path", TUNE, ids=lambda p: p.stem)
def test_tune_set(answerer: Answerer, path: Path):
    language = _language_of(path)
    if language not in answerer.languages:
        pytest.skip(f"{language} is not in content/languages.yaml yet")
    figures = measure(answerer, path)
    floor_in, floor_out = TUNE_FLOORS.get(language, (TARGET, 0.0))
    assert figures.in_domain >= floor_in, figures.line()
    assert figures.out_of_scope >= floor_out, figures.line()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p,
            marks=[pytest.mark.xfail(strict=True, reason=UNDER_TARGET[p.stem])]
            if p.stem in UNDER_TARGET
            else [],
        )
        for p in HOLDOUT
    ],
    ids=lambda p: p.stem,
)
def test_holdout_set(answerer: Answerer, path: Path):
    """A hold-out meets the issue's target for its answerable questions (those that did not
    when first measured are expected to fail, strictly: one that passes is to be looked at),
    and sends its outside questions to the contact route at least as often as at first."""
    figures = measure(answerer, path)
    assert figures.in_domain >= TARGET, figures.line()
    assert figures.out_of_scope >= HOLDOUT_OUTSIDE_FLOORS.get(path.stem, 0.8), figures.line()
