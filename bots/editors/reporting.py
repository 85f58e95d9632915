"""The editors' report, put together from the state store and the content: for
`iombot report`, Slack's `/iom report` and the weekly digest."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from ...core.content import topics_due_for_review
from ...core.schema import DEFAULT_REVIEW_DAYS
from ...core.topics import Content
from ..state import StateStore
from .ledger import Ledger
from .report import Report, ReviewDue, merge_questions

DEFAULT_SINCE = "7d"


def since_day(text: str, today: date | None = None) -> str:
    """`7d`, `30d` (days back from today) or `YYYY-MM-DD`, as YYYY-MM-DD; ValueError else."""
    today = today or datetime.now(UTC).date()
    text = text.strip()
    if match := re.fullmatch(r"(\d{1,4})d", text):
        return (today - timedelta(days=int(match[1]))).isoformat()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{text!r}: use 7d, 30d or a date such as 2026-11-01") from None


async def build_report(
    state: StateStore,
    content: Content,
    since: str,
    review_days: int = DEFAULT_REVIEW_DAYS,
    today: date | None = None,
) -> Report:
    ledger = Ledger(state)  # reading only: how long questions are kept is the writer's
    today = today or datetime.now(UTC).date()
    questions = await ledger.questions(since)
    commands = [topic.command for topic in content.topics]
    lines = await ledger.topic_lines(since, commands, content.languages.codes)
    due = [
        ReviewDue(topic, owner, reviewed.isoformat() if reviewed else None)
        for topic, owner, reviewed in topics_due_for_review(content, today, review_days)
    ]
    return Report(
        since=since,
        unanswered=merge_questions(questions),
        topics=tuple(lines),
        review_due=tuple(due),
        talk=tuple(await ledger.talk_lines(since)),
        unreviewed_languages=content.languages.unreviewed,
    )
