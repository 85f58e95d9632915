"""Which language a question is written in, as a new user asks it (no choice, maybe a locale):
the script of most of its letters (scripts.py), then for Latin letters CLD2 and the content's
own words (identify.py), then the platform's locale, then the default."""

from __future__ import annotations

import pytest

from iombot.core.identify import LatinIdentifier, shared_names, words_of
from iombot.core.languages import Language, Languages
from iombot.core.scripts import DEVANAGARI, HAN, HANGUL, JAPANESE, deciding_script

EN = Language("en", "English", "English", "latin", "english")
JA = Language("ja", "日本語", "Japanese", "japanese")
VI = Language("vi", "Tiếng Việt", "Vietnamese", "latin")
PT = Language("pt", "Português", "Portuguese", "latin", "portuguese")
ID = Language("id", "Bahasa Indonesia", "Indonesian", "latin", "indonesian")
TL = Language("fil", "Filipino", "Filipino", "latin")  # CLD2 calls it tl
ZH = Language("zh", "中文", "Chinese", "han")
NE = Language("ne", "नेपाली", "Nepali", "devanagari")

LATIN = Languages(all=(EN, JA, VI, PT, ID, TL), default="en")


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("what is your phone number", None),
        ("電話番号", HAN),
        ("電話番号を教えて", JAPANESE),
        ("IOMのwebsiteのURLは？", JAPANESE),  # Japanese with English words stays Japanese
        ("IOM Tokyo有facebook吗", HAN),
        ("IOM 도쿄 사무소 전화번호", HANGUL),
        # A few kanji in a Vietnamese, Filipino or Nepali question decide nothing.
        ("IOM東京 có số điện thoại không?", None),
        ("Số điện thoại của IOM 東京 là gì", None),
        ("Paano mag-renew ng ビザ ko as caregiver?", None),
        ("日本 मा IOM को फोन नम्बर कति हो?", DEVANAGARI),
        ("मेरो student ビザ सकिन लाग्यो, कसरी renew गर्ने?", DEVANAGARI),
        # Hangul and Devanagari decide wherever they stand, even among more English words.
        ("IOM Tokyo को chief of mission को हो", DEVANAGARI),
        ("IOM Tokyo phone number 알려주세요", HANGUL),
    ],
)
def test_the_script_of_most_of_the_text_decides(text, script):
    assert deciding_script(text) == script


def test_a_vietnamese_question_with_kanji_is_not_chinese():
    languages = Languages(all=(EN, JA, VI, ZH, NE), default="en")
    assert languages.from_script("IOM東京 có số điện thoại không?") is None
    assert languages.from_script("IOM东京的电话号码是多少？") == "zh"
    assert languages.from_script("日本 मा IOM को फोन नम्बर कति हो?") == "ne"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Qual é o número de telefone do escritório da IOM em Tóquio?", "pt"),
        ("Số điện thoại của văn phòng IOM Tokyo là gì vậy?", "vi"),
        ("Berapa nomor telepon kantor IOM di Tokyo?", "id"),
        ("Ano po ang ginagawa ng opisina ng IOM sa Tokyo ngayon?", "fil"),
        ("What does the IOM office in Tokyo do these days?", "en"),
    ],
)
def test_cld2_tells_the_registered_latin_languages_apart(text, code):
    assert LatinIdentifier(LATIN)(text) == code


def test_romaji_and_what_cannot_be_told_are_left_to_the_locale_and_the_default():
    identify = LatinIdentifier(LATIN, romaji=lambda text, known: "desu" in text)
    assert identify("IOM no denwa bangou wa nan desu ka") is None  # romaji: no Latin language
    assert identify("IOM Tokyo") is None  # a name says nothing
    for text, locale, expected in [
        ("IOM no denwa bangou wa nan desu ka", "ja", "ja"),  # as before: the locale's
        ("IOM no denwa bangou wa nan desu ka", None, "en"),
        ("Qual é o número de telefone do escritório?", "vi", "pt"),  # written in it: pt
        ("What does the IOM office in Tokyo do these days?", "pt-BR", "pt"),  # English: as before
        ("What does the IOM office in Tokyo do these days?", None, "en"),
        ("website?", "vi", "vi"),  # too short to tell
        ("website?", None, "en"),
    ]:
        assert LATIN.resolve(None, locale, text, identify) == expected, text
    assert LATIN.resolve("ja", "vi", "Qual é o número?", identify) == "ja"  # a choice wins


def test_the_content_s_own_words_decide_what_cld2_gets_wrong():
    words = {  # each language's words as often as its texts use them
        "vi": ["la", "ai", "vay", "gi"] * 20,
        "pt": ["que", "e", "a"] * 20,
        "en": ["who", "is", "the"] * 20,
    }
    identify = LatinIdentifier(LATIN, names=("amy", "pope"), words=words)
    assert identify("Amy Pope la ai vay") == "vi"  # CLD2 alone: Portuguese
    assert LatinIdentifier(LATIN, names=("amy", "pope"))("Amy Pope la ai vay") == "pt"


def test_nepali_in_latin_letters_is_told_by_the_nepali_content_s_latin_words():
    # CLD2 does not know Nepali typed in Latin letters; the Nepali content's asked questions
    # are typed so. Where CLD2 names a language those words make far less likely, the likeliest.
    nepali = Languages(all=(EN, JA, VI, PT, ID, TL, NE), default="en")
    words = {
        "ne": ["ko", "ho", "k", "cha", "kati", "garne"] * 20,
        "tl": ["ko", "ang", "po"] * 20,
        # English's texts are many times Nepali's: each English word a smaller share of them.
        "en": ["who", "is", "the", "director", "general"] * 20 + [f"w{n}" for n in range(3000)],
    }
    identify = LatinIdentifier(nepali, names=("iom",), words=words)
    assert identify("IOM ko director general ko ho?") == "ne"
    assert identify("who is the director general?") in ("en", None)  # English, as before
    assert LatinIdentifier(nepali, names=("iom",))("IOM ko director general ko ho?") != "ne"
    # CLD2 cannot tell at all: the Nepali content's words, well ahead, decide for Nepali (a
    # language CLD2 never reads in Latin letters).
    assert identify("IOM ko ho") == "ne"  # ahead of Filipino by e^3.7, of English by e^9.5


def test_with_no_latin_language_but_the_default_nothing_is_identified():
    identify = LatinIdentifier(Languages(all=(EN, JA, ZH), default="en"))
    assert not identify.useful
    assert identify("Qual é o número de telefone do escritório da IOM em Tóquio?") is None


def test_names_are_the_words_of_three_languages_texts():
    texts = {
        "en": ["IOM Tokyo is led by Daihei Mochizuki"],
        "vi": ["IOM Tokyo do ông Daihei Mochizuki đứng đầu"],
        "pt": ["A IOM Tokyo é dirigida por Daihei Mochizuki"],
    }
    assert shared_names(texts) == {"iom", "tokyo", "daihei", "mochizuki"}
    assert words_of("Số điện thoại, Tóquio") == ["so", "dien", "thoai", "toquio"]
