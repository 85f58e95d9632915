"""Search terms per script (core/analysers.py), chosen by the language registry; and a content
folder with a language of each script added as data only, searched in each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iombot.core.analysers import (
    analysers,
    devanagari_terms,
    fold_latin,
    han_terms,
    hangul_terms,
    snowball,
)
from iombot.core.answerer import Answerer
from iombot.core.content import load_content
from iombot.core.languages import Language, Languages
from iombot.core.reply import Query, ReplyKind
from iombot.core.scripts import HAN, HANGUL, JAPANESE
from iombot.core.search import stem

FIXTURES = Path(__file__).parents[1] / "fixtures"

EN = Language("en", "English", "English", "latin", "english")
JA = Language("ja", "日本語", "Japanese", "japanese")
FR = Language("fr", "Français", "French", "latin", "french")
VI = Language("vi", "Tiếng Việt", "Vietnamese", "latin")
ZH = Language("zh", "中文", "Chinese", "han")
KO = Language("ko", "한국어", "Korean", "hangul")
HI = Language("hi", "हिन्दी", "Hindi", "devanagari")


def test_latin_folds_diacritics_and_leaves_other_text_as_it_is():
    assert fold_latin("Numéro de téléphone") == "Numero de telephone"
    assert fold_latin("Straße, Đà Nẵng, Łódź") == "Strasse, Da Nang, Lodz"
    text = "phone number 電話番号"
    assert fold_latin(text) is text  # nothing to fold: no work


def test_a_snowball_stemmer_per_language():
    assert snowball("french")("telephone") == snowball("french")("telephones") == "telephon"
    assert snowball("portuguese")("telefones") == "telefon"


def test_han_is_character_bigrams_and_unigrams():
    assert han_terms("电话号码？") == {
        "电话": 1.0,
        "话号": 1.0,
        "号码": 1.0,
        "电": 0.15,
        "话": 0.15,
        "号": 0.15,
        "码": 0.15,
    }
    assert han_terms("IOM 是") == {"是": 1.0}  # a character alone is all there is
    assert han_terms("phone") == {}


def test_hangul_is_each_word_and_its_syllable_bigrams():
    assert hangul_terms("전화번호는 뭐예요") == {
        "전화": 1.0,
        "화번": 1.0,
        "번호": 1.0,
        "호는": 1.0,
        "전화번호는": 0.5,
        "뭐예": 1.0,
        "예요": 1.0,
        "뭐예요": 0.5,
    }


def test_devanagari_is_words_split_on_spaces_punctuation_and_danda():
    assert devanagari_terms("फ़ोन नंबर क्या है।आईओएम, टोक्यो") == {
        "फ़ोन": 1.0,
        "नंबर": 1.0,
        "क्या": 1.0,
        "है": 1.0,
        "आईओएम": 1.0,
        "टोक्यो": 1.0,
    }


def test_the_registry_chooses_each_language_s_analyser():
    today = analysers(Languages((EN, JA), "en"), stem)
    assert today["en"].stem is stem and today["ja"].stem is stem  # Latin words: English
    assert today["en"].fold("é") == "é"  # English: its tuned pipeline, unfolded
    assert today["en"].han == today["ja"].han == JAPANESE and today["en"].romaji
    assert today["en"].scripts == frozenset()
    more = analysers(Languages((EN, JA, FR, VI, ZH, KO, HI), "en"), stem)
    assert more["fr"].stem("téléphones") != "téléphones" and more["fr"].fold("é") == "e"
    assert more["fr"].vocabulary == "french" and more["en"].vocabulary == "english"
    assert more["vi"].stem("điện") == "điện" and more["vi"].vocabulary == ""
    assert more["zh"].han == more["en"].han == HAN and more["ja"].han == JAPANESE
    assert more["ko"].stem is stem  # Latin words in Korean text: the default's stemmer
    assert more["en"].scripts == {HANGUL, "devanagari"}
    assert not analysers(Languages((EN, FR), "en"), stem)["fr"].romaji  # no Japanese


# --- a folder with a language of each script, added as data ---------------------------------

REGISTRY = """
  - {code: fr, name: Français, english_name: French, script: latin, stemmer: french}
  - {code: vi, name: Tiếng Việt, english_name: Vietnamese, script: latin}
  - {code: zh, name: 中文, english_name: Chinese, script: han}
  - {code: ko, name: 한국어, english_name: Korean, script: hangul}
  - {code: hi, name: हिन्दी, english_name: Hindi, script: devanagari}
"""
ALPHA = """fr:
  title: Numéros de téléphone
  summary: Les numéros
  body: Appelez le bureau de Tokyo aux numéros de téléphone.
vi:
  title: Số điện thoại
  summary: Số điện thoại
  body: Gọi văn phòng Tokyo theo số điện thoại.
zh:
  title: 电话号码
  summary: 办事处的电话号码
  body: 请拨打东京办事处的电话号码。
ko:
  title: 전화번호
  summary: 사무소 전화번호
  body: 도쿄 사무소 전화번호로 전화하세요.
hi:
  title: फ़ोन नंबर
  summary: कार्यालय का फ़ोन नंबर
  body: टोक्यो कार्यालय को फ़ोन नंबर पर कॉल करें।
"""


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Answerer:
    folder = tmp_path_factory.mktemp("many") / "content"
    shutil.copytree(FIXTURES / "good", folder)
    registry = folder / "languages.yaml"
    shipped = registry.read_text(encoding="utf-8")
    # Those the shipped registry (which the fixture links) does not list already.
    more = [
        line
        for line in REGISTRY.splitlines()
        if line and f"- code: {line.split(',')[0].split()[-1]}\n" not in shipped
    ]
    registry.write_text(shipped + "\n" + "\n".join(more) + "\n", encoding="utf-8")
    alpha = folder / "alpha.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8") + ALPHA, encoding="utf-8")
    return Answerer(load_content(folder))


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("le numero de telephone du bureau", "fr"),  # typed without accents: folded alike
        ("quel est le numéro de téléphone ?", "fr"),
        ("số điện thoại văn phòng", "vi"),
        ("办事处电话号码", "zh"),
        ("사무소 전화번호는요?", "ko"),
        ("कार्यालय का फ़ोन नंबर क्या है?", "hi"),
    ],
)
def test_a_question_in_each_script_finds_the_topic_written_in_it(many, question, language):
    reply = many.answer(Query(text=question, language=language))
    assert reply.language == language
    matches = many._library.own(language).index.search(question, language=language)
    assert matches and matches[0].topic.command == "alpha", matches
    assert reply.kind is ReplyKind.TOPIC and reply.topic == "alpha"


def test_the_script_decides_the_language_of_a_question_without_a_choice(many):
    assert many.answer(Query(text="办事处电话号码")).language == "zh"
    assert many.answer(Query(text="전화번호")).language == "ko"
    assert many.answer(Query(text="アルファとは？")).language == "ja"


def test_chinese_text_is_not_read_as_japanese(many):
    readings = many._library.index._readings
    many.answer(Query(text="办事处电话号码"))  # Chinese's own index made
    assert not any("电话" in text for text in many._library.own("zh").index._readings)
    assert not any("电话" in text for text in readings)
    assert any("アルファ" in text for text in readings)  # the Japanese still is
