"""The editors' report: what people asked that the content did not answer, how each topic did,
and which topics are due for review; as JSON (for programs), CSV (for a spreadsheet) and text
(for a content editor, who reads it first).

Pure: the caller reads the question log and the content and builds a `Report`; this module
merges near-duplicate questions and renders.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from rapidfuzz import fuzz, process

from ...core.search import normalize

# Two questions whose keys are at least this similar (rapidfuzz ratio, 0 to 100) are one.
MERGE_SCORE = 88.0


@dataclass(frozen=True)
class LoggedQuestion:
    """One entry of the question log (already masked)."""

    text: str
    language: str
    platform: str
    at: float  # unix time
    closest: str | None  # the closest topic, if any
    score: float | None  # its search score


@dataclass(frozen=True)
class Unanswered:
    """Near-duplicate unanswered questions, merged."""

    text: str  # the most frequent wording
    count: int
    languages: tuple[str, ...]
    last_seen: str  # YYYY-MM-DD (UTC)
    closest_topic: str | None


@dataclass(frozen=True)
class TopicLine:
    topic: str
    language: str
    asked: int
    helpful: int
    not_helpful: int


@dataclass(frozen=True)
class ReviewDue:
    topic: str
    owner: str | None
    reviewed: str | None  # YYYY-MM-DD, or None: never


@dataclass(frozen=True)
class TalkLine:
    """Messages that were not questions, counted (never their text): small talk by intent,
    a person asked for, and urgent messages, per day, language and platform."""

    what: str  # the intent: greeting, thanks…, person, urgent
    day: str  # YYYY-MM-DD
    language: str
    platform: str
    count: int


@dataclass(frozen=True)
class Report:
    since: str  # YYYY-MM-DD
    unanswered: tuple[Unanswered, ...]
    topics: tuple[TopicLine, ...]
    review_due: tuple[ReviewDue, ...]
    talk: tuple[TalkLine, ...] = ()
    # The languages whose texts no person has checked yet (languages.yaml `reviewed: false`):
    # their replies carry a note until an editor has them reviewed.
    unreviewed_languages: tuple[str, ...] = ()


# -- merging ------------------------------------------------------------------------------------


def question_key(text: str) -> str:
    """What two wordings of one question share: the normalized text (NFKC, lower case) without
    punctuation, symbols or spaces (ASCII and Japanese alike: ？！。、「」・…)."""
    return "".join(char for char in normalize(text) if unicodedata.category(char)[0] not in "PSZC")


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).date().isoformat()


def _most_frequent_latest(values: Iterable[tuple[str, float]]) -> str | None:
    """The value seen most often; of a tie, the one seen last."""
    counts: Counter[str] = Counter()
    last: dict[str, float] = {}
    for value, at in values:
        counts[value] += 1
        last[value] = max(at, last.get(value, at))
    if not counts:
        return None
    return max(counts, key=lambda value: (counts[value], last[value]))


def merge_questions(entries: Iterable[LoggedQuestion]) -> tuple[Unanswered, ...]:
    """The logged questions with near-duplicates merged, most frequent first, then most recent.

    Identical keys (question_key) merge; then the distinct keys, the commonest first, join the
    cluster whose first key is closest, if it scores MERGE_SCORE or more (greedy, so a few
    thousand questions take well under a second), or start their own.
    """
    by_key: dict[str, list[LoggedQuestion]] = {}
    for entry in entries:
        by_key.setdefault(question_key(entry.text), []).append(entry)
    keys = sorted(by_key, key=lambda key: (-len(by_key[key]), -max(e.at for e in by_key[key]), key))

    representatives: list[str] = []
    clusters: list[list[LoggedQuestion]] = []
    for key in keys:
        found = None
        if key and representatives:
            found = process.extractOne(
                key, representatives, scorer=fuzz.ratio, score_cutoff=MERGE_SCORE
            )
        if found is None:
            representatives.append(key)
            clusters.append(list(by_key[key]))
        else:
            clusters[found[2]].extend(by_key[key])

    merged = []
    for cluster in clusters:
        latest = max(entry.at for entry in cluster)
        shown = _most_frequent_latest((entry.text, entry.at) for entry in cluster)
        closest = _most_frequent_latest(
            (entry.closest, entry.at) for entry in cluster if entry.closest is not None
        )
        merged.append(
            (
                latest,
                Unanswered(
                    text=shown or "",
                    count=len(cluster),
                    languages=tuple(sorted({entry.language for entry in cluster})),
                    last_seen=_day(latest),
                    closest_topic=closest,
                ),
            )
        )
    merged.sort(key=lambda pair: (-pair[1].count, -pair[0], pair[1].text))
    return tuple(question for _, question in merged)


# -- JSON ---------------------------------------------------------------------------------------


def render_json(report: Report) -> str:
    """The report's fields as they are named in it (JSON lists for its tuples)."""
    return json.dumps(asdict(report), ensure_ascii=False, indent=2)


