"""Loading and validating the topic files of a content folder.

Safe YAML only: the files are composed into nodes (so every problem can name its line) and
built with PyYAML's SafeConstructor; nothing in a file is ever executed (yamlfile.py).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import yaml

from . import schema
from .catalog import CORE_KEYS, catalog_warnings, load_catalog, strings_files
from .conversation import conversation_warnings, load_conversation
from .languages import Languages, load_languages
from .markup import MarkupProblem, parse_blocks
from .reply import BulletList, Paragraph, plain_text
from .topics import Asked, Content, NotCovered, Topic, TopicText
from .yamlfile import ContentError, Problem
from .yamlfile import Reporter as _Reporter
from .yamlfile import check_fields as _check_fields
from .yamlfile import compose as _compose
from .yamlfile import construct as _construct
from .yamlfile import mapping as _mapping
from .yamlfile import word_list as _word_list

__all__ = ["ContentError", "Problem", "check_content", "load_content", "review_warnings"]

CONTENT_SUFFIXES = (".yaml", ".yml")
NOT_COVERED_FILE = "_not_covered.yaml"
# Questions as people ask them, one file per topic (asked/<command>.yaml) and one for questions
# the content does not answer (asked/_not_covered.yaml).
ASKED_DIR = "asked"


def default_content_dir() -> Path:
    """The content shipped inside the package: in a checkout's editable install, ./content."""
    return Path(str(resources.files("iombot.content"))).resolve()


