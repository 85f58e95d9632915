"""Realistic questions, written as people ask them: at least 95% must reach the expected topic,
and questions outside IOM must never get a confident answer."""

from __future__ import annotations

from pathlib import Path

import yaml

from iombot.core.answerer import Answerer
from iombot.core.reply import Query, ReplyKind

DATA = Path(__file__).parents[1] / "data"


REQUIRED_ACCURACY = 0.95


def load_questions() -> list[dict]:
    return yaml.safe_load((DATA / "questions.yaml").read_text(encoding="utf-8"))


def test_question_set_is_big_enough_and_half_japanese():
    questions = [q for q in load_questions() if q["topic"]]
    japanese = [q for q in questions if any("\u3040" <= ch <= "\u9fff" for ch in q["q"])]
    assert len(questions) >= 60
    assert len(japanese) * 2 >= len(questions)


def test_questions_reach_their_topic(answerer: Answerer, content):
    commands = {topic.command for topic in content.topics}
    misses = []
    questions = load_questions()
    for item in questions:
        assert item["topic"] is None or item["topic"] in commands, item
        reply = answerer.answer(Query(text=item["q"]))
        got = reply.topic if reply.kind is ReplyKind.TOPIC else None
        if got != item["topic"]:
            misses.append(f"{item['q']!r}: expected {item['topic']}, got {got} ({reply.kind})")
    accuracy = 1 - len(misses) / len(questions)
    print(f"\nquestion set: {accuracy:.1%} of {len(questions)} correct")
    print("\n".join(misses))
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)


def test_out_of_domain_questions_never_get_a_confident_answer(answerer: Answerer):
    wrong = [
        item["q"]
        for item in load_questions()
        if item["topic"] is None and answerer.answer(Query(text=item["q"])).kind is ReplyKind.TOPIC
    ]
    assert wrong == []