# -- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "section",
    "text",
    "count",
    "languages",
    "last_seen",
    "closest_topic",
    "topic",
    "language",
    "asked",
    "helpful",
    "not_helpful",
    "owner",
    "reviewed",
    "what",
    "day",
    "platform",
)


def _cell(text: str) -> str:
    """A question as a spreadsheet shows it, never as a formula (a question is anyone's text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(report: Report) -> str:
    """One table: a first column `section` (unanswered, topic, review_due, talk,
    unreviewed_language), then the columns of
    every section in a fixed order, those of other sections left empty. Languages are joined
    by spaces; None is empty."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    for question in report.unanswered:
        writer.writerow(
            {
                "section": "unanswered",
                "text": _cell(question.text),
                "count": question.count,
                "languages": " ".join(question.languages),
                "last_seen": question.last_seen,
                "closest_topic": question.closest_topic or "",
            }
        )
    for line in report.topics:
        writer.writerow(
            {
                "section": "topic",
                "topic": line.topic,
                "language": line.language,
                "asked": line.asked,
                "helpful": line.helpful,
                "not_helpful": line.not_helpful,
            }
        )
    for due in report.review_due:
        writer.writerow(
            {
                "section": "review_due",
                "topic": due.topic,
                "owner": due.owner or "",
                "reviewed": due.reviewed or "",
            }
        )
    for line in report.talk:  # counts only: a message that was not a question has no text here
        writer.writerow(
            {
                "section": "talk",
                "what": line.what,
                "day": line.day,
                "language": line.language,
                "platform": line.platform,
                "count": line.count,
            }
        )
    for code in report.unreviewed_languages:
        writer.writerow({"section": "unreviewed_language", "language": code})
    return out.getvalue()


# -- text ---------------------------------------------------------------------------------------

_GAP = "  "
_INDENT = "  "
_MIN_QUESTION_WIDTH = 20
_SPACES = re.compile(r"\s+")


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: wide (CJK, emoji) characters two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def cut(text: str, width: int) -> str:
    """`text` on one line, cut with "…" to at most `width` columns."""
    text = _SPACES.sub(" ", text).strip()
    if display_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        char_width = display_width(char)
        if used + char_width > width - 1:
            break
        kept.append(char)
        used += char_width
    return "".join(kept).rstrip() + "…"


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """Aligned rows under a header; a last column aligned left is not padded."""
    widths = [
        max(display_width(row[column]) for row in (header, *rows)) for column in range(len(header))
    ]
    lines = []
    for row in (header, *rows):
        cells = [
            cell
            if column == len(row) - 1 and column not in right
            else _pad(cell, widths[column], column in right)
            for column, cell in enumerate(row)
        ]
        lines.append((_INDENT + _GAP.join(cells)).rstrip())
    return lines


