"""Each language searched apart (core/views.py): English and Japanese together, as they always
were, untouched by the other languages' texts; every other language in its own index, made when
a question is first written in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from iombot.core.answerer import Answerer, _views
from iombot.core.content import default_content_dir, load_content
from iombot.core.reply import Query, ReplyKind
from iombot.core.views import content_in, registry_of

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def shipped():
    return load_content(default_content_dir())


def test_the_default_and_japanese_are_searched_together(shipped):
    base = shipped.languages.searched_together
    assert base == {"en", "ja"}
    view = content_in(shipped, base, registry_of(shipped.languages, base))
    assert view.languages.codes == ("en", "ja")
    assert all(set(topic.texts) == {"en", "ja"} for topic in view.topics)
    assert {asked.language for asked in view.asked} == {"en", "ja"}
    assert set(view.conversation.intents) <= {"en", "ja"}
    assert all(set(entry.phrases) <= {"en", "ja"} for entry in view.not_covered)


def test_english_and_japanese_answers_are_those_of_english_and_japanese_alone(shipped):
    """Other languages added change no English or Japanese answer."""
    if set(shipped.languages.codes) <= {"en", "ja"}:
        pytest.skip("the shipped content has no other language")
    alone = content_in(shipped, {"en", "ja"}, registry_of(shipped.languages, {"en", "ja"}))
    every, en_ja = Answerer(shipped), Answerer(alone)
    questions = [  # every question and message of the earlier sets
        item["q"]
        for path in sorted(DATA.glob("*.yaml"))
        for item in yaml.safe_load(path.read_text("utf-8"))
    ]
    compared = 0
    for text in questions:
        reply = every.answer(Query(text=text))
        if reply.language not in ("en", "ja"):
            continue  # written in another language (「中文可以吗？」)
        before = en_ja.answer(Query(text=text))
        assert (reply.kind, reply.topic, reply.intent) == (before.kind, before.topic, before.intent)
        compared += 1
    assert compared > 2000


def test_another_language_s_index_is_made_when_first_asked_in_it(shipped):
    others = [lang.code for lang in shipped.languages if lang.code not in ("en", "ja")]
    if not others:
        pytest.skip("the shipped content has no other language")
    answerer = Answerer(shipped)
    library = answerer._library
    assert library.others == {}  # none made at load
    assert library.identify is not None and library.identify._source is not None  # nor read
    assert library.kanji is not None and library.kanji._content is not None
    code = others[0]
    contact = shipped.by_command()["contact"].text(code)
    reply = answerer.answer(Query(text=contact.title, language=code))
    assert reply.kind is ReplyKind.TOPIC and reply.topic == "contact"
    assert set(library.others) == {code}
    assert library.own(code) is library.others[code]  # kept with the content version
    assert set(library.own(code).index.topics[0].texts) <= {code, "en"}


def test_chinese_characters_alone_are_chinese_unless_written_as_japanese_writes_them(shipped):
    if "zh" not in shipped.languages:
        pytest.skip("no Chinese registered")
    answerer = Answerer(shipped)
    library = answerer._library
    # Forms the Japanese texts use and the Chinese do not (気, 務, 連, 電, 話): Japanese.
    for text, language in [
        ("元気？", "ja"),
        ("事務局長", "ja"),
        ("連絡先", "ja"),
        ("電話番号", "ja"),
        ("电话号码", "zh"),
        ("IOM东京的电话号码是多少？", "zh"),
    ]:
        assert library.written_in(text) == language, text
        assert answerer.answer(Query(text=text)).language == language, text
    assert answerer.answer(Query(text="元気？")).intent == "how_are_you"
    # Neither's forms alone: Chinese, then, if Chinese has no answer, read as Japanese.
    assert library.written_in("日本") == "zh"
    views = _views(library, "日本", "zh")
    assert [(v.searched, v.read_as) for v in views] == [
        (frozenset({"zh"}), "zh"),  # a language's own library reads in it
        (frozenset({"en", "ja"}), "ja"),
    ]


def test_a_question_in_another_language_is_read_in_it_whatever_the_reply_s(shipped):
    # A user who chose English (/lang en) and writes Indonesian: searched as Indonesian, in
    # Indonesian's own library, answered in English.
    answerer = Answerer(shipped)
    for language in (None, "en"):
        reply = answerer.answer(Query(text="Kapan IOM bergabung dengan PBB?", language=language))
        assert reply.topic == "un", (language, reply.kind)
    assert reply.language == "en"
