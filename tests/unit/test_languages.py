"""The language registry (content/languages.yaml): its loader's problems, and which language a
reply is in (an explicit choice, the script of the text, the platform's locale, the default)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iombot.bots.cli import main
from iombot.core.answerer import Answerer
from iombot.core.content import check_content, default_content_dir, load_content
from iombot.core.languages import Language, Languages
from iombot.core.reply import Query, ReplyKind, plain_text

FIXTURES = Path(__file__).parents[1] / "fixtures"

EN = Language("en", "English", "English", "latin", "english", ("english",))
JA = Language("ja", "日本語", "Japanese", "japanese", None, ("japanese", "日本語"))
ZH = Language("zh", "中文", "Chinese", "han", None, ("chinese", "中文"))
KO = Language("ko", "한국어", "Korean", "hangul", None, ("korean",))
HI = Language("hi", "हिन्दी", "Hindi", "devanagari", None, ("hindi",))
PT_BR = Language("pt-br", "Português", "Portuguese", "latin", "portuguese")


def registry(*languages: Language) -> Languages:
    return Languages(all=languages, default=languages[0].code)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the good fixture, with its own (copied) languages.yaml to edit."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", target)
    return target


def write_registry(folder: Path, text: str) -> None:
    (folder / "languages.yaml").write_text(text, encoding="utf-8")


def problems_of(folder: Path) -> list[str]:
    return [str(problem) for problem in check_content(folder)]


# --- the loader -----------------------------------------------------------------------------------


def test_the_shipped_registry_is_english_and_japanese_english_first(content):
    languages = content.languages
    assert languages.codes[:2] == ("en", "ja") and languages.default == "en"
    assert [lang.name for lang in languages][:2] == ["English", "日本語"]
    assert languages.english_name("ja") == "Japanese"
    assert languages.named("ENGLISH") == "en" and languages.named("にほんご") == "ja"
    assert languages.is_help_word("ヘルプ") and not languages.is_help_word("contact")


def test_a_folder_without_languages_yaml_says_so_and_nothing_else(folder):
    (folder / "languages.yaml").unlink()
    [problem] = problems_of(folder)
    assert problem.endswith(
        "languages.yaml:0: languages.yaml not found: it lists the languages "
        "the content is written in (see README.md, Languages)"
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("- en\n", 1, "must be a mapping with default: and languages:"),
        (
            "languages:\n  - {code: en, name: E, english_name: E, script: latin}\n",
            1,
            "required field 'default' is missing",
        ),
        ("default: en\nlanguages: []\n", 2, "languages: list at least one language"),
        (
            "default: fr\nlanguages:\n  - {code: en, name: E, english_name: E, script: latin}\n",
            1,
            "default: 'fr' is not one of the languages listed",
        ),
        (
            "default: en\nlanguages:\n  - {code: EN, name: E, english_name: E, script: latin}\n",
            3,
            "code 'EN' is not a language code",
        ),
        (
            "default: en\nlanguages:\n  - {code: en, name: E, english_name: E, script: runic}\n",
            3,
            "script 'runic' must be one of latin, japanese, han, hangul, devanagari",
        ),
        (
            "default: en\nlanguages:\n"
            "  - {code: en, name: E, english_name: E, script: latin, stemmer: klingon}\n",
            3,
            "stemmer 'klingon' is not a Snowball stemmer",
        ),
        (
            "default: en\nlanguages:\n"
            "  - {code: en, name: E, english_name: E, script: latin}\n"
            "  - {code: ja, name: J, english_name: J, script: japanese, stemmer: english}\n",
            4,
            "stemmer: only a latin script is stemmed",
        ),
        (
            "default: en\nlanguages:\n"
            "  - {code: en, name: E, english_name: E, script: latin}\n"
            "  - {code: en, name: E, english_name: E, script: latin}\n",
            4,
            "code 'en' is listed twice",
        ),
        (
            "default: en\nlanguages:\n"
            "  - {code: en, name: E, english_name: E, script: latin, words: [ja]}\n"
            "  - {code: ja, name: J, english_name: J, script: japanese}\n",
            3,
            "word 'ja' of 'en' names 'ja' too",
        ),
        (
            "default: en\nlanguages:\n  - {code: en, name: E, script: latin}\n",
            3,
            "language: required field 'english_name' is missing",
        ),
        (
            "default: en\nlanguages:\n"
            "  - {code: en, name: E, english_name: E, script: latin, colour: red}\n",
            3,
            "language: unknown field 'colour'",
        ),
        (
            "default: en\nlanguages:\n"
            "  - {code: en, name: E, english_name: E, script: latin, reviewed: soon}\n",
            3,
            "language: 'reviewed' must be true or false, not text",
        ),
    ],
)
def test_each_registry_problem_is_named_with_its_line(folder, text, line, message):
    write_registry(folder, text)
    problems = problems_of(folder)
    assert len(problems) == 1, problems  # the registry's problems alone: no cascade
    assert f"languages.yaml:{line}: " in problems[0] and message in problems[0], problems


def test_a_topic_section_in_an_unregistered_language_is_an_error(folder):
    codes = ", ".join(load_content(folder).languages.codes)  # the registry's, English first
    assert codes.startswith("en, ja")
    alpha = folder / "alpha.yaml"
    alpha.write_text(
        alpha.read_text(encoding="utf-8") + "fr:\n  title: Alpha\n  summary: S\n  body: B\n",
        encoding="utf-8",
    )
    [problem] = problems_of(folder)
    assert f"alpha.yaml:22: language 'fr' is not in languages.yaml ({codes}): add it" in problem


def test_languages_yaml_is_not_a_topic_and_counts_in_the_version(folder):
    before = load_content(folder)
    assert [t.command for t in before.topics] == ["alpha", "beta"]
    registry_file = folder / "languages.yaml"
    registry_file.write_text(registry_file.read_text(encoding="utf-8") + "\n# edited\n")
    assert load_content(folder).version != before.version


# --- which language a reply is in -------------------------------------------------------------


def test_an_explicit_choice_wins_if_it_is_registered():
    languages = registry(EN, JA)
    assert languages.resolve("ja", "en", "phone") == "ja"
    assert languages.resolve("en", None, "電話番号") == "en"
    assert languages.resolve("fr", None, "phone") == "en"  # chosen once, no longer listed


def test_kana_is_japanese_and_han_alone_is_japanese_without_a_han_language():
    languages = registry(EN, JA)
    assert languages.resolve(None, "en", "でんわ") == "ja"
    assert languages.resolve(None, "en", "電話番号") == "ja"  # today's behaviour, unchanged
    assert languages.from_script("phone number") is None


def test_han_alone_is_the_han_language_when_one_is_registered():
    languages = registry(EN, JA, ZH)
    assert languages.resolve(None, None, "电话号码") == "zh"
    assert languages.resolve(None, None, "電話番号") == "zh"  # no kana: it could be either
    assert languages.resolve(None, None, "電話番号は？") == "ja"  # kana: Japanese
    assert registry(EN, ZH).resolve(None, None, "でんわ") == "en"  # kana, but no Japanese


def test_hangul_and_devanagari_decide_when_registered():
    languages = registry(EN, JA, KO, HI)
    assert languages.resolve(None, "en", "전화번호는?") == "ko"
    assert languages.resolve(None, "en", "फ़ोन नंबर क्या है?") == "hi"
    assert registry(EN, JA).resolve(None, None, "전화번호") == "en"  # no Korean: not decided


def test_the_locale_then_the_default():
    languages = registry(EN, JA, PT_BR)
    assert languages.resolve(None, "ja-JP", "phone") == "ja"
    assert languages.resolve(None, "pt_BR", "phone") == "pt-br"
    assert languages.resolve(None, "de", "phone") == "en"
    assert languages.resolve(None, None, "") == "en"
    assert registry(JA, EN).resolve(None, None, "phone") == "ja"  # the registry's default


# --- a topic not (yet) written in a language --------------------------------------------------


def without_japanese(folder: Path, name: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\nja:") + 1], encoding="utf-8")


def test_a_topic_may_lack_a_language_but_not_the_default(folder):
    without_japanese(folder, "beta.yaml")
    content = load_content(folder)
    beta = content.by_command()["beta"]
    assert not beta.has("ja") and beta.text("ja") is beta.text("en")


def test_a_topic_lacking_the_language_is_served_in_english_with_a_note(folder):
    without_japanese(folder, "beta.yaml")
    answerer = Answerer(load_content(folder))
    reply = answerer.answer(Query(text="/beta", language="ja"))
    assert reply.kind is ReplyKind.TOPIC and reply.language == "ja"
    assert reply.title == "Beta topic"
    note, *body = reply.blocks
    assert (
        plain_text(note.spans)
        == "このトピックはまだ日本語で用意されていません。英語でご案内します。"
    )
    assert plain_text(body[0].spans) == "Beta is the second topic."
    assert answerer.answer(Query(text="/alpha", language="ja")).title == "アルファ"  # no note
    assert answerer.answer(Query(text="/beta", language="en")).blocks == tuple(body)
    # The menu and the buttons in Japanese show beta's English title and summary.
    menu = answerer.answer(Query(text="/help", language="ja"))
    assert [b.label for b in menu.buttons] == ["アルファ", "Beta topic"]
    assert "The second test topic" in plain_text(menu.blocks[1].items[1])
    alpha = answerer.answer(Query(text="/alpha", language="ja"))
    assert [b.label for b in alpha.buttons] == ["Beta topic"]


# --- languages not yet reviewed by a person --------------------------------------------------------


def test_reviewed_is_true_unless_the_registry_says_false(folder):
    assert not {"en", "ja"} & set(load_content(folder).languages.unreviewed)
    text = (folder / "languages.yaml").read_text(encoding="utf-8")
    write_registry(
        folder,
        text.replace("    script: japanese\n", "    script: japanese\n    reviewed: false\n"),
    )
    languages = load_content(folder).languages
    assert "ja" in languages.unreviewed and "en" not in languages.unreviewed
    assert languages.get("en").reviewed and not languages.get("ja").reviewed


def test_a_reply_in_an_unreviewed_language_ends_with_the_note_in_it(folder, capsys):
    text = (folder / "languages.yaml").read_text(encoding="utf-8")
    write_registry(
        folder,
        text.replace("    script: japanese\n", "    script: japanese\n    reviewed: false\n"),
    )
    answerer = Answerer(load_content(folder))
    note = "この文章は、IOM東京がまだ確認していない翻訳です。"
    for text in ("/alpha", "/help", "/start", "/nosuchcommand", "", "/lang ja"):
        reply = answerer.answer(Query(text=text, language="ja"))
        assert plain_text(reply.blocks[-1].spans) == note, text
        assert sum(note in plain_text(getattr(b, "spans", ())) for b in reply.blocks) == 1
    assert plain_text(answerer.notice("empty", "ja").blocks[-1].spans) == note
    assert plain_text(answerer.topic_reply("alpha", "ja").blocks[-1].spans) == note
    for text in ("/alpha", "/help", ""):  # English is reviewed: no note
        reply = answerer.answer(Query(text=text, language="en"))
        assert not any(
            "not yet checked" in plain_text(getattr(b, "spans", ())) for b in reply.blocks
        )
    assert main(["check", str(folder)]) == 0
    assert "languages not yet reviewed by a person: ja (Japanese)" in capsys.readouterr().out


# --- choosing a language --------------------------------------------------------------------------

FRENCH = """
  - code: fr
    name: Français
    english_name: French
    script: latin
    stemmer: french
    words: [french, français, francais]
    help_words: [aide]
