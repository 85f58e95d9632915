"""The bot's own words (welcome, help, fallbacks, errors), one catalog per language in
content/strings/<code>.yaml, in the body markup.

Each string is parsed once, when the content is loaded, and its {placeholders} are filled after
parsing, so that a value (which may be what a user typed) is always plain text, never markup. A
key a language's catalog lacks is said in the default language: a translation may be partial
(`iombot check` warns), never missing a word the default has.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from . import schema
from .languages import Languages
from .markup import MarkupProblem, parse_spans
from .reply import Bold, Command, Span, Text
from .yamlfile import Problem, Reporter, compose, construct, mapping

# The keys core/answerer.py uses: the default catalog must have them. The bots layer uses more
# (bots/texts.py) and asks the loader for those too.
CORE_KEYS = frozenset(
    {
        "welcome_title",
        "welcome",
        "help_title",
        "help",
        "help_footer",
        "suggest_title",
        "suggest",
        "nothing_found",
        "menu_intro",
        "unknown_command_title",
        "unknown_command",
        "did_you_mean",
        "empty",
        "lang_title",
        "lang_choose",
        "lang_set",
        "lang_unknown",
        "not_translated",
        "no_answer_to",
        "unreviewed",
    }
)


@dataclass(frozen=True)
class Entry:
    """One string of a catalog: its spans, its placeholders and where it is written."""

    spans: tuple[Span, ...]
    placeholders: frozenset[str]
    line: int  # the key's


@dataclass(frozen=True)
class Catalog:
    """Every language's strings, by language code then key; `default` has every key."""

    default: str
    entries: Mapping[str, Mapping[str, Entry]]
    paths: Mapping[str, str]  # language code -> its file, for messages

    def text(self, key: str, language: str) -> str:
        """One string in a language, as plain text without markup."""
        return "".join(span.text for span in self._entry(key, language).spans)

    def spans(self, key: str, language: str, /, **values: str) -> tuple[Span, ...]:
        """One string as spans, {placeholders} filled in after parsing, as plain text."""
        parsed = self._entry(key, language).spans
        if not values:
            return parsed
        filled: list[Span] = []
        for span in parsed:
            if isinstance(span, (Text, Bold)):
                filled.append(replace(span, text=span.text.format_map(values)))
            elif isinstance(span, Command):
                filled.append(Command(span.name.format_map(values)))
            else:
                filled.append(span)
        return tuple(filled)

    def has(self, key: str, language: str) -> bool:
        """Whether the language's own catalog says it (else the default's words are used)."""
        return key in self.entries.get(language, {})

    def keys(self) -> frozenset[str]:
        """Every key: the default catalog's."""
        return frozenset(self.entries[self.default])

    def missing(self, language: str) -> list[str]:
        """The keys a language's catalog lacks, in the default catalog's order."""
        own = self.entries.get(language, {})
        return [key for key in self.entries[self.default] if key not in own]

    def _entry(self, key: str, language: str) -> Entry:
        own = self.entries.get(language)
        entry = own.get(key) if own is not None else None
        return entry if entry is not None else self.entries[self.default][key]


def strings_files(directory: Path) -> list[Path]:
    """The catalogs of a content folder, strings/<code>.yaml (none without the folder)."""
    folder = Path(directory) / schema.STRINGS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_catalog(
    files: Iterable[tuple[Path, bytes]],
    languages: Languages,
    required: Iterable[str],
    problems: list[Problem],
) -> Catalog | None:
    """The catalogs of the registered languages, checked against the default's: the default
    must have every `required` key; another language may lack keys (a warning, see
    `catalog_warnings`) but not add any or change a string's placeholders. None on problems."""
    before = len(problems)
    entries: dict[str, dict[str, Entry]] = {}
    paths: dict[str, str] = {}
    for path, data in files:
        report = Reporter(path, problems)
        if path.stem not in languages:
            report(
                1, f"{path.stem!r} is not in languages.yaml: register it there, or remove this file"
            )
            continue
        entries[path.stem] = _load_file(data, report)
        paths[path.stem] = str(path)
    default = languages.default
    if default not in entries:
        where = languages.get(default).line
        problems.append(
            Problem(
                languages.path,
                where,
                f"the default language {default!r} needs its catalog: "
                f"{schema.STRINGS_DIR}/{default}.yaml, with every key the bot uses",
            )
        )
        return None
    _check_default(entries[default], paths[default], required, problems)
    for code, own in entries.items():
        if code != default:
            _check_translation(own, entries[default], paths[code], problems)
    if len(problems) > before:
        return None
    return Catalog(default=default, entries=entries, paths=paths)