def load_content(
    directory: Path | str,
    *,
    today: datetime.date | None = None,
    required_strings: Iterable[str] = CORE_KEYS,
) -> Content:
    """Load and validate the language registry, every topic file and the string catalogs;
    raise ContentError listing all problems.

    `today` (default: the machine's date) is what a `reviewed:` date may not come after;
    `required_strings`, the keys the default language's catalog must have (the bots layer adds
    its own to the core's)."""
    directory = Path(directory)
    today = today or datetime.date.today()
    files = _topic_files(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        raise ContentError([Problem(str(directory), 0, "content folder not found")])
    if not files:
        raise ContentError([Problem(str(directory), 0, "no topic files (*.yaml) in this folder")])
    digest = hashlib.sha256()
    # Every other file is read in the registry's terms: without it, nothing more is said.
    languages = _load_registry(directory, digest, problems)
    if languages is None:
        raise ContentError(problems)
    topics = []
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        topic = _load_topic(path, data, problems, today, languages)
        if topic is not None:
            topics.append(topic)
    problems.extend(_cross_check(topics, {path.stem for path in files}))
    not_covered: tuple[NotCovered, ...] = ()
    extra = directory / NOT_COVERED_FILE
    if extra.is_file():
        data = extra.read_bytes()
        digest.update(extra.name.encode() + b"\0" + data + b"\0")
        not_covered = _load_not_covered(extra, data, problems, languages)
    asked = _load_asked(directory, {t.command for t in topics}, digest, problems, languages)
    conversation = load_conversation(directory, languages, digest, problems)
    catalogs = []
    for path in strings_files(directory):
        data = path.read_bytes()
        digest.update(f"{schema.STRINGS_DIR}/{path.name}".encode() + b"\0" + data + b"\0")
        catalogs.append((path, data))
    strings = load_catalog(catalogs, languages, required_strings, problems)
    if problems or strings is None:
        raise ContentError(problems)
    topics.sort(key=lambda t: (t.order, t.command))
    return Content(
        topics=tuple(topics),
        version=digest.hexdigest()[:12],
        languages=languages,
        strings=strings,
        not_covered=not_covered,
        asked=asked,
        conversation=conversation,
        directory=str(directory),
    )


def _load_registry(directory: Path, digest, problems: list[Problem]) -> Languages | None:
    path = directory / schema.LANGUAGES_FILE
    if not path.is_file():
        problems.append(
            Problem(
                str(path),
                0,
                f"{schema.LANGUAGES_FILE} not found: it lists the languages the content is "
                "written in (see README.md, Languages)",
            )
        )
        return None
    data = path.read_bytes()
    digest.update(path.name.encode() + b"\0" + data + b"\0")
    return load_languages(path, data, problems)


def check_content(
    directory: Path | str,
    *,
    today: datetime.date | None = None,
    required_strings: Iterable[str] = CORE_KEYS,
) -> list[Problem]:
    """Every problem of a content folder; empty when it is good."""
    try:
        load_content(directory, today=today, required_strings=required_strings)
    except ContentError as error:
        return error.problems
    return []


def review_warnings(
    content: Content, today: datetime.date, review_days: int = schema.DEFAULT_REVIEW_DAYS
) -> list[Problem]:
    """Topics never reviewed, or last reviewed more than `review_days` days before `today`: one
    warning each, at its `reviewed:` line (or its `command:` line when it has none)."""
    _check_review_days(review_days)
    warnings = []
    for topic in content.topics:
        age = _review_age(topic, today, review_days)
        if age is None:
            continue
        line = topic.lines.get("reviewed") or topic.lines.get("command", 1)
        if topic.reviewed is None:
            message = (
                "never reviewed: add `reviewed: YYYY-MM-DD` (and `owner:`) "
                "after checking it against the source"
            )
        else:
            message = (
                f"last reviewed {topic.reviewed.isoformat()}, {age} days ago "
                f"(more than {review_days}): check it against the source and update `reviewed:`"
            )
        if topic.owner:
            message += f" (owner: {topic.owner})"
        warnings.append(Problem(topic.path, line, message))
    return sorted(warnings)


def topics_due_for_review(
    content: Content, today: datetime.date, review_days: int = schema.DEFAULT_REVIEW_DAYS
) -> list[tuple[str, str | None, datetime.date | None]]:
    """(command, owner, reviewed date or None) of every topic due for review: never reviewed
    first, then the longest ago; ties by command."""
    _check_review_days(review_days)
    due = [
        (topic.command, topic.owner, topic.reviewed)
        for topic in content.topics
        if _review_age(topic, today, review_days) is not None
    ]
    return sorted(
        due, key=lambda item: (item[2] is not None, item[2] or datetime.date.min, item[0])
    )


def _check_review_days(review_days: int) -> None:
    if isinstance(review_days, bool) or not isinstance(review_days, int) or review_days < 0:
        raise ValueError(f"review_days must be a whole number of days, not {review_days!r}")


def _review_age(topic: Topic, today: datetime.date, review_days: int) -> int | None:
    """Days since the topic's review when it is due (-1 if never reviewed), else None."""
    if topic.reviewed is None:
        return -1
    age = (today - topic.reviewed).days
    return age if age > review_days else None


def _topic_files(directory: Path) -> list[Path]:
    """Every topic file; a name starting with _ is not a topic (_not_covered.yaml), nor is the
    language registry."""
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in CONTENT_SUFFIXES
        and p.is_file()
        and not p.name.startswith((".", "_"))
        and p.name != schema.LANGUAGES_FILE
    )


