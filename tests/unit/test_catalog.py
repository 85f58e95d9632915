"""The string catalogs (content/strings/<code>.yaml): each language's words for the bot's own
messages, checked against the default language's, with a fallback to it for what a translation
lacks; and the keys the code uses are the catalog's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from iombot.bots.cli import main
from iombot.bots.texts import BOT_KEYS, REQUIRED_STRINGS
from iombot.core.catalog import CORE_KEYS
from iombot.core.content import check_content, default_content_dir, load_content, string_warnings
from iombot.core.reply import Bold, Text

FIXTURES = Path(__file__).parents[1] / "fixtures"
ROOT = Path(__file__).parents[2]
FRENCH = """
  - code: fr
    name: Français
    english_name: French
    script: latin
    stemmer: french
    words: [french, français]
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The good fixture with French registered and a French catalog of two keys."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", target)  # the links to the shipped files become copies
    registry = target / "languages.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + FRENCH, encoding="utf-8")
    write_catalog(target, "fr", "welcome_title: Bienvenue\nstaff_sent: Envoyé, **#{number}**.\n")
    return target


def write_catalog(folder: Path, code: str, text: str) -> None:
    (folder / "strings" / f"{code}.yaml").write_text(text, encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in check_content(folder, required_strings=REQUIRED_STRINGS)]


def test_a_partial_translation_loads_and_falls_back_to_the_default_language(folder):
    strings = load_content(folder).strings
    assert strings.text("welcome_title", "fr") == "Bienvenue"
    assert strings.text("lang_title", "fr") == "Language"  # not translated: English
    assert strings.has("welcome_title", "fr") and not strings.has("lang_title", "fr")
    assert strings.text("lang_title", "xx") == "Language"  # no such language: the default
    # Placeholders are filled after parsing: a value is never markup.
    assert strings.spans("staff_sent", "fr", number="**7**") == (
        Text("Envoyé, "),
        Bold("#**7**"),
        Text("."),
    )


def test_missing_keys_are_one_warning_naming_the_file_line_and_keys(folder):
    [warning] = string_warnings(load_content(folder))
    assert warning.path == str(folder / "strings" / "fr.yaml") and warning.line == 1
    assert warning.message.startswith("incomplete: ")
    assert "lang_title" in warning.message and "welcome_title" not in warning.message


def test_a_registered_language_without_a_catalog_is_a_warning_at_its_entry(folder):
    (folder / "strings" / "fr.yaml").unlink()
    [warning] = string_warnings(load_content(folder))
    assert warning.path == str(folder / "languages.yaml")
    assert warning.line == line_of(folder / "languages.yaml", "  - code: fr")
    assert "'fr' has no catalog (strings/fr.yaml)" in warning.message


def test_check_prints_the_warning_and_fails_only_with_strict(folder, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"{folder / 'strings' / 'fr.yaml'}:1: warning: incomplete: " in out
    assert "(1 translation warning(s), 2 review warning(s))" in out
    assert main(["check", str(folder), "--strict"]) == 1


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("welcome_title: Bienvenue\nwelcom: Bonjour\n", 2, "unknown key 'welcom'"),
        (
            "staff_sent: Ticket {numero}\n",
            1,
            "staff_sent: placeholders {numero} differ from the default's {number}",
        ),
        ("staff_sent: Ticket envoyé\n", 1, "staff_sent: placeholders (none) differ"),
        ("welcome: '**Bienvenue'\n", 1, "welcome: unclosed ** (bold needs **text**)"),
        ("welcome: Bonjour {\n", 1, "welcome: a { or } that is not a {placeholder}"),
        ("welcome: [a, list]\n", 1, "welcome: must be text, not empty"),
        ("- welcome\n", 1, "a catalog must be a mapping of key: text"),
    ],
)
def test_each_catalog_problem_is_an_error_with_its_line(folder, text, line, message):
    write_catalog(folder, "fr", text)
    problems = problems_of(folder)
    assert len(problems) == 1, problems
    assert f"strings/fr.yaml:{line}: {message}" in problems[0], problems


def test_a_catalog_of_an_unregistered_language_is_an_error(folder):
    write_catalog(folder, "de", "welcome_title: Willkommen\n")
    [problem] = problems_of(folder)
    assert "strings/de.yaml:1: 'de' is not in languages.yaml" in problem


def test_the_default_catalog_must_have_every_key_the_bot_uses(folder):
    for catalog in (folder / "strings").glob("*.yaml"):  # every language's, as shipped
        text = catalog.read_text(encoding="utf-8")
        catalog.write_text(re.sub(r"(?m)^share: .*\n", "", text), encoding="utf-8")
    [problem] = problems_of(folder)  # the bots layer asks for its keys too
    assert "strings/en.yaml:1: 'share' is missing: the default catalog needs every key" in problem
    assert check_content(folder) == []  # the core alone does not use it
    (folder / "strings" / "en.yaml").unlink()
    [problem] = problems_of(folder)
    line = line_of(folder / "languages.yaml", "  - code: en")
    assert f"languages.yaml:{line}: the default language 'en' needs its catalog" in problem


def test_the_shipped_catalogs_are_complete():
    content = load_content(default_content_dir(), required_strings=REQUIRED_STRINGS)
    assert content.strings.missing("ja") == []
    assert string_warnings(content) == []
    assert content.strings.keys() >= REQUIRED_STRINGS


def _literals(folder: Path) -> set[str]:
    return {
        word
        for path in folder.rglob("*.py")
        for word in re.findall(r'"([a-z_]+)"', path.read_text(encoding="utf-8"))
    }


def _keys_used(folder: Path) -> set[str]:
    """The string keys named in code: text("…"), spans("…"), notice("…"), _say("…"), a
    `key = "…" if … else "…"`, and Telegram's (command, key) pairs."""
    calls = re.compile(r'(?:text|spans|notice|_say)\(\s*"([a-z_]+)"')
    choice = re.compile(r'key = "([a-z_]+)" if [^\n]* else "([a-z_]+)"')
    pairs = re.compile(r'\("[a-z]+", "([a-z_]+)"\)')  # BUILT_IN_COMMANDS (Telegram)
    used: set[str] = set()
    for path in folder.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(calls.findall(source))
        for line in source.splitlines():
            used |= set(pairs.findall(line)) if line.startswith("BUILT_IN_COMMANDS") else set()
        used |= {key for found in choice.findall(source) for key in found}
    return used


def test_the_keys_the_code_uses_are_declared_and_core_uses_no_platform_key():
    core_used = _keys_used(ROOT / "core")
    assert core_used and core_used <= CORE_KEYS, core_used - CORE_KEYS
    bots_used = _keys_used(ROOT / "bots")
    assert bots_used and bots_used <= REQUIRED_STRINGS, bots_used - REQUIRED_STRINGS
    # Every word of core/ that is a catalog key is a core key ("related" is a topic field too).
    keys = load_content(default_content_dir()).strings.keys()
    assert (_literals(ROOT / "core") & keys) - {"related"} <= CORE_KEYS
    assert _literals(ROOT / "core") & (BOT_KEYS - CORE_KEYS) == set()
