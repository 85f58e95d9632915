"""The conversation content (content/conversation/<code>.yaml): each kind of broken file gets
its message with file and line, and what is recognised on the shipped content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iombot.core.answerer import Answerer
from iombot.core.content import check_content, default_content_dir, load_content, string_warnings
from iombot.core.conversation import canonical, talk_terms
from iombot.core.reply import Paragraph, Query, ReplyKind, plain_text
from iombot.core.search import stem

FIXTURES = Path(__file__).parents[1] / "fixtures"

GOOD = """\
greeting:
  say: Hello!
  menu: true
  phrasings: [hello, hi]
person:
  say: You can ask the people of the office.
  phrasings: [can i talk to a human]
urgent:
  say: Call 110 now.
  phrasings: [help me]
  signals: [took my passport]
language:
  phrasings: ["{language} please"]
  others: [klingon]
"""

BROKEN = {
    # what replaces GOOD, the line of the problem, words of its message
    "not a mapping": ("- hello\n- hi\n", 1, "must be a mapping of intents"),
    "intent name": (GOOD + "Small-Talk:\n  say: hi\n  phrasings: [x]\n", 15, "use a lowercase"),
    "intent not a mapping": (GOOD + "thanks: [thank you]\n", 15, "must be a mapping"),
    "unknown field": (
        GOOD + "thanks:\n  say: You're welcome.\n  colour: red\n  phrasings: [thanks]\n",
        17,
        "colour",
    ),
    "say not text": (GOOD + "thanks:\n  say: [a, b]\n  phrasings: [thanks]\n", 16, "'say' must be"),
    "flag not a boolean": (
        GOOD + "thanks:\n  say: ok\n  menu: maybe\n  phrasings: [thanks]\n",
        17,
        "'menu' must be true or false",
    ),
    "phrasings not a list": (
        GOOD + "thanks:\n  say: ok\n  phrasings: thanks\n",
        17,
        "'phrasings' must be a list",
    ),
    "signals elsewhere": (
        GOOD + "thanks:\n  say: ok\n  phrasings: [thanks]\n  signals: [x]\n",
        18,
        "only 'urgent' has signals",
    ),
    "language without its slot": (
        GOOD.replace('"{language} please"', '"english please"'),
        13,
        "names the language as {language}",
    ),
    "people elsewhere": (
        GOOD + "thanks:\n  say: ok\n  phrasings: [thanks]\n  people: [staff]\n",
        18,
        "only 'person' has people",
    ),
    "asks elsewhere": (
        GOOD + "thanks:\n  say: ok\n  phrasings: [thanks]\n  asks: ['{people} please']\n",
        18,
        "only 'person' has asks",
    ),
    "asks without the person": (
        GOOD.replace("  phrasings: [can i talk to a human]", "  asks: [talk to staff]"),
        7,
        "names the person once, as {people}",
    ),
    "invalid yaml": (GOOD + "thanks:\n  say: [unclosed\n", 17, "invalid YAML"),
}


def content_with(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", folder)
    (folder / "conversation").mkdir()
    (folder / "conversation" / name).write_text(text, encoding="utf-8")
    return folder


def test_a_good_conversation_file_is_valid(tmp_path):
    folder = content_with(tmp_path, "en.yaml", GOOD)
    assert [p for p in check_content(folder) if "conversation" in p.path] == []
    conversation = load_content(folder).conversation
    assert conversation.intent("greeting", "en").menu is True


@pytest.mark.parametrize(("case", "expected"), BROKEN.items(), ids=list(BROKEN))
def test_each_broken_conversation_file_gets_its_message_and_line(tmp_path, case, expected):
    text, line, words = expected
    folder = content_with(tmp_path, "en.yaml", text)
    problems = [p for p in check_content(folder) if p.path.endswith("conversation/en.yaml")]
    assert problems, f"{case}: no problem reported"
    assert any(p.line == line and words in p.message for p in problems), problems


def test_a_phrasing_written_for_two_intents_is_named(tmp_path):
    # "hey" and "hey?" are one phrasing as compared: only one intent can have it.
    text = GOOD.replace("phrasings: [hello, hi]", "phrasings: [hello, hi, hey]")
    text += "are_you_there:\n  say: Yes.\n  phrasings: ['hey?', anyone there]\n"
    folder = content_with(tmp_path, "en.yaml", text)
    warnings = string_warnings(load_content(folder))
    assert [w.message for w in warnings if "hey" in w.message] == [
        "are_you_there: the phrasing 'hey?' is 'greeting''s too (en.yaml): it is recognised as "
        "one of them only"
    ]
    assert not any("anyone there" in w.message for w in warnings)


def test_a_file_for_a_language_not_registered_is_named(tmp_path):
    folder = content_with(tmp_path, "xx.yaml", GOOD)
    problems = check_content(folder)
    assert any(
        p.path.endswith("conversation/xx.yaml") and "'xx' is not a language" in p.message
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how", "how"),  # a word ending in w keeps it (Japanese laughter is trimmed, not this)
        ("Wow!", "wow"),
        ("What's new?", "whats new"),
        ("ありがとうｗｗｗ", "ありがとう"),
        ("ありがとう笑", "ありがとう"),
        ("  Hello ,  there!! ", "hello there"),
    ],
)
def test_canonical_form_of_a_message(text, expected):
    assert canonical(text) == expected


@pytest.fixture(scope="module")
def shipped() -> Answerer:
    return Answerer(load_content(default_content_dir()))


def test_two_questions_one_declined_get_the_answer_and_the_part_named(shipped: Answerer):
    # The issue's own example: when IOM was founded is in the content, the staff count is not.
    reply = shipped.answer(
        Query(text="When was IOM founded, and how many people work at the Tokyo office?")
    )
    assert reply.kind is ReplyKind.TOPIC and reply.topic == "about"
    said = [plain_text(b.spans) for b in reply.blocks if isinstance(b, Paragraph)]
    assert any("how many people work at the Tokyo office" in s for s in said), said
    assert any("03-3595-2487" in s for s in said)  # and how to reach people


def test_a_declined_question_is_not_split_where_a_part_points_back(shipped: Answerer):
    # "who is eligible for it" alone is not a question about the leaders.
    reply = shipped.answer(
        Query(text="What's the budget for the return programme, and who is eligible for it?")
    )
    assert reply.kind is not ReplyKind.TOPIC


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # A person who speaks a language, asked for: the handoff, not the bot's language.
        ("ネパール語のわかる人と話せますか", ReplyKind.PERSON),
        ("Any staff speak Portuguese? I want to talk to a person", ReplyKind.PERSON),
        # The bot asked to speak it, or to switch: the language.
        ("ネパール語は話せますか", ReplyKind.LANGUAGE),
        ("could you reply in japanese please", ReplyKind.LANGUAGE),
        # A person asked for in one sentence outranks the complaint in the other.
        ("機械じゃ話にならない。人出して", ReplyKind.PERSON),
        ("this bot is useless.", ReplyKind.SMALLTALK),
        # Sentences each small talk are small talk; a question after a greeting is not.
        ("お元気ですか？今日は忙しいですか", ReplyKind.SMALLTALK),
        ("Hello! When was IOM founded?", ReplyKind.TOPIC),
    ],
)
def test_what_a_message_of_talk_is(shipped: Answerer, text: str, kind: ReplyKind):
    assert shipped.answer(Query(text=text)).kind is kind


def test_words_with_diacritics_and_of_other_scripts_are_words_of_the_talk():
    # [a-z0-9] alone cut "chào" into "ch" and "o", and saw no Korean or Nepali word at all.
    assert {"xin", "chao", "ban"} <= set(talk_terms("Xin chào bạn!", stem))
    assert {"obrigado", "ate", "amanha"} <= set(talk_terms("Obrigado, até amanhã", stem))
    assert "감사합니다" in talk_terms("감사합니다", stem)
    assert "धन्यवाद" in talk_terms("धन्यवाद!", stem)
    # English and Japanese terms as before: words, pairs, kana and kanji bigrams.
    assert talk_terms("thank you", stem) == {"thank": 1.0, "you": 1.0, "thank you": 0.5}
    assert {"あり", "りが", "がと"} <= set(talk_terms("ありがとう", stem))


# A person intent that knows few phrasings, so that what its `asks` find is theirs.
ASKS = GOOD.replace(
    "  phrasings: [can i talk to a human]",
    "  phrasings: [can i talk to a human]\n"
    "  people: [staff, person, 人, 方, 担当, 中の人]\n"
    '  asks: ["speak to {people}", "{people} available", "{people}つな", "{people}出て",'
    ' "{people}お願い", "わかる{people}", "{people} ... i could speak", "Let’s ring {people}"]',
)


@pytest.mark.parametrize(
    ("text", "person"),
    [
        # The request around a person, whatever it is about, whatever is between.
        ("Can I speak to the person in charge of refugee resettlement?", True),
        ("speaking to staff about my visa", True),
        ("is any staff from IOM available now", True),
        ("lets ring the staff tomorrow morning", True),  # a request compared as messages are
        ("is there a person in charge of resettlement i could speak to", True),  # `...`: 5
        ("is there a person in charge of resettlement in tokyo i could speak to", False),
        ("恐れ入りますが、ご担当者様におつなぎいただけますでしょうか", True),
        ("中の人出てきて", True),
        ("日本語のわかる人と話せますか", True),
        # A person named without a request, or a request without a person.
        ("how many staff work at the office", False),
        ("please speak slowly", False),
        ("the person in charge is available on monday?", False),  # three words between
        # A person word inside a longer word is none: 外国人, 読み方, 人数.
        ("外国人お願い", False),
        ("読み方もお願いします", False),
        ("わかる人数", False),
    ],
)
def test_a_person_asked_for_around_one_of_the_people(tmp_path, text, person):
    folder = content_with(tmp_path, "en.yaml", ASKS)
    assert [p for p in check_content(folder) if "conversation" in p.path] == []
    reply = Answerer(load_content(folder)).answer(Query(text=text))
    assert (reply.kind is ReplyKind.PERSON) is person, reply.kind