def _load_topic(
    path: Path, data: bytes, problems: list[Problem], today: datetime.date, languages: Languages
) -> Topic | None:
    report = _Reporter(path, problems)
    root = _compose(data, report)
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        report(root, "a topic file must be a mapping of fields (command:, en:, ja:, …)")
        return None
    fields = _mapping(root, report, "topic")
    allowed = set(schema.TOP_FIELDS) | set(languages.codes)
    allowed |= _unregistered(fields, allowed, languages, report)
    values = _check_fields(fields, schema.TOP_FIELDS, allowed, report, root, "topic")

    command = values.get("command")
    if isinstance(command, str):
        if not schema.COMMAND_PATTERN.fullmatch(command):
            report(
                fields["command"][0],
                f"command {command!r} is not a valid Telegram command: "
                "use 1-32 characters a-z, 0-9 or _",
            )
        elif command in schema.RESERVED_COMMANDS:
            report(fields["command"][0], f"command {command!r} is built in; choose another name")
        elif command != path.stem:
            report(
                fields["command"][0],
                f"command {command!r} should match the file name ({path.stem}{path.suffix})",
            )
    aliases = _word_list(fields, "aliases", report)
    for alias_node, alias in aliases:
        if not schema.ALIAS_PATTERN.fullmatch(alias):
            report(
                alias_node,
                f"alias {alias!r} must be one lowercase word of at most 32 "
                "characters, without spaces, / or @",
            )
        elif alias in schema.RESERVED_COMMANDS:
            report(alias_node, f"alias {alias!r} is a built-in command")
    related = _word_list(fields, "related", report)
    reviewed = values.get("reviewed")
    ahead = today + datetime.timedelta(days=schema.REVIEWED_AHEAD_DAYS)
    if isinstance(reviewed, datetime.date) and reviewed > ahead:
        report(
            fields["reviewed"][1],
            f"topic: 'reviewed' is {reviewed.isoformat()}, a date in the future "
            f"(today is {today.isoformat()}): write the date the topic was checked",
        )

    texts: dict[str, TopicText] = {}
    for language in languages.codes:
        if language not in fields:
            if language == languages.default:
                report(
                    root,
                    f"language {language!r} is missing: every topic needs the default language "
                    f"({schema.LANGUAGES_FILE})",
                )
            continue
        text = _load_text(fields[language][1], language, report)
        if text is not None:
            texts[language] = text

    if report.count:
        return None
    return Topic(
        command=command,
        aliases=tuple(alias for _, alias in aliases),
        order=values.get("order", schema.DEFAULT_ORDER),
        related=tuple(name for _, name in related),
        texts=texts,
        path=str(path),
        source=languages.default,
        owner=values["owner"].strip() if "owner" in values else None,
        reviewed=reviewed,
        lines={
            "command": fields["command"][1].start_mark.line + 1,
            **{
                name: fields.get(name, fields["command"])[1].start_mark.line + 1
                for name in ("owner", "reviewed")
            },
            **{f"alias:{a}": node.start_mark.line + 1 for node, a in aliases},
            **{f"related:{r}": node.start_mark.line + 1 for node, r in related},
        },
    )


def _load_text(node: yaml.Node, language: str, report: _Reporter) -> TopicText | None:
    where = language
    if not isinstance(node, yaml.MappingNode):
        report(node, f"{where}: must be a mapping with title, summary and body")
        return None
    before = report.count
    fields = _mapping(node, report, where)
    values = _check_fields(fields, schema.TEXT_FIELDS, set(schema.TEXT_FIELDS), report, node, where)
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("keywords", "questions"):
        items = _word_list(fields, name, report)
        lists[name] = tuple(value for _, value in items)
        for item, value in items:
            if len(value) > schema.MAX_LIST_ITEM:
                report(
                    item,
                    f"{where}.{name}: an item is {len(value)} characters long "
                    f"(at most {schema.MAX_LIST_ITEM})",
                )
    title, summary, body = values.get("title"), values.get("summary"), values.get("body")
    if isinstance(title, str) and len(title) > schema.MAX_TITLE:
        report(
            fields["title"][1],
            f"{where}.title is {len(title)} characters long "
            f"(at most {schema.MAX_TITLE}, the longest title every platform shows)",
        )
    if isinstance(summary, str) and len(summary) > schema.MAX_SUMMARY:
        report(
            fields["summary"][1],
            f"{where}.summary is {len(summary)} characters long "
            f"(at most {schema.MAX_SUMMARY}, for the Telegram command menu)",
        )
    if isinstance(summary, str) and "\n" in summary.strip():
        report(fields["summary"][1], f"{where}.summary must be a single line")
    blocks = ()
    if isinstance(body, str):
        body_node = fields["body"][1]
        first_line = body_node.start_mark.line + (2 if body_node.style in ("|", ">") else 1)
        blocks = _check_body(body, first_line, where, report)
    reach_us = values.get("reach_us")
    reach_blocks: tuple = ()
    if isinstance(reach_us, str):
        reach_node = fields["reach_us"][1]
        if len(reach_us) > schema.MAX_REACH_US:
            report(
                reach_node,
                f"{where}.reach_us is {len(reach_us)} characters long "
                f"(at most {schema.MAX_REACH_US}: a line or two)",
            )
        first = reach_node.start_mark.line + (2 if reach_node.style in ("|", ">") else 1)
        reach_blocks = _check_body(reach_us, first, f"{where}.reach_us", report)
    if report.count > before:
        return None
    return TopicText(
        title=title.strip(),
        summary=summary.strip(),
        keywords=lists["keywords"],
        questions=lists["questions"],
        body=body,
        blocks=blocks,
        reach_us=reach_blocks,
    )


