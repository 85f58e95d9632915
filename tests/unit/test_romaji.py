"""Japanese typed in Latin letters is read as kana; English is left alone (core/romaji.py)."""

from __future__ import annotations

import pytest

from iombot.core.romaji import as_kana, romaji_as_kana
from iombot.core.search import _STOPWORDS

KNOWN = frozenset({"iom", "tokyo", "un", "name", "mochizuki", "phone", "number"})


def read(text: str) -> str | None:
    return romaji_as_kana(text, KNOWN.__contains__, _STOPWORDS)


@pytest.mark.parametrize(
    ("word", "kana"),
    [
        ("denwa", "でんわ"),
        ("bangou", "ばんごう"),
        ("jimukyokuchou", "じむきょくちょう"),
        ("zimukyokutyou", "じむきょくちょう"),  # kunrei: zi, tyo
        ("sinbun", "しんぶん"),
        ("tte", "って"),  # the colloquial particle
        ("kitte", "きって"),
        ("minna", "みんな"),  # nn before a vowel: ん and な, as written (a keyboard gives みんあ)
        ("kon'nichiwa", "こんにちわ"),  # ' marks the syllabic n
        ("hon'ya", "ほんや"),
    ],
)
def test_romaji_words_become_hiragana(word, kana):
    assert as_kana(word) == kana


@pytest.mark.parametrize("word", ["is", "what", "fax", "vietnam", "ok", "nh"])
def test_words_that_are_not_romaji_are_refused(word):
    assert as_kana(word) is None


def test_a_question_in_romaji_is_read_with_its_known_words_kept():
    assert read("iom tokyo no denwa bangou oshiete kudasai") == (
        "iom tokyo の でんわ ばんごう おしえて ください"
    )
    assert (
        read("kokuren ni haitta no wa 2016nen 9gatsu?")
        == "こくれん に はいった の わ 2016ねん 9がつ?"
    )
    assert read("iom wa itsu un ni haitta") == "iom わ いつ un に はいった"


def test_long_vowels_with_macrons_are_spelt_out():
    assert read("tōkyō no jimusho") == "とうきょう の じむしょ"


def test_one_word_is_enough_when_it_is_the_only_one_not_known():
    assert read("renrakusaki") == "れんらくさき"
    assert read("renrakusaki?") == "れんらくさき?"
    assert read("IOM denwabangou".lower()) == "iom でんわばんごう"


@pytest.mark.parametrize(
    "text",
    [
        "what is iom exactly? saw it on the news last night",
        "my name is kaito",  # one romaji name in an English sentence
        "phone number",  # known words only
        "no to",  # stopwords that are romaji too do not count
        "電話 denwa",  # not Latin letters only
        "",
    ],
)
def test_english_and_other_text_is_left_alone(text):
    assert read(text) is None