def catalog_warnings(languages: Languages, catalog: Catalog) -> list[Problem]:
    """A registered language without a catalog, or whose catalog lacks keys: its users get the
    default language's words for those. One warning per language."""
    warnings = []
    for language in languages:
        if language.code == languages.default:
            continue
        path = catalog.paths.get(language.code)
        if path is None:
            warnings.append(
                Problem(
                    languages.path,
                    language.line,
                    f"{language.code!r} has no catalog ({schema.STRINGS_DIR}/{language.code}.yaml):"
                    f" its users get the bot's own words in {languages.default!r}",
                )
            )
        elif missing := catalog.missing(language.code):
            warnings.append(
                Problem(
                    path,
                    1,
                    f"incomplete: {len(missing)} key(s) missing, said in {languages.default!r} "
                    f"until translated: {', '.join(missing)}",
                )
            )
    return warnings


def _load_file(data: bytes, report: Reporter) -> dict[str, Entry]:
    """key: text, each parsed into spans; problems with their lines."""
    root = compose(data, report)
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        report(root, "a catalog must be a mapping of key: text")
        return {}
    entries = {}
    for key, (key_node, node) in mapping(root, report, "catalog").items():
        entry = _load_entry(key, key_node, node, report)
        if entry is not None:
            entries[key] = entry
    return entries


def _load_entry(key: str, key_node: yaml.Node, node: yaml.Node, report: Reporter) -> Entry | None:
    value = construct(node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, str) or not value.strip():
        report(node, f"{key}: must be text, not empty")
        return None
    line = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
    try:
        placeholders = frozenset(
            name for _, name, _, _ in string.Formatter().parse(value) if name is not None
        )
    except ValueError:
        report(line, f"{key}: a {{ or }} that is not a {{placeholder}}")
        return None
    markup: list[MarkupProblem] = []
    spans = parse_spans(value.strip(), 0, markup)
    for problem in markup:
        report(line + problem.line, f"{key}: {problem.message}")
    return Entry(spans=spans, placeholders=placeholders, line=key_node.start_mark.line + 1)


def _check_default(
    own: dict[str, Entry], path: str, required: Iterable[str], problems: list[Problem]
) -> None:
    for key in sorted(set(required) - set(own)):
        problems.append(
            Problem(path, 1, f"{key!r} is missing: the default catalog needs every key")
        )


def _check_translation(
    own: dict[str, Entry], default: dict[str, Entry], path: str, problems: list[Problem]
) -> None:
    """No key the default lacks; the same placeholders as the default's string."""
    for key, entry in own.items():
        source = default.get(key)
        if source is None:
            problems.append(
                Problem(path, entry.line, f"unknown key {key!r}: not in the default catalog")
            )
        elif entry.placeholders != source.placeholders:
            problems.append(
                Problem(
                    path,
                    entry.line,
                    f"{key}: placeholders {_names(entry.placeholders)} differ from the default's "
                    f"{_names(source.placeholders)}",
                )
            )


def _names(placeholders: frozenset[str]) -> str:
    return " ".join(f"{{{name}}}" for name in sorted(placeholders)) or "(none)"