def _check_body(body: str, first_line: int, where: str, report: _Reporter) -> tuple:
    if len(body) > schema.MAX_BODY:
        report(
            first_line,
            f"{where}.body is {len(body)} characters long (at most {schema.MAX_BODY}); "
            "split it into two topics",
        )
    markup_problems: list[MarkupProblem] = []
    blocks = parse_blocks(body, markup_problems)
    for problem in markup_problems:
        report(first_line + problem.line, f"{where}.body: {problem.message}")
    for block in blocks:
        pieces = [block.spans] if isinstance(block, Paragraph) else list(block.items)
        size = sum(len(plain_text(piece)) for piece in pieces)
        if isinstance(block, (Paragraph, BulletList)) and size > schema.MAX_BLOCK:
            report(
                first_line,
                f"{where}.body has a paragraph or list of {size} characters "
                f"(at most {schema.MAX_BLOCK}, what a Slack section shows): split it",
            )
    return blocks


def _cross_check(topics: list[Topic], file_stems: set[str]) -> list[Problem]:
    """Rules across files: unique commands and aliases, related topics that exist."""
    problems = []
    owners: dict[str, Topic] = {}
    for topic in topics:
        for name, key in (
            (topic.command, "command"),
            *((alias, f"alias:{alias}") for alias in topic.aliases),
        ):
            other = owners.get(name)
            if other is not None:
                where = "this topic" if other is topic else other.path
                problems.append(
                    Problem(
                        topic.path,
                        topic.lines.get(key, 1),
                        f"{name!r} is already used as a command or alias by {where}",
                    )
                )
            elif other is None:
                owners[name] = topic
    # A topic whose file has problems of its own still exists: don't report it twice.
    commands = {topic.command for topic in topics} | file_stems
    for topic in topics:
        for name in topic.related:
            line = topic.lines.get(f"related:{name}", 1)
            if name not in commands:
                problems.append(Problem(topic.path, line, f"related topic {name!r} does not exist"))
            elif name == topic.command:
                problems.append(Problem(topic.path, line, "a topic cannot be related to itself"))
    problems.extend(_check_reach_us(topics))
    return problems


def _check_reach_us(topics: list[Topic]) -> list[Problem]:
    """One topic says how to reach people, in every language, or none does."""
    giving = [t for t in topics if any(text.reach_us for text in t.texts.values())]
    problems = [
        Problem(t.path, 1, f"reach_us is already given by {giving[0].path}: give it in one topic")
        for t in giving[1:]
    ]
    for topic in giving[:1]:
        problems += [
            Problem(topic.path, 1, f"{language}.reach_us is missing: give it in every language")
            for language, text in topic.texts.items()
            if not text.reach_us
        ]
    return problems


