"""Which Telegram language_code gets a command menu in which content language (menu_codes)."""

from __future__ import annotations

from iombot.bots.telegram.adapter import menu_codes
from iombot.core.languages import Language, Languages


def registry(*codes: str) -> Languages:
    return Languages(
        all=tuple(Language(code, code, code, "latin") for code in codes), default=codes[0]
    )


def test_the_default_is_everyones_and_each_two_letter_code_its_own():
    assert menu_codes(registry("en", "ja", "vi", "pt")) == {
        None: "en",
        "ja": "ja",
        "vi": "vi",
        "pt": "pt",
    }


def test_a_region_has_its_languages_menu_unless_that_language_is_there_too():
    assert menu_codes(registry("en", "pt-br")) == {None: "en", "pt": "pt-br"}
    assert menu_codes(registry("en", "pt-br", "pt")) == {None: "en", "pt": "pt"}
    assert menu_codes(registry("en", "pt-br", "pt-pt")) == {None: "en", "pt": "pt-br"}
    assert menu_codes(registry("en", "en-gb")) == {None: "en"}  # the default's is everyone's


def test_a_code_telegram_cannot_name_has_no_menu():
    assert menu_codes(registry("en", "fil", "ja")) == {None: "en", "ja": "ja"}
