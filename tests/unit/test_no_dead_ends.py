"""No dead ends: every reply that is not a confident answer says how to reach IOM Tokyo people,
in the user's language, from the content; questions typed in kana find content in kanji; and a
subject the content says it does not answer gets no topic that merely shares its other words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iombot.core.answerer import Answerer
from iombot.core.content import check_content, load_content
from iombot.core.readings import fold_kana
from iombot.core.reply import Link, Paragraph, Phone, Query, ReplyKind

FIXTURES = Path(__file__).parents[1] / "fixtures"

NOT_CONFIDENT = [
    ("how do I apply for a visa?", ReplyKind.SUGGESTIONS),
    ("ビザの申請方法を教えて", ReplyKind.SUGGESTIONS),
    ("/nosuchcommand", ReplyKind.UNKNOWN_COMMAND),
    ("   ", ReplyKind.EMPTY),
    ("asdf qwerty zxcv", ReplyKind.SUGGESTIONS),
]


def spans_of(reply) -> list:
    return [span for block in reply.blocks if isinstance(block, Paragraph) for span in block.spans]


@pytest.mark.parametrize(("text", "kind"), NOT_CONFIDENT)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_reply_without_an_answer_gives_the_phone_the_website_and_the_menu(
    ask, content, text, kind, language
):
    reply = ask(text, language=language)
    assert reply.kind is kind and reply.language == language
    reach_us = content.reach_us(language)
    assert reach_us and all(block in reply.blocks for block in reach_us)
    spans = spans_of(reply)
    assert any(isinstance(s, Phone) and s.number == "+81-3-3595-2487" for s in spans)
    assert any(isinstance(s, Link) and s.url == "https://www.japan.iom.int/" for s in spans)
    assert len(reply.buttons) >= 1  # and the topic menu, as buttons and as a list


def test_the_contact_route_comes_from_the_content_not_the_code(tmp_path, content):
    folder = tmp_path / "content"
    shutil.copytree(Path(content.topics[0].path).parent, folder)
    contact = folder / "contact.yaml"
    contact.write_text(
        contact.read_text(encoding="utf-8").replace(
            "03-3595-2487](tel:+81-3-3595-2487)", "03-0000-0000](tel:+81-3-0000-0000)"
        ),
        encoding="utf-8",
    )
    reply = Answerer(load_content(folder)).answer(Query(text="how do I apply for a visa?"))
    assert any(isinstance(s, Phone) and s.number == "+81-3-0000-0000" for s in spans_of(reply))


def test_content_without_a_contact_route_still_answers(tmp_path):
    # reach_us is optional: content for another office may have none.
    reply = Answerer(load_content(FIXTURES / "good")).answer(Query(text="zzz qqq"))
    assert reply.kind is ReplyKind.SUGGESTIONS and reply.buttons


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("でんわばんごう", "contact"),  # 電話番号, typed without conversion
        ("れんらくさきをおしえて", "contact"),  # 連絡先
        ("ﾃﾞﾝﾜﾊﾞﾝｺﾞｳ", "contact"),  # half-width katakana
        ("ほーむぺーじ", "contact"),  # long vowels as ー
        ("ほうむぺえじ", "contact"),  # ... or spelt out
        ("じんしんとりひき", "work"),  # 人身取引
        ("こくさいいじゅうきかんってなに", "about"),
        ("トラフィッキング", "work"),  # a loanword the content gives as a keyword
        # Typed in romaji, read as kana:
        ("denwa bangou oshiete kudasai", "contact"),
        ("IOM no jimukyokuchou wa dare desu ka", "leaders"),
        ("kokuren ni itsu haitta no?", "un"),
        ("jinshin torihiki", "work"),
        ("wangan sensou no toki nihon wa nani wo shita?", "history"),
    ],
)
def test_questions_in_kana_find_content_in_kanji(ask, text, topic):
    reply = ask(text)
    assert reply.kind is ReplyKind.TOPIC and reply.topic == topic, reply.suggestions


def test_kana_are_folded_for_matching():
    assert fold_kana("ホームページ") == fold_kana("ほーむぺーじ") == fold_kana("ほうむぺえじ")
    assert fold_kana("にっぽん") == fold_kana("にほん")
    assert fold_kana("IOM 2016") == "IOM 2016"


@pytest.mark.parametrize(
    "text",
    [
        "how much does the director general get paid",  # leaders' words, and pay
        "事務局長の給料はいくら？",
        "what are your opening hours",
        "東京事務所の住所を教えて",
        "can i donate to iom",
    ],
)
def test_a_subject_the_content_does_not_cover_gets_no_topic(ask, text):
    reply = ask(text)
    assert reply.kind is ReplyKind.SUGGESTIONS and reply.topic is None


def test_the_not_covered_file_is_checked(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", folder)
    (folder / "_not_covered.yaml").write_text(
        "- subject: jobs\n  en: [jobs]\n- subject: visas\n  en: [visa]\n  ja: [ビザ]\n  fr: [visa]\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_content(folder)]
    assert len(problems) == 1, problems  # one language is enough: en alone is fine
    assert "_not_covered.yaml:6: language 'fr' is not in languages.yaml" in problems[0]
    (folder / "_not_covered.yaml").write_text("subject: not a list\n", encoding="utf-8")
    assert any("must be a list of subjects" in str(p) for p in check_content(folder))


def test_reach_us_is_given_once_in_every_language(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", folder)
    for name in ("alpha.yaml", "beta.yaml"):
        path = folder / name
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "\nja:", "\n  reach_us: Call [03-1111-2222](tel:+81-3-1111-2222).\nja:", 1
            ),
            encoding="utf-8",
        )
    problems = [str(p) for p in check_content(folder)]
    assert any("reach_us is already given by" in p for p in problems), problems
    assert any("ja.reach_us is missing" in p for p in problems), problems


def test_a_topic_found_by_search_ends_with_the_contact_route_a_named_one_does_not(ask, content):
    reach_us = content.reach_us("en")
    searched = ask("when did iom start working in japan")
    assert searched.topic == "history" and searched.blocks[-len(reach_us) :] == reach_us
    named = ask("/history")
    assert named.topic == "history" and not any(block in named.blocks for block in reach_us)
    # The contact topic itself says it already: not twice.
    contact = ask("what is your phone number")
    assert (
        contact.topic == "contact"
        and contact.blocks == content.by_command()["contact"].text("en").blocks
    )


def test_the_dictionary_is_loaded_in_a_child_process_never_in_the_bot_s():
    # A process that has loaded the Japanese dictionary stays heavier and slower (core/readings.py).
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from iombot.core.answerer import Answerer\n"
        "from iombot.core.content import default_content_dir, load_content\n"
        "from iombot.core.reply import Query\n"
        "a = Answerer(load_content(default_content_dir()))\n"
        "print(a.answer(Query(text='でんわばんごう')).topic, 'sudachipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["contact", "False"]


def _with_not_covered(tmp_path: Path, text: str) -> Answerer:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", folder)
    (folder / "_not_covered.yaml").write_text(text, encoding="utf-8")
    return Answerer(load_content(folder))


def test_a_whole_not_covered_phrase_rules_out_a_topic_even_when_its_words_are_the_topics(
    tmp_path,
):
    # "first topic" and 最初 are the alpha topic's words: as single words they say nothing, but
    # the whole phrase names what the content does not answer.
    answerer = _with_not_covered(
        tmp_path,
        "- subject: rankings\n  en: [which topic came first]\n  ja: [最初の人]\n",
    )
    for text in ("which topic came first in the ranking", "最初の人は誰？"):
        assert answerer.answer(Query(text=text)).topic is None, text
    for text in ("what is the first topic", "最初のトピックは？"):
        assert answerer.answer(Query(text=text)).topic == "alpha", text


def test_a_not_covered_phrase_that_a_topic_itself_uses_rules_nothing_out(tmp_path):
    answerer = _with_not_covered(
        tmp_path, "- subject: alpha\n  en: [first test topic]\n  ja: [ビザ]\n"
    )
    assert answerer.answer(Query(text="tell me about the first test topic")).topic == "alpha"


def test_english_contractions_are_grammar_not_words(ask):
    # "I'm" once left an "m" that weighed like an unknown word and sank the answer.
    assert ask("I'm new here, what's IOM and what's it trying to achieve?").topic == "about"
