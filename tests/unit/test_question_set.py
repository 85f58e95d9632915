"""Realistic questions, written as people ask them, in sets, each written blind (by someone who
had read only the content and the seed page, not the code, nor content/asked/) before the tuning
it was then used for:
- questions.yaml: the first set, which the retrieval was built with;
- questions_new.yaml: the kinds of question that failed (kana-only Japanese, colloquial forms,
  loanwords, other English words), tuned on;
- questions_new2.yaml, questions_new3.yaml, questions_new4.yaml, questions_holdout3.yaml: each
  kept aside as a hold-out and measured once (73.0 %, 83.1 %, 88.4 %, 93.8 %), then tuned on;
- questions_holdout5.yaml, questions_holdout6.yaml, questions_holdout7.yaml: measured once
  without content/asked/ (82.2 %, 74.3 %, 84.4 %) and once with its first 1,120 questions
  (91.8 %, 88.6 %, 90.6 %), then used to choose the answerer's thresholds;
- questions_holdout9.yaml: measured once (94.0 %), then tuned on (questions using the full name
  国際移住機関 filed under every topic);
- questions_holdout12.yaml, questions_holdout13.yaml, questions_holdout14.yaml: written with 14
  near-domain questions each (about a topic's subject, asking what it does not tell), measured
  once (97.2 %, 100 %, 97.2 %; 4, 6 and 4 of 28 outside IOM given a topic), then used to choose
  how sure the asked questions must be that a question goes beyond its topic (BEYOND_LIKELY);
- questions_holdout19.yaml: measured once (88.7 %: Japanese typed in romaji), then tuned on;
- questions_holdout21.yaml: written with 3 of 8 questions a topic in romaji, measured once with
  romaji read as kana (94.5 %; 70.9 % the commit before), then tuned on;
- questions_holdout22.yaml (issue 23, 93 questions, 30 outside IOM): measured once with the
  conversation work landed (100 % of 63 in-domain, no wrong topic, no small talk, but 4 of 30
  outside IOM given a topic: a postal address, Twitter/Instagram, an inquiry form, IOM's first
  Director General: 13.3 %), then tuned on (those subjects in _not_covered.yaml);
- questions_holdout8.yaml, questions_holdout10.yaml, questions_holdout11.yaml,
  questions_holdout15.yaml, questions_holdout16.yaml, questions_holdout17.yaml,
  questions_holdout18.yaml, questions_holdout20.yaml: hold-outs never tuned on (15 and 16 with 18
  near-domain questions each; 17, 18 and 20 with 28 outside questions each, written without a
  list of kinds): they tell how the bot does on the next question. Their figures are printed, and guarded against regressions
  only at the level each reached.
Every question outside IOM is shown how to reach people."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from iombot.core.answerer import Answerer
from iombot.core.reply import Query, ReplyKind

DATA = Path(__file__).parents[1] / "data"
TUNED = (
    "questions.yaml",
    "questions_new.yaml",
    "questions_new2.yaml",
    "questions_new3.yaml",
    "questions_new4.yaml",
    "questions_holdout3.yaml",
    "questions_holdout5.yaml",
    "questions_holdout6.yaml",
    "questions_holdout7.yaml",
    "questions_holdout9.yaml",
    "questions_holdout12.yaml",
    "questions_holdout13.yaml",
    "questions_holdout14.yaml",
    "questions_holdout19.yaml",
    "questions_holdout21.yaml",
    "questions_holdout22.yaml",
)
HOLDOUTS = (
    "questions_holdout8.yaml",
    "questions_holdout10.yaml",
    "questions_holdout11.yaml",
    "questions_holdout15.yaml",
    "questions_holdout16.yaml",
    "questions_holdout17.yaml",
    "questions_holdout18.yaml",
    "questions_holdout20.yaml",
)
REQUIRED_ACCURACY = 0.95  # on the sets tuned on
# Measured with the answerer and content/asked/ as they are now (2026-11-29): set 8, 67 of 67
# (100 %); set 10, 80 of 84 (95.2 %; 81 before the answerer held back questions that go beyond
# their topic); set 11, 79 of 79 (100 %); sets 15 and 16 (measured once), 63 of 63 and 67 of 67;
# sets 17 and 18 (measured once, commit c1afa54), 49 of 50 and 50 of 51; set 20 (measured once,
# commit 34adf10), 50 of 51.
# Floors a little below, so that a change that makes the next question worse is noticed.
HOLDOUT_FLOORS = {
    "questions_holdout8.yaml": 0.95,
    "questions_holdout10.yaml": 0.93,
    "questions_holdout11.yaml": 0.95,
    "questions_holdout15.yaml": 0.95,
    "questions_holdout16.yaml": 0.95,
    "questions_holdout17.yaml": 0.95,
    "questions_holdout18.yaml": 0.95,
    "questions_holdout20.yaml": 0.95,
}


KNOWN_WRONG = [
    # A question asking two things, answered with the first ("when it started": about).
    "\"hi, I'm a student writing a report on migration in japan for school and I wanted to know "
    'when IOM actually started doing stuff here and what it was doing at the very beginning": '
    "expected history, got about",
    # Activities in Japan, typed in kana: history, which also tells what IOM did in Japan.
    "'日本でのかつどうをおしえて': expected work, got history",
    # The message of the man it names: leaders, which names him.
    "'望月大平代表はメッセージの中で何を訴えていますか': expected message, got leaders",
    # Resettlement to Japan: history tells of it (the Indochinese refugees), work does not.
    "'does iom bring refugees over to settle in japan': expected work, got history",
    # Questions outside the content given the topic nearest to them (and its contact route):
    # nothing filed in content/asked/ asks the like of them.
    '"can I chip in some money to support iom\'s work": expected None, got work',
    "'湾岸戦争で日本は何機の飛行機を出したの？': expected None, got history",
    "'IOMソウル事務所の電話番号を知りたいです': expected None, got contact",
    "'Does IOM have an office in Osaka too, or only Tokyo?': expected None, got work",
    "'UNHCRの電話番号しりたい': expected None, got contact",
    "'ユニセフの日本での活動内容を教えてください。': expected None, got work",
    "'望月大平代表は、IOM駐日事務所の代表にいつ就任されたのでしょうか。': expected None, got leaders",
    "'湾岸戦争の緊急空輸で、日本は何機の航空機を提供したのですか。': expected None, got history",
    "'when I call 03-3595-2487 can I speak Vietnamese?': expected None, got contact",
    "'how much I must pay for IOM voluntary return program?': expected None, got work",
    # Two questions (issue 23): how many migrants live in Japan (declined, and named as such in
    # the reply), and whether the message says it: the message, the second part's topic.
    "'にほん に すんで いる いみん は なんにん ですか？IOMの メッセージ に ありますか': "
    "expected None, got message",
    "'1981ねん に IOMは にほん で なんにん の なんみん を たすけましたか': expected None, got history",
    "'1981年から今までにIOMの支援で日本から第三国に移った難民って何人くらいいるの': expected None, got history",
    "'10億人っていう数字の出典を知りたいです レポートで引用したいので': expected None, got message",
    "'Amy Pope san wa doko no kuni no hito desuka': expected None, got leaders",
    "'wangan sensou no toki nihon wa hikouki wo nandai dashita no?': expected None, got history",
]


def load_questions(name: str) -> list[dict]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def measure(answerer: Answerer, name: str) -> tuple[float, list[str], list[str]]:
    """In-domain accuracy, the misses, and confident answers that are wrong (a wrong topic, or
    any topic for a question outside IOM)."""
    questions = load_questions(name)
    in_domain = [q for q in questions if q["topic"]]
    misses, wrong = [], []
    for item in questions:
        reply = answerer.answer(Query(text=item["q"]))
        got = reply.topic if reply.kind is ReplyKind.TOPIC else None
        if got != item["topic"]:
            line = f"{item['q']!r}: expected {item['topic']}, got {got}"
            (wrong if got else misses).append(line)
    accuracy = sum(
        1 for q in in_domain if not any(m.startswith(repr(q["q"])) for m in misses + wrong)
    ) / len(in_domain)
    print(
        f"\n{name}: {accuracy:.1%} of {len(in_domain)} in-domain correct; {len(wrong)} confident wrong"
    )
    print(
        "\n".join(f"  miss  {m}" for m in misses) + "\n" + "\n".join(f"  WRONG {w}" for w in wrong)
    )
    return accuracy, misses, wrong


def test_the_new_sets_are_big_enough_and_half_japanese():
    new = [q for name in TUNED[1:] for q in load_questions(name)]
    in_domain = [q for q in new if q["topic"]]
    japanese = [q for q in in_domain if any("\u3040" <= ch <= "\u9fff" for ch in q["q"])]
    assert len(in_domain) >= 60 and len(japanese) * 2 >= len(in_domain)
    assert len([q for q in new if q["topic"] is None]) >= 20
    seen = {q["q"] for name in TUNED for q in load_questions(name)}
    for name in HOLDOUTS:
        holdout = load_questions(name)
        assert len([q for q in holdout if q["topic"]]) >= 40  # a real part kept aside
        assert len([q for q in holdout if q["topic"] is None]) >= 12
        assert not seen & {q["q"] for q in holdout}  # each set new to the ones before it
        seen |= {q["q"] for q in holdout}


def test_tuned_sets_reach_their_topic(answerer: Answerer, content):
    commands = {topic.command for topic in content.topics}
    correct = total = 0
    all_wrong = []
    for name in TUNED:
        questions = load_questions(name)
        assert all(q["topic"] is None or q["topic"] in commands for q in questions)
        accuracy, _, wrong = measure(answerer, name)
        in_domain = len([q for q in questions if q["topic"]])
        correct, total = correct + round(accuracy * in_domain), total + in_domain
        all_wrong += wrong
    print(f"\ntuned sets together: {correct / total:.1%} of {total}")
    assert correct / total >= REQUIRED_ACCURACY
    # The confident wrong answers left, by name. Any other fails, and so does fixing one of
    # these (then drop it here).
    assert sorted(all_wrong) == sorted(KNOWN_WRONG)


@pytest.mark.parametrize("name", HOLDOUTS)
def test_the_hold_out_sets_are_measured_and_do_not_regress(answerer: Answerer, name: str):
    accuracy, _, _ = measure(answerer, name)
    assert accuracy >= HOLDOUT_FLOORS[name]


# Confident answers that are wrong on the hold-outs together, as measured (2026-11-29): a wrong
# topic once (「移住の機関の世界のボスって誰なん？」: about, which names the Director General too),
# and 10 questions outside IOM given the topic nearest to them (Instagram twice, UNHCR's contact
# details, tenders, the Chief of Mission before Mochizuki, the office's address, the year Japan
# joined IOM; in set 20: a trafficking victim's documents and costs, calling in Nepali, a
# Vietnamese page of the website). Ceilings, not a list: the hold-outs' questions are not to be
# tuned on one by one.
HOLDOUT_WRONG_TOPICS = 1
HOLDOUT_OUTSIDE_GIVEN_A_TOPIC = 10
# The same guard as rates (issue 23), the hold-outs together: at most 1 % of in-domain
# questions given a wrong topic, at most 5 % of the questions outside IOM given a topic, at
# least 95 % of in-domain questions answered right, and no question answered as small talk.
MAX_WRONG_TOPIC_RATE = 0.01
MAX_OUTSIDE_TOPIC_RATE = 0.05
MIN_IN_DOMAIN_RATE = 0.95


def test_the_hold_outs_get_no_more_confident_wrong_answers(answerer: Answerer):
    in_domain = outside = wrong_topic = outside_given_a_topic = right = small_talk = 0
    for name in HOLDOUTS:
        questions = load_questions(name)
        in_domain += len([q for q in questions if q["topic"]])
        outside += len([q for q in questions if q["topic"] is None])
        accuracy, _, wrong = measure(answerer, name)
        right += round(accuracy * len([q for q in questions if q["topic"]]))
        small_talk += sum(  # "hi there", 「ありがとう」 outside IOM are small talk, rightly
            answerer.answer(Query(text=q["q"])).kind is ReplyKind.SMALLTALK
            for q in questions
            if q["topic"]
        )
        for line in wrong:
            if ": expected None, got " in line:  # the line `measure` writes
                outside_given_a_topic += 1
            else:
                wrong_topic += 1
    print(
        f"\nhold-outs together: a wrong topic for {wrong_topic} of {in_domain} in-domain "
        f"({wrong_topic / in_domain:.1%}); {outside_given_a_topic} of {outside} outside IOM given "
        f"a topic ({outside_given_a_topic / outside:.1%})"
    )
    print(
        f"hold-outs together: {right / in_domain:.1%} of in-domain right; {small_talk} small talk"
    )
    assert wrong_topic <= HOLDOUT_WRONG_TOPICS
    assert outside_given_a_topic <= HOLDOUT_OUTSIDE_GIVEN_A_TOPIC
    assert wrong_topic / in_domain <= MAX_WRONG_TOPIC_RATE
    assert outside_given_a_topic / outside <= MAX_OUTSIDE_TOPIC_RATE
    assert right / in_domain >= MIN_IN_DOMAIN_RATE
    assert small_talk == 0


def test_out_of_domain_questions_never_get_a_confident_answer_in_the_first_set(answerer):
    wrong = [
        item["q"]
        for item in load_questions("questions.yaml")
        if item["topic"] is None and answerer.answer(Query(text=item["q"])).kind is ReplyKind.TOPIC
    ]
    assert wrong == []


def test_every_out_of_scope_question_is_shown_how_to_reach_people(answerer: Answerer, content):
    # Whatever the reply, it gives the phone number and the website, from the content: a reply
    # without a topic, a topic found by search (which may not be what was asked), or the topic
    # that gives them itself.
    giver = next(t.command for t in content.topics if t.text("en").reach_us)
    for name in (*TUNED, *HOLDOUTS):
        for item in load_questions(name):
            if item["topic"] is not None:
                continue
            reply = answerer.answer(Query(text=item["q"]))
            if (
                reply.kind is ReplyKind.SMALLTALK
            ):  # "ありがとう！": not a question, answered as such
                continue
            reach_us = content.reach_us(reply.language)
            shown = reply.topic == giver or all(block in reply.blocks for block in reach_us)
            assert reach_us and shown, item["q"]
