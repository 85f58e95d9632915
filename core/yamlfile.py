"""Reading YAML files as nodes, so that every problem can name its file and line.

Safe YAML only: a file is composed into nodes and values are built with PyYAML's
SafeConstructor; nothing in a file is ever executed. Shared by the loaders of topics
(content.py), the language registry (languages.py) and the UI string catalogs (catalog.py).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# libyaml's parser when PyYAML has it (its wheels do): the same nodes and marks, about ten times
# faster than the pure-Python one on content/asked/.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content folder has problems; `problems` lists each with its file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Reporter:
    """Collects problems for one file."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = str(path)
        self.problems = problems
        self.count = 0

    def __call__(self, node_or_line: yaml.Node | int, message: str) -> None:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        self.problems.append(Problem(self.path, line, message))
        self.count += 1


def compose(data: bytes, report: Reporter) -> yaml.Node | None:
    """The file's YAML as nodes (with lines), or None after reporting why it can't be read."""
    try:
        root = yaml.compose(data.decode("utf-8"), Loader=_COMPOSER)
    except UnicodeDecodeError:
        report(1, "the file is not UTF-8 text")
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        report(
            line,
            f"invalid YAML: {error.problem or error.context} "
            "(text containing : # [ ] { } or a leading ? needs quotes)",
        )
        return None
    except yaml.YAMLError as error:
        report(1, f"invalid YAML: {error}")
        return None
    if root is None:
        report(1, "the file is empty")
    return root


def mapping(
    node: yaml.MappingNode, report: Reporter, where: str
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Key name -> (key node, value node); reports duplicate and non-text keys."""
    fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str) or not key:
            report(key_node, f"{where}: field names must be plain words")
            continue
        if key in fields:
            report(key_node, f"{where}: field {key!r} appears twice")
            continue
        fields[key] = (key_node, value_node)
    return fields


def construct(node: yaml.Node) -> object:
    """A node's value, built by PyYAML's safe constructor (unknown tags raise, never run). A
    plain string, as most are, is its own value; a new constructor each time, never a whole
    loader (whose reader and scanner cost more than the value)."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
        return node.value
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def check_fields(
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    spec: dict,
    allowed: set[str],
    report: Reporter,
    parent: yaml.Node,
    where: str,
) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, (key_node, _) in fields.items():
        if key not in allowed:
            report(
                key_node, f"{where}: unknown field {key!r} (allowed: {', '.join(sorted(allowed))})"
            )
    for name, (required, kind, described) in spec.items():
        if name not in fields:
            if required:
                report(parent, f"{where}: required field {name!r} is missing")
            continue
        value_node = fields[name][1]
        try:
            value = construct(value_node)
        except yaml.YAMLError as error:
            reason = getattr(error, "problem", None) or str(error).splitlines()[0]
            report(value_node, f"{where}: {name!r} cannot be read ({reason}; only plain YAML)")
            continue
        except ValueError as error:  # a date-like value that is no date: 2026-02-30
            if kind is datetime.date:
                report(value_node, _not_a_date(where, name, value_node))
            else:
                report(value_node, f"{where}: {name!r} cannot be read ({error})")
            continue
        if kind is datetime.date:
            date = _as_date(value)
            if date is None:
                if isinstance(value, str) and _DATE_PATTERN.fullmatch(value.strip()):
                    report(value_node, _not_a_date(where, name, value_node))
                else:
                    report(
                        value_node,
                        f"{where}: {name!r} must be {described}, not {kind_name(value)}",
                    )
                continue
            values[name] = date
            continue
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            report(value_node, f"{where}: {name!r} must be {described}, not {kind_name(value)}")
            continue
        if kind is str and not value.strip():
            report(value_node, f"{where}: {name!r} is empty")
            continue
        values[name] = value
    return values


_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_date(value: object) -> datetime.date | None:
    """A date from YAML's date (unquoted 2026-11-29) or a "YYYY-MM-DD" text; else None."""
    if isinstance(value, datetime.datetime):
        return None  # a date and time: only the date is wanted
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DATE_PATTERN.fullmatch(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _not_a_date(where: str, name: str, node: yaml.Node) -> str:
    return f"{where}: {name!r} is not a real date ({node.value}): write it YYYY-MM-DD"


def kind_name(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    return {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def word_list(fields: dict, name: str, report: Reporter) -> list[tuple[yaml.Node, str]]:
    """The items of a list field as (node, text), reporting items that are not text."""
    if name not in fields or not isinstance(fields[name][1], yaml.SequenceNode):
        return []
    items = []
    for item in fields[name][1].value:
        try:
            value = construct(item)
        except yaml.YAMLError:
            value = None
        except ValueError:  # a date-like word that is no date (2026-02-30): keep it as written
            value = item.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = item.value  # a year such as 1951 is a fine keyword: keep it as written
        if not isinstance(value, str) or not value.strip():
            report(item, f"{name}: each item must be text, not {kind_name(value)}")
        else:
            items.append((item, value.strip()))
    return items