def _unanswered_section(report: Report, width: int) -> list[str]:
    lines = [f"Unanswered questions ({len(report.unanswered)})"]
    if not report.unanswered:
        return [*lines, "No unanswered questions in this period."]
    header = ("Count", "Languages", "Last seen", "Closest topic", "Question")
    rows = [
        (
            str(question.count),
            ", ".join(question.languages),
            question.last_seen,
            question.closest_topic or "(none)",
        )
        for question in report.unanswered
    ]
    before = [max(display_width(row[c]) for row in (header, *rows)) for c in range(4)]
    room = max(_MIN_QUESTION_WIDTH, width - len(_INDENT) - sum(before) - len(_GAP) * len(before))
    full_rows = [
        (*row, cut(question.text, room))
        for row, question in zip(rows, report.unanswered, strict=True)
    ]
    lines += _table(header, full_rows, right={0})
    lines.append(
        "Next step: file the question under the topic that answers it (content/asked/<topic>.yaml)"
        " or a new topic, then run `iombot check`."
    )
    return lines


def _topics_section(report: Report) -> list[str]:
    lines = [f"Topics asked ({len(report.topics)})"]
    if not report.topics:
        return [*lines, "No topics were asked in this period."]
    header = ("Topic", "Language", "Asked", "👍", "👎")
    rows = [
        (line.topic, line.language, str(line.asked), str(line.helpful), str(line.not_helpful))
        for line in report.topics
    ]
    lines += _table(header, rows, right={2, 3, 4})
    disliked = sorted(
        (line for line in report.topics if line.not_helpful > line.helpful),
        key=lambda line: (-line.not_helpful, line.topic, line.language),
    )
    if disliked:
        names = ", ".join(f"{line.topic} ({line.language})" for line in disliked[:3])
        lines.append(
            f"Next step: reread the topics with more 👎 than 👍 first ({names}) "
            "and make their answer clearer or more complete."
        )
    else:
        lines.append(
            "Next step: a topic with many 👎 misses what people ask: "
            "make its answer clearer or more complete."
        )
    return lines


def _talk_section(report: Report) -> list[str]:
    urgent = sum(line.count for line in report.talk if line.what == "urgent")
    lines = [f"Not questions: small talk, a person asked for, urgent ({urgent} urgent)"]
    if not report.talk:
        return [*lines, "No such messages in this period."]
    by_intent: dict[str, int] = {}
    for line in report.talk:
        by_intent[line.what] = by_intent.get(line.what, 0) + line.count
    rows = [(what, str(count)) for what, count in sorted(by_intent.items())]
    lines += _table(("What", "Count"), rows, right={1})
    urgent_rows = [
        (line.day, line.language, line.platform, str(line.count))
        for line in report.talk
        if line.what == "urgent"
    ]
    if urgent_rows:
        lines += ["", "Urgent messages (counted, never logged)"]
        lines += _table(("Day", "Language", "Platform", "Count"), urgent_rows, right={3})
    lines.append(
        "Next step: small talk the bot missed shows among the unanswered questions: add its "
        "wording to content/conversation/<language>.yaml."
    )
    return lines


def _review_section(report: Report) -> list[str]:
    lines = [f"Topics due for review ({len(report.review_due)})"]
    if not report.review_due:
        return [*lines, "No topics are due for review."]
    header = ("Topic", "Owner", "Last reviewed")
    rows = [
        (due.topic, due.owner or "(no owner)", due.reviewed or "never") for due in report.review_due
    ]
    lines += _table(header, rows, right=set())
    lines.append("Next step: set `reviewed:` and `owner:` in the topic file after checking it.")
    return lines


def _unreviewed_section(report: Report) -> list[str]:
    codes = report.unreviewed_languages
    lines = [f"Languages not yet reviewed ({len(codes)})"]
    if not codes:
        return [*lines, "Every language has been reviewed."]
    lines.append(_INDENT + ", ".join(codes))
    lines.append(
        "Next step: have a speaker check the language's texts, then set `reviewed: true` in "
        "content/languages.yaml (until then its replies say they are an unchecked translation)."
    )
    return lines


def render_text(report: Report, width: int = 100) -> str:
    """The report as a content editor reads it: a title with the period, then the unanswered
    questions, the topics asked and the topics due for review, each with a next step."""
    title = f"Editors' report: questions since {report.since}"
    sections = [
        [title, "=" * display_width(title)],
        _unanswered_section(report, width),
        _topics_section(report),
        _talk_section(report),
        _review_section(report),
        _unreviewed_section(report),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"