"""


@pytest.fixture
def french(folder: Path) -> Answerer:
    """The good fixture with French registered (no French text anywhere)."""
    registry_file = folder / "languages.yaml"
    registry_file.write_text(registry_file.read_text(encoding="utf-8") + FRENCH)
    return Answerer(load_content(folder))


def test_lang_offers_the_registry_s_languages_by_their_own_names(french):
    for text in ("/lang", "/lang klingon"):
        reply = french.answer(Query(text=text))
        buttons = [(b.label, b.action) for b in reply.buttons]
        assert buttons == [(lang.name, f"lang:{lang.code}") for lang in french.languages]
        assert buttons[:2] == [("English", "lang:en"), ("日本語", "lang:ja")]
        assert buttons[-1] == ("Français", "lang:fr")  # the registry's order
    unknown = french.answer(Query(text="/lang klingon"))
    assert plain_text(unknown.blocks[0].spans) == "I can answer in these languages; choose one:"


@pytest.mark.parametrize("word", ["fr", "FR", "french", "Français", "francais"])
def test_lang_takes_a_code_or_any_of_the_registry_s_words(french, word):
    reply = french.answer(Query(text=f"/lang {word}"))
    assert reply.chosen_language == "fr" and reply.language == "fr"
    # No French catalog: the words are the default language's, naming French as it is written.
    assert plain_text(reply.blocks[0].spans) == "I will answer in Français from now on."


def test_help_words_and_the_help_footer_come_from_the_registry(french):
    assert french.answer(Query(text="aide")).kind is ReplyKind.HELP
    assert french.answer(Query(text="ヘルプ")).kind is ReplyKind.HELP
    footer = french.answer(Query(text="/help")).blocks[-1]
    every = " · ".join(f"/lang {lang.code} ({lang.name})" for lang in french.languages)
    assert plain_text(footer.spans) == f"Change language: {every}"
    assert every.startswith("/lang en (English) · /lang ja (日本語) · ")
    assert every.endswith(" · /lang fr (Français)")


def test_lang_on_the_command_line_takes_the_registry_s_codes(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env; the checkout's content
    assert main(["ask", "--lang", "ja", "/lang"]) == 0
    assert "言語を選んでください" in capsys.readouterr().out
    assert main(["ask", "--lang", "xx", "/about"]) == 2
    codes = ", ".join(load_content(default_content_dir()).languages.codes)
    assert codes.startswith("en, ja")
    assert capsys.readouterr().err == f"iombot: --lang xx: the content's languages are {codes}\n"
