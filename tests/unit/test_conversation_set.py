"""The conversation around the questions, measured on sets of messages written blind: every
tests/data/conversation_*.yaml is measured by the same code (a set held aside, dropped in later,
is measured as it comes). Each message: `q`, `kind` (smalltalk | person | urgent | language |
topic | outside) and, by kind, `intent` (smalltalk), `language` (the one asked for), `topic`
(and for a topic: `urgent`, whether the urgent reply comes first; `partial`, whether a part is
plainly not answered; `also`, a second topic answered).

conversation_tune.yaml (228 messages) was measured once when it appeared, before any tuning for
it (commit "Conversation: … the tune set measured once"): smalltalk 73.6 % (53 of 72), person
37.5 % (9 of 24), urgent 56.7 % (17 of 30), language 31.2 % (5 of 16), topic 76.8 % (43 of 56),
outside 93.3 % (28 of 30; 2 given a topic); no small-talk reply to a question about IOM.
Then tuned on (phrasings, signals, languages not spoken; an urgent message's topic found in
its parts): smalltalk 100 %, person 95.8 %, urgent 100 %, language 81.2 % (requests written in
Vietnamese, Korean, Portuguese missed), topic 75.0 % (a whole the content declines is not
split: splitting it gave the hold-outs three more outside questions a topic), outside 96.7 %.

conversation_tune2.yaml (114 messages) was the held-aside set, written blind after the first and
measured once when the work on the first was done: smalltalk 58.3 % (21 of 36), person 41.7 %
(5 of 12), urgent 66.7 % (10 of 15), language 75.0 % (6 of 8), topic 71.4 % (20 of 28),
outside 100 %: far under the targets, the recogniser knew its phrasings and little else. Then
tuned on both sets (a word of the questions' no longer rules small talk out when the model is
sure and such words are few; a topic keyword does; several hundred more phrasings and urgent
signals, written to a checklist of what people say rather than from the sets' messages):
smalltalk 97.2 %, person 83.3 %, urgent 93.3 %, language 75.0 %, topic 78.6 %, outside 100 %
(the first: topic 87.5 %: two questions in one are answered part by part where the parts ask
separately, a part pointing back or asking for a person is not answered as a topic).
conversation_tune3.yaml (120 messages) was the next held-aside set, written blind, measured
once with the work above done: smalltalk 94.4 % (34 of 36), person 100 % (16 of 16), urgent
85.0 % (17 of 20), language 62.5 % (5 of 8), topic 83.3 % (20 of 24), outside 100 %; no small
talk given to a question. Then tuned on (a language asked for in one clause of a longer message;
in an urgent message, what is told is not answered as a question, only what is asked; "help me"
a signal only as a request, not inside "can you help me with"; more signals): smalltalk 97.2 %,
person 100 %, urgent 100 %, language 100 %, topic 87.5 %, outside 100 %.

conversation_tune4.yaml (140 messages), the fourth held-aside set, written blind, measured once
with the work above done: smalltalk 84.4 % (38 of 45), person 83.3 % (15 of 18), urgent 81.8 %
(18 of 22), language 80.0 % (8 of 10), topic 70.4 % (19 of 27), outside 100 %; no small talk
given to a question. Then tuned on (urgent signals matched by their words' stems and, in
Japanese, by their kana reading; a language request's best-matching name, or a longer message
starting with a request; emoji dropped from talk; "+" joins two questions; phrasings): smalltalk
95.6 %, person 94.4 %, urgent 100 %, language 100 %, topic 74.1 %, outside 100 %. An urgent line
added to a question about trafficking asked for information counts as right (the issue: recall
over precision, its own example has the programmes topic with the urgent line).

conversation_tune5.yaml (150 messages), the fifth held-aside set, written blind, measured once
with the work above done: smalltalk 90.7 % (49 of 54), person 80.0 % (16 of 20), urgent 87.5 %
(21 of 24), language 100 % (10 of 10), topic 75.0 % (18 of 24), outside 94.4 % (17 of 18); no
small talk given to a question. Then tuned on (small-talk phrasings with kanji learned in kana
too, 「おげんきですか」; a kana bigram no longer counts as the questions' word, a kanji pair of a
topic keyword does; greetings around a question dropped before it is judged; a full stop after
a two-letter word ends a sentence; phrasings and signals): smalltalk 96.3 %, person 95.0 %,
urgent 95.8 %, language 100 %, topic 83.3 %, outside 94.4 %.

conversation_tune6.yaml (160 messages), the sixth held-aside set, written blind, measured once
with the work above done: smalltalk 90.7 % (49 of 54), person 100 % (24 of 24), urgent 78.6 %
(22 of 28), language 100 % (10 of 10), topic 80.8 % (21 of 26), outside 100 %; one question
between pleasantries given small talk. Then tuned on (the urgent signals taught to the model as
documents of trouble, not only matched whole: 22 -> 28 of its 28 urgent messages before any of
them was written into the content; a question the content answers between pleasantries is
answered; 緊急 alone no signal, 「湾岸戦争の緊急空輸」 is history; phrasings): smalltalk 98.1 %,
person 100 %, urgent 100 %, language 100 %, topic 84.6 %, outside 100 %.

conversation_tune7.yaml (170 messages), the seventh held-aside set, written blind, measured
once with the work above done: smalltalk 93.7 % (59 of 63), person 84.6 % (22 of 26), urgent
86.7 % (26 of 30), language 90.0 % (9 of 10), topic 82.6 % (19 of 23), outside 94.4 % (17 of
18); no small talk given to a question. The issue's 95 % for small talk, a person asked for
and urgent messages on a set never tuned on was not reached: over seven blind sets the first
measurements rose (smalltalk 58 -> 94 %, person 42 -> 85-100 %, urgent 67 -> 79-88 %). Then
tuned on (small talk in the talk's words only needs 0.6, not 0.8; phrasings and signals for
injuries left untreated, a child heard being hit, threats by message, staff and interpreters
asked for).

conversation_tune8.yaml (130 messages), the eighth held-aside set, written blind, measured once
after tuning on the seventh: smalltalk 95.6 % (43 of 45), person 90.9 % (20 of 22), urgent 100 %
(24 of 24), language 100 % (8 of 8), topic 88.2 % (15 of 17), outside 100 % (14 of 14); no small
talk given to a question. Then tuned on (person asked for in kana, a name asked for, the
developer asked about): smalltalk 100 %, person 100 %, urgent 100 %.

conversation_tune9.yaml (100 messages, small talk, person and urgent only), the ninth held-aside
set, written blind, measured once after tuning on the eighth: smalltalk 86.1 % (31 of 36),
person 75.0 % (24 of 32), urgent 96.9 % (31 of 32); no small talk given to a question. Most
person misses asked for someone who speaks a language ("any staff speak portuguese? i want to
talk person", 「ネパール語のわかる人と話せますか」), taken as the bot's language. Then tuned on
(a language named with one of the person intent's `people` is a person asked for, unless the
message is a language phrasing itself; a person asked for in one sentence outranks a complaint
in another; sentences each small talk are small talk; a topic's one word in a message
otherwise all talk, the model all but certain, no longer rules small talk out): smalltalk
97.2 %, person 100 %, urgent 100 %.

conversation_tune10.yaml (160 messages), the tenth held-aside set, written blind, measured once
with the work above done: smalltalk 94.4 % (51 of 54), person 92.5 % (37 of 40), urgent 97.5 %
(39 of 40), topic 100 % (16 of 16), outside 100 % (10 of 10); no small talk given to a
question. Then tuned on (a person asked for in any sentence naming one of the `people`: "could
a staff member call me back? my number is …"; thanks and greetings in the public's languages
written in Latin letters, "salamat po"; phrasings and signals): smalltalk 98.1 %, person
97.5 %, urgent 100 %.

conversation_tune11.yaml (170 messages), the eleventh held-aside set, written blind, measured
once with the work above done: smalltalk 93.7 % (59 of 63), person 90.0 % (36 of 40), urgent
100 % (40 of 40), topic 100 % (16 of 16), outside 100 % (11 of 11); no small talk given to a
question. Then tuned on (a person asked for about a subject, "talk with a staff member about
going back to my country voluntarily": one of the `people` named and the model all but
certain, whatever the subject's words; "are you a bot", 「人間ですか」 no longer among the
subjects the content declines, small talk has its own intents now; phrasings): smalltalk
98.4 %, person 100 %, urgent 100 %.

conversation_tune12.yaml (170 messages), the twelfth held-aside set, written blind, measured
once with the work above done: smalltalk 96.8 % (61 of 63), person 92.5 % (37 of 40), urgent
100 % (40 of 40), topic 100 % (16 of 16), outside 100 % (11 of 11); no small talk given to a
question. The three person misses asked for someone about a subject ("who can I talk to at
IOM about my brother's family reunification?", 「帰国支援について相談したいです」). Then tuned
on (the request judged without what it is about: " about …", 「…について」): smalltalk 98.4 %,
person 100 %, urgent 100 %.

conversation_tune13.yaml (150 messages), the thirteenth held-aside set, written blind, measured
once with the work above done: smalltalk 100 % (54 of 54), person 88.9 % (32 of 36), urgent
100 % (36 of 36), topic 100 % (14 of 14), outside 90.0 % (9 of 10: a question about trains
given small talk, "what can you do"). Then tuned on (small talk needs the model all but
certain when most of the message is words neither the talk's nor the questions', places and
names; a person asked for to meet, to be phoned, to be interviewed: phrasings): all 100 %.

conversation_tune14.yaml (170 messages, a person asked for in 60 of them), the fourteenth
held-aside set, written blind, measured once with the work above done: smalltalk 98.1 % (53 of
54), person 91.7 % (55 of 60), urgent 100 % (30 of 30), topic 100 % (16 of 16), outside 100 %
(10 of 10); no small talk given to a question. The person misses were requests with other words
around them ("Can I speak to the person in charge of refugee resettlement?", 「ご担当者様におつ
なぎいただけますでしょうか」, "operator pls"): the model weighs the whole message. Then tuned on
(the person intent's `asks`: requests around one of its `people`, "speak to {people}",
「{people}つな」, found wherever they stand; more `people`; phrasings): all 100 % but smalltalk
98.1 %; the question sets unchanged.

conversation_tune15.yaml (170 messages, a person asked for in 60), the fifteenth held-aside
set, written blind, measured once with the work above done: smalltalk 98.1 % (53 of 54),
person 93.3 % (56 of 60), urgent 100 % (30 of 30), topic 100 % (16 of 16), outside 90.0 % (9 of
10: "What is the address of the IOM Tokyo office?" given the contact topic, as in
questions_holdout18.yaml); no small talk given to a question. Over fifteen blind sets person
never reached 95 % on a first measurement (75-93 % from the ninth on). Then tuned on (a person
asked for with a language named, 「ベトナム語の通訳をお願いできますか」, by the `asks` too; `...`
in a request for a wider gap, "anyone in charge of resettlement i could speak to"): person
100 %; the address question left as it is (the contact topic: the phone number and websites,
the page gives no address).

conversation_tune16.yaml (170 messages, a person asked for in 60), the sixteenth held-aside
set, written blind, measured once with the work above done: smalltalk 100 % (54 of 54), person
96.7 % (58 of 60), urgent 96.7 % (29 of 30), topic 100 % (16 of 16), outside 90.0 % (9 of 10:
the office's address again given the contact topic); no small talk given to a question. The
first blind set on which small talk, a person asked for and urgent messages each reached the
issue's 95 %. Then tuned on (the office's address and where the office is declined by the
phrases of _not_covered.yaml, "the address", "where is the iom tokyo office": the asked
questions had learned "web address" as the contact topic's; 「チャットで人とやりとり」,
「通訳さんいますか」 as requests; signals for a worker who ran away with nowhere to stay): all
100 %; the question sets' hold-outs 8 of 215 outside IOM given a topic (9 before).

conversation_tune17.yaml (170 messages: person 40, urgent 40, outside 16), the seventeenth
held-aside set, written blind, measured once with the work above done: smalltalk 92.6 % (50 of
54), person 100 % (40 of 40), urgent 97.5 % (39 of 40), topic 100 % (20 of 20), outside 100 %
(16 of 16); no small talk given to a question. Small talk missed: "hey" (written as a greeting
and, as "hey?", as "are you there": one phrasing as compared, the latter won), "Are you fine?",
「お元気でいらっしゃいますか」, 「使いにくいボットだな」. The sixteenth and seventeenth sets
together, each measured once before any tuning on it: smalltalk 96.3 % (104 of 108), person
98.0 % (98 of 100), urgent 97.1 % (68 of 70), topic 100 % (36 of 36), outside 96.2 % (25 of
26). Then tuned on (`iombot check` warns of a phrasing written for two intents, and the three
found are given to one; phrasings; signals of a worker afraid to go back; 「相談できる方」,
「…いらっしゃいますか」 as requests): all 100 %.

conversation_tune18.yaml (188 messages: smalltalk 72, person 40, urgent 40, topic 20, outside
16), the eighteenth held-aside set, written blind, measured once with the work above done:
smalltalk 100 % (72 of 72), person 100 % (40 of 40), urgent 95.0 % (38 of 40), topic 100 % (20
of 20), outside 100 % (16 of 16); no small talk given to a question: every target of the issue
met on a set never tuned on. The sixteenth to eighteenth sets together, each measured once
before any tuning on it: smalltalk 97.8 % (176 of 180), person 98.6 % (138 of 140), urgent
96.4 % (106 of 110), topic 100 % (56 of 56), outside 97.6 % (41 of 42). Then tuned on, as the
two urgent messages missed were a person in danger (sexual exploitation for a debt, 「命の危険を
感じています」): signals of forced prostitution, debt bondage and a life in danger.

The floors below are the levels reached. Any other set is held aside and must meet the issue's
targets (TARGETS).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from iombot.core.answerer import Answerer
from iombot.core.reply import Paragraph, Query, Reply, ReplyKind, plain_text

DATA = Path(__file__).parents[1] / "data"
SETS = sorted(p.name for p in DATA.glob("conversation_*.yaml"))
TUNED = (
    "conversation_tune.yaml",
    "conversation_tune2.yaml",
    "conversation_tune3.yaml",
    "conversation_tune4.yaml",
    "conversation_tune5.yaml",
    "conversation_tune6.yaml",
    "conversation_tune7.yaml",
    "conversation_tune8.yaml",
    "conversation_tune9.yaml",
    "conversation_tune10.yaml",
    "conversation_tune11.yaml",
    "conversation_tune12.yaml",
    "conversation_tune13.yaml",
    "conversation_tune14.yaml",
    "conversation_tune15.yaml",
    "conversation_tune16.yaml",
    "conversation_tune17.yaml",
    "conversation_tune18.yaml",
)
KINDS = ("smalltalk", "person", "urgent", "language", "topic", "outside")
# The level the tune set reached after tuning on it (shares of each kind right).
TUNE_FLOORS = {
    "conversation_tune.yaml": {
        "smalltalk": 0.98,
        "person": 0.95,
        "urgent": 1.0,
        "language": 0.8,
        "topic": 0.87,
        "outside": 0.9,
    },
    "conversation_tune2.yaml": {
        "smalltalk": 0.97,
        "person": 0.83,
        "urgent": 0.93,
        "language": 0.87,
        "topic": 0.78,
        "outside": 1.0,
    },
    "conversation_tune4.yaml": {
        "smalltalk": 0.95,
        "person": 0.94,
        "urgent": 1.0,
        "language": 1.0,
        "topic": 0.74,
        "outside": 1.0,
    },
    "conversation_tune5.yaml": {
        "smalltalk": 0.96,
        "person": 0.95,
        "urgent": 0.95,
        "language": 1.0,
        "topic": 0.83,
        "outside": 0.94,
    },
    "conversation_tune6.yaml": {
        "smalltalk": 0.98,
        "person": 1.0,
        "urgent": 1.0,
        "language": 1.0,
        "topic": 0.84,
        "outside": 1.0,
    },
    "conversation_tune7.yaml": {
        "smalltalk": 0.96,
        "person": 0.92,
        "urgent": 0.96,
        "language": 0.9,
        "topic": 0.82,
        "outside": 0.94,
    },
    "conversation_tune8.yaml": {
        "smalltalk": 1.0,
        "person": 1.0,
        "urgent": 1.0,
        "language": 1.0,
        "topic": 0.88,
        "outside": 1.0,
    },
    "conversation_tune9.yaml": {"smalltalk": 0.97, "person": 1.0, "urgent": 1.0},
    "conversation_tune10.yaml": {
        "smalltalk": 0.98,
        "person": 0.97,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 1.0,
    },
    "conversation_tune11.yaml": {
        "smalltalk": 0.98,
        "person": 1.0,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 1.0,
    },
    "conversation_tune12.yaml": {
        "smalltalk": 0.98,
        "person": 1.0,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 1.0,
    },
    "conversation_tune14.yaml": {
        "smalltalk": 1.0,
        "person": 1.0,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 1.0,
    },
    "conversation_tune15.yaml": {
        "smalltalk": 0.98,
        "person": 1.0,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 0.9,
    },
    "conversation_tune16.yaml": {
        "smalltalk": 1.0,
        "person": 1.0,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 1.0,
    },
    "conversation_tune17.yaml": {
        "smalltalk": 1.0,
        "person": 1.0,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 1.0,
    },
    "conversation_tune18.yaml": {
        "smalltalk": 1.0,
        "person": 1.0,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 1.0,
    },
    "conversation_tune13.yaml": {
        "smalltalk": 1.0,
        "person": 1.0,
        "urgent": 1.0,
        "topic": 1.0,
        "outside": 1.0,
    },
    "conversation_tune3.yaml": {
        "smalltalk": 0.97,
        "person": 1.0,
        "urgent": 1.0,
        "language": 1.0,
        "topic": 0.91,
        "outside": 1.0,
    },
}
# The targets, for a set never tuned on.
TARGETS = {"smalltalk": 0.95, "person": 0.95, "urgent": 0.95, "language": 0.95, "topic": 0.95}
OUTSIDE_GIVEN_A_TOPIC = 0.05  # at most this share of the outside messages get a topic
WRONG_TOPIC = 0.01  # at most this share of the topic questions get a wrong topic


def load(name: str) -> list[dict]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def says_no_answer(answerer: Answerer, reply: Reply) -> bool:
    lead = answerer.strings.text("no_answer_to", reply.language).split("{")[0]
    return any(
        isinstance(b, Paragraph) and plain_text(b.spans).startswith(lead) for b in reply.blocks
    )


def judge(answerer: Answerer, item: dict, reply: Reply) -> tuple[bool, str]:
    """Whether the reply is right for the message, and what it was (for the misses)."""
    kind = item["kind"]
    got = f"{reply.kind.value} {reply.intent or reply.topic or reply.chosen_language or ''}"
    got += " urgent" if reply.urgent else ""
    if kind == "smalltalk":
        return reply.kind is ReplyKind.SMALLTALK and reply.intent == item["intent"], got
    if kind == "person":
        return reply.kind is ReplyKind.PERSON, got
    if kind == "urgent":
        return reply.urgent, got
    if kind == "language":
        if item["language"] not in answerer.languages:  # one it does not speak: the menu
            return reply.kind is ReplyKind.LANGUAGE and reply.chosen_language is None, got
        return reply.chosen_language == item["language"], got
    if kind == "outside":
        return reply.kind not in (ReplyKind.TOPIC, ReplyKind.SMALLTALK), got
    right = reply.kind is ReplyKind.TOPIC and reply.topic == item["topic"]
    # The urgent reply must come first where the person is in trouble; added to a question
    # about trafficking asked for information it is allowed ("recall matters more than
    # precision here": the issue's own example has the programmes topic with the urgent line).
    right = right and (reply.urgent or not item.get("urgent"))
    if item.get("partial"):
        right = right and says_no_answer(answerer, reply)
    if item.get("also"):
        right = right and item["also"] in reply.also
    return right, got


def measure(answerer: Answerer, name: str) -> dict[str, float]:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    misses = []
    wrong_topic = outside_topic = small_talk_to_a_question = 0
    for item in load(name):
        reply = answerer.answer(Query(text=item["q"]))
        right, got = judge(answerer, item, reply)
        by_kind[item["kind"]].append(right)
        if not right:
            misses.append(f"  {item['kind']:9} {item['q']!r}: got {got}")
        if item["kind"] in ("topic", "outside") and reply.kind is ReplyKind.SMALLTALK:
            small_talk_to_a_question += 1
        if reply.kind is ReplyKind.TOPIC:
            if item["kind"] == "outside":
                outside_topic += 1
            elif item["kind"] == "topic" and reply.topic != item["topic"]:
                wrong_topic += 1
    rates = {kind: sum(r) / len(r) for kind, r in by_kind.items()}
    print(f"\n{name}:")
    for kind in KINDS:
        if kind in by_kind:
            print(f"  {kind:9} {rates[kind]:6.1%} ({sum(by_kind[kind])} of {len(by_kind[kind])})")
    print(f"  small talk given to a question: {small_talk_to_a_question}")
    print("\n".join(misses))
    rates["wrong_topic"] = wrong_topic / max(1, len(by_kind["topic"]))
    rates["outside_topic"] = outside_topic / max(1, len(by_kind["outside"]))
    rates["small_talk_to_a_question"] = small_talk_to_a_question
    return rates


@pytest.mark.parametrize("name", SETS)
def test_conversation_set(answerer: Answerer, name: str):
    rates = measure(answerer, name)
    assert rates["small_talk_to_a_question"] == 0
    if name in TUNED:
        for kind, floor in TUNE_FLOORS[name].items():
            assert rates.get(kind, 1.0) >= floor, kind
        return
    for kind, target in TARGETS.items():
        assert rates.get(kind, 1.0) >= target, kind
    assert rates["outside_topic"] <= OUTSIDE_GIVEN_A_TOPIC
    assert rates["wrong_topic"] <= WRONG_TOPIC