def _load_not_covered(
    path: Path, data: bytes, problems: list[Problem], languages: Languages
) -> tuple[NotCovered, ...]:
    """_not_covered.yaml: a list of {subject: text, <code>: [phrases], …}, in one language or
    more of the registry's."""
    report = _Reporter(path, problems)
    root = _compose(data, report)
    if root is None:
        return ()
    if not isinstance(root, yaml.SequenceNode):
        report(root, "must be a list of subjects, each with subject: and phrases by language")
        return ()
    entries = []
    for node in root.value:
        if not isinstance(node, yaml.MappingNode):
            report(node, "each subject must be a mapping with subject: and phrases by language")
            continue
        before = report.count
        fields = _mapping(node, report, "subject")
        allowed = {"subject", *languages.codes}
        allowed |= _unregistered(fields, allowed, languages, report)
        for key, (key_node, _) in fields.items():
            if key not in allowed:
                expected = ", ".join(("subject", *languages.codes))
                report(key_node, f"unknown field {key!r} (expected {expected})")
        subject_node = fields.get("subject", (None, None))[1]
        subject = _construct(subject_node) if subject_node is not None else None
        if not isinstance(subject, str) or not subject.strip():
            report(node, "subject: required, the subject in a few words")
        phrases = {}
        for language in (code for code in languages.codes if code in fields):
            items = _word_list(fields, language, report)
            if not items:
                report(fields[language][1], f"{language}: a list of words and phrases people use")
            phrases[language] = tuple(value for _, value in items)
        if not phrases:
            report(node, "no phrases: list the words people use under a language code (en: …)")
        if report.count == before:
            entries.append(NotCovered(subject=subject.strip(), phrases=phrases))
    return tuple(entries)


def asked_files(directory: Path) -> list[Path]:
    """The files of asked/ in a content folder (none if it has no such folder)."""
    folder = Path(directory) / ASKED_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in CONTENT_SUFFIXES and p.is_file())


def _load_asked(
    directory: Path, commands: set[str], digest, problems: list[Problem], languages: Languages
) -> tuple[Asked, ...]:
    """asked/<command>.yaml and asked/_not_covered.yaml: {<code>: [questions], …}, in any of
    the registry's languages.
    A question filed under two topics is a problem: the bot could not learn from it."""
    asked: list[Asked] = []
    seen: dict[str, str] = {}  # normalized question -> the file it is in
    for path in asked_files(directory):
        data = path.read_bytes()
        digest.update(f"{ASKED_DIR}/{path.name}".encode() + b"\0" + data + b"\0")
        report = _Reporter(path, problems)
        topic = None if path.stem == NOT_COVERED_FILE.removesuffix(".yaml") else path.stem
        if topic is not None and topic not in commands:
            known = ", ".join(sorted(commands))
            report(
                1,
                f"no topic is called {topic!r}: name the file after a topic ({known}) "
                f"or {NOT_COVERED_FILE}",
            )
            continue
        root = _compose(data, report)
        if root is None:
            continue
        if not isinstance(root, yaml.MappingNode):
            report(root, "must be a mapping: a list of questions under each language code (en:)")
            continue
        fields = _mapping(root, report, path.name)
        registered = set(languages.codes)
        registered |= _unregistered(fields, registered, languages, report)
        for key, (key_node, _) in fields.items():
            if key not in registered:
                expected = ", ".join(languages.codes)
                report(key_node, f"unknown field {key!r} (expected a language code: {expected})")
        for language in languages.codes:
            for node, question in _word_list(fields, language, report):
                key = " ".join(question.casefold().split())
                if key in seen and seen[key] != path.name:
                    report(node, f"{question!r} is also in {ASKED_DIR}/{seen[key]}: keep it in one")
                    continue
                seen[key] = path.name
                asked.append(Asked(question, topic, language))
    return tuple(asked)


def _unregistered(
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    known: set[str],
    languages: Languages,
    report: _Reporter,
) -> set[str]:
    """Fields named like a language the registry does not list ("fr:"): reported as such, and
    returned so that they are not reported again as unknown fields."""
    found = {key for key in fields if key not in known and schema.LANGUAGE_CODE.fullmatch(key)}
    for key in sorted(found, key=lambda k: fields[k][0].start_mark.line):
        report(
            fields[key][0],
            f"language {key!r} is not in {schema.LANGUAGES_FILE} "
            f"({', '.join(languages.codes)}): add it there, or remove this section",
        )
    return found


def string_warnings(content: Content) -> list[Problem]:
    """Registered languages without a catalog, or whose catalog lacks keys (catalog.py); and
    without a conversation file, or whose file lacks replies (conversation.py)."""
    warnings = catalog_warnings(content.languages, content.strings)
    warnings += conversation_warnings(content.conversation, content.languages, content.directory)
    return sorted(warnings)
