"""Languages: the registry the content declares (content/languages.yaml), which language a reply
is in, and cleaning raw input text.

The registry is data: adding a language adds an entry there (and its texts), not code. It is part
of a content version: loaded, validated and swapped with the topics, never kept in a global.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer
import yaml

from . import schema
from .scripts import HAN, JAPANESE, LATIN, SCRIPTS, deciding_script
from .yamlfile import Problem, Reporter, check_fields, compose, mapping, word_list

MAX_INPUT_CHARS = 500  # longer input is cut before any other work


def fold_word(word: str) -> str:
    """A word as it is compared: NFKC, lower case, trimmed ("ＥＮＧＬＩＳＨ " -> "english")."""
    return unicodedata.normalize("NFKC", word).lower().strip()


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # as its speakers write it: "日本語"
    english_name: str  # for staff: "Japanese"
    script: str  # one of scripts.SCRIPTS
    stemmer: str | None = None  # a Snowball algorithm, for a latin script
    words: tuple[str, ...] = ()  # what names it in /lang <word>, folded
    help_words: tuple[str, ...] = ()  # a message of one of these words alone is /help, folded
    reviewed: bool = True  # its texts checked by a person (else replies carry a note)
    line: int = field(default=1, compare=False, repr=False)  # its entry in languages.yaml


@dataclass(frozen=True)
class Languages:
    """Every language the content is written in, in the registry's order, and the default: the
    language every topic has, and what a reply falls back to."""

    all: tuple[Language, ...]
    default: str
    path: str = schema.LANGUAGES_FILE  # the file, for messages
    _by_code: dict[str, Language] = field(init=False, repr=False, compare=False)
    _by_word: dict[str, str] = field(init=False, repr=False, compare=False)
    _help_words: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {language.code: language for language in self.all}
        by_word = {word: lang.code for lang in self.all for word in (lang.code, *lang.words)}
        help_words = frozenset(word for lang in self.all for word in lang.help_words)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_word", by_word)
        object.__setattr__(self, "_help_words", help_words)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Language]:
        return iter(self.all)

    def __len__(self) -> int:
        return len(self.all)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.all)

    @property
    def searched_together(self) -> frozenset[str]:
        """The default language and the Japanese ones: searched in one index (views.py), and
        the only ones whose questions may be romaji."""
        return frozenset(
            language.code
            for language in self.all
            if language.code == self.default or language.script == JAPANESE
        )

    def get(self, code: str) -> Language:
        """The language of a code; the default for a code not registered."""
        return self._by_code.get(code) or self._by_code[self.default]

    def named(self, word: str) -> str | None:
        """The code a word names ("ja", "japanese", "日本語"), or None."""
        return self._by_word.get(fold_word(word))

    def is_help_word(self, word: str) -> bool:
        return fold_word(word) in self._help_words

    @property
    def unreviewed(self) -> tuple[str, ...]:
        """The codes of the languages whose texts no person has checked yet, in order."""
        return tuple(language.code for language in self.all if not language.reviewed)

    def english_name(self, code: str) -> str:
        """For staff: "Japanese"; the code itself if it is not registered."""
        language = self._by_code.get(code)
        return language.english_name if language else code

    def with_script(self, script: str) -> Language | None:
        """The first language written in a script; Chinese characters alone are the `han`
        language's if there is one, else the Japanese one's."""
        for wanted in (script, JAPANESE) if script == HAN else (script,):
            for language in self.all:
                if language.script == wanted:
                    return language
        return None

    def from_script(self, text: str) -> str | None:
        """The language the text's script decides (kana, Hangul…), or None: Latin letters say
        nothing, nor does a script no registered language is written in."""
        script = deciding_script(text)
        if script is None or script == LATIN:
            return None
        language = self.with_script(script)
        return language.code if language else None

    def from_locale(self, locale: str | None) -> str | None:
        """A platform locale ("ja", "ja-JP", "pt_BR") as a registered code, or None: the whole
        tag first (pt-br), then its language (pt)."""
        if not locale:
            return None
        tag = locale.replace("_", "-").strip().lower()
        if tag in self._by_code:
            return tag
        code = tag.split("-", 1)[0]
        return code if code in self._by_code else None

    def resolve(
        self,
        explicit: str | None,
        locale: str | None,
        text: str,
        written: Callable[[str], str | None] | None = None,
    ) -> str:
        """Pick the reply language.

        An explicit choice wins. Then the language the question is written in, whatever the
        locale (a person who writes it reads it): its script (`from_script`), or what
        `written` (the content's answerer: identify.py) makes of it; the default language
        found says no more than nothing, as before there were other languages. Then the
        platform's locale hint; the default is the fallback."""
        if explicit in self._by_code:
            return explicit
        found = written(text) if written is not None else self.from_script(text)
        if found == self.default:
            found = None
        return found or self.from_locale(locale) or self.default


def clean_input(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """Cut to `limit` characters, drop control and format characters, fold white space."""
    text = text[:limit]
    if text.isprintable():  # nothing to drop (the usual case): only the white space to fold
        return " ".join(text.split())
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" " if char in "\t\n\r\v\f" else "")
        else:
            kept.append(char)
    return " ".join("".join(kept).split())


# --- languages.yaml -------------------------------------------------------------------------------


def load_languages(path: Path, data: bytes, problems: list[Problem]) -> Languages | None:
    """content/languages.yaml: `default:` a code, and `languages:`, a list of entries. None
    (with its problems reported) when it cannot be used."""
    report = Reporter(path, problems)
    root = compose(data, report)
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        report(root, "must be a mapping with default: and languages:")
        return None
    fields = mapping(root, report, "languages.yaml")
    top = schema.LANGUAGES_TOP_FIELDS
    values = check_fields(fields, top, set(top), report, root, "languages.yaml")
    entries = fields.get("languages", (None, None))[1]
    found: list[Language] = []
    if isinstance(entries, yaml.SequenceNode):
        if not entries.value:
            report(entries, "languages: list at least one language")
        for node in entries.value:
            language = _load_language(node, report)
            if language is not None:
                found.append(language)
    _check_unique(found, report)
    default = values.get("default")
    # Checked against a list without problems only: an entry that failed is not "missing".
    if not report.count and default not in {lang.code for lang in found}:
        report(fields["default"][1], f"default: {default!r} is not one of the languages listed")
    if report.count:
        return None
    return Languages(all=tuple(found), default=default, path=str(path))


def _load_language(node: yaml.Node, report: Reporter) -> Language | None:
    if not isinstance(node, yaml.MappingNode):
        report(node, "each language must be a mapping with code:, name:, english_name: and script:")
        return None
    before = report.count
    spec = schema.LANGUAGE_FIELDS
    fields = mapping(node, report, "language")
    values = check_fields(fields, spec, set(spec), report, node, "language")
    code, script, stemmer = values.get("code"), values.get("script"), values.get("stemmer")
    if isinstance(code, str) and not schema.LANGUAGE_CODE.fullmatch(code):
        report(
            fields["code"][1],
            f"code {code!r} is not a language code: lowercase ISO 639 (en, ja, fil), "
            "optionally with a region (pt-br)",
        )
    if isinstance(script, str) and script not in SCRIPTS:
        report(fields["script"][1], f"script {script!r} must be one of {', '.join(SCRIPTS)}")
    if isinstance(stemmer, str):
        if script != LATIN:
            report(fields["stemmer"][1], "stemmer: only a latin script is stemmed")
        elif stemmer not in snowballstemmer.algorithms():
            known = ", ".join(snowballstemmer.algorithms())
            report(fields["stemmer"][1], f"stemmer {stemmer!r} is not a Snowball stemmer ({known})")
    words = {name: word_list(fields, name, report) for name in ("words", "help_words")}
    if report.count > before:
        return None
    return Language(
        code=code,
        name=values["name"].strip(),
        english_name=values["english_name"].strip(),
        script=script,
        stemmer=stemmer,
        words=tuple(dict.fromkeys(fold_word(w) for _, w in words["words"])),
        help_words=tuple(dict.fromkeys(fold_word(w) for _, w in words["help_words"])),
        reviewed=values.get("reviewed", True),
        line=node.start_mark.line + 1,
    )


def _check_unique(found: list[Language], report: Reporter) -> None:
    """A code, and a word naming a language, belong to one language only."""
    owners: dict[str, str] = {}
    for language in found:
        if language.code in owners:
            report(language.line, f"code {language.code!r} is listed twice")
            continue
        owners[language.code] = language.code
    for language in found:
        for word in language.words:
            owner = owners.setdefault(word, language.code)
            if owner != language.code:
                report(language.line, f"word {word!r} of {language.code!r} names {owner!r} too")
