"""What the editors' report is made of, kept in the state store (so replicas share it):
- the free-text questions that got no confident answer, masked, kept IOMBOT_QUESTION_LOG_DAYS;
- how often each topic was shown, per day and language (counts);
- 👍/👎 votes on answers, one per person and answer (a second press changes it);
- messages that are not questions, counted per day, language and platform, never logged: small
  talk by intent, a person asked for, and urgent messages (someone in trouble).

No user id, name or chat id is kept with a question. A vote is filed under a hash of who voted
and on which answer (so that a second press replaces the first), with the topic, language and
day: never the person.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ...core.reply import Query, Reply, ReplyKind
from ..state import StateStore
from .masking import mask
from .report import LoggedQuestion, TalkLine, TopicLine

log = logging.getLogger("iombot.editors")

QUESTIONS, VOTES, ASKED, TALK = "question", "vote", "asked", "talk"
COUNTS_DAYS = 400  # topic counts and votes (no personal data): a year, and a margin
MAX_PENDING = 1000  # keys counted in memory before a flush is forced
FLUSH_SECONDS = 5.0  # how often the counts go to the store (a report may lag this much)


def day_of(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")


@dataclass
class Ledger:
    state: StateStore
    question_days: int = 90  # 0: no question log at all
    clock: Callable[[], float] = time.time
    # Topics shown are counted here and added to the store in one write per key every few
    # seconds (flush(), by a periodic job and at shutdown), not one write per answer.
    pending: dict[str, int] = field(default_factory=dict)
    pending_talk: dict[str, int] = field(default_factory=dict)

    async def note(self, query: Query, reply: Reply) -> None:
        """After every reply: a topic shown is counted; a free-text question without a
        confident answer is logged. Never raises: the answer matters more than the ledger."""
        try:
            talk = "urgent" if reply.urgent else reply.intent
            if talk is not None:  # counted, never logged with its text
                key = f"{day_of(self.clock())}|{talk}|{reply.language}|{query.platform}"
                self.pending_talk[key] = self.pending_talk.get(key, 0) + 1
            if reply.kind is ReplyKind.TOPIC and reply.topic:
                key = f"{day_of(self.clock())}|{reply.topic}|{reply.language}"
                self.pending[key] = self.pending.get(key, 0) + 1
            elif (
                reply.kind is ReplyKind.SUGGESTIONS
                and self.question_days > 0
                and query.text.strip()
                and not query.text.lstrip().startswith("/")
            ):
                await self._log_question(query, reply)
            if len(self.pending) + len(self.pending_talk) >= MAX_PENDING:
                await self.flush()
        except Exception as error:  # a store failure is counted by the store itself
            log.warning("could not note a reply for the editors: %s", type(error).__name__)

    async def flush(self) -> None:
        """Add the counts kept since the last flush to the store."""
        pending, self.pending = self.pending, {}
        talk, self.pending_talk = self.pending_talk, {}
        await self._add(ASKED, pending, self.pending)
        await self._add(TALK, talk, self.pending_talk)

    async def _add(self, kind: str, counts: dict[str, int], again: dict[str, int]) -> None:
        items = list(counts.items())
        for done, (key, amount) in enumerate(items):
            try:
                await self.state.add_count(kind, key, COUNTS_DAYS * 86400, amount)
            except Exception as error:
                log.warning("could not add %s counts: %s", kind, type(error).__name__)
                for key, amount in items[done:]:  # this one and the rest: the next flush
                    again[key] = again.get(key, 0) + amount
                return

    async def _log_question(self, query: Query, reply: Reply) -> None:
        now = self.clock()
        entry = {
            "text": mask(query.text.strip()),
            "language": reply.language,
            "platform": query.platform,
            "at": round(now, 3),
            "closest": reply.closest,
            "score": reply.score,
        }
        key = f"{int(now * 1000)}-{secrets.token_hex(4)}"
        await self.state.put_record(QUESTIONS, key, entry, self.question_days * 86400)

    async def vote(
        self, platform: str, voter: str, answer: str, topic: str, language: str, helpful: bool
    ) -> bool:
        """File a vote; True when it is new or changed (a second press on the same button is
        the same vote)."""
        digest = hashlib.blake2b(f"{platform}\0{voter}\0{answer}".encode(), digest_size=12)
        key = digest.hexdigest()
        before = await self.state.get_record(VOTES, key)
        vote = {
            "topic": topic,
            "language": language,
            "helpful": helpful,
            "day": day_of(self.clock()),
        }
        if before and before.get("helpful") == helpful and before.get("topic") == topic:
            return False
        await self.state.put_record(VOTES, key, vote, COUNTS_DAYS * 86400)
        return True

    # --- reading, for the report ---------------------------------------------------------------

    async def questions(self, since: str) -> list[LoggedQuestion]:
        records = await self.state.list_records(QUESTIONS)
        return [
            LoggedQuestion(
                text=str(r["text"]),
                language=str(r["language"]),
                platform=str(r["platform"]),
                at=float(r["at"] or 0),
                closest=r.get("closest"),  # type: ignore[arg-type]
                score=r.get("score"),  # type: ignore[arg-type]
            )
            for r in records
            if day_of(float(r["at"] or 0)) >= since
        ]

    async def talk_lines(self, since: str) -> list[TalkLine]:
        """Messages that were not questions, per intent, day, language and platform."""
        lines = []
        for key, count in (await self.state.list_counts(TALK)).items():
            day, what, language, platform = key.split("|", 3)
            if day >= since:
                lines.append(TalkLine(what, day, language, platform, count))
        return sorted(lines, key=lambda line: (line.what, line.day, line.language, line.platform))

    async def topic_lines(
        self, since: str, topics: list[str], languages: tuple[str, ...]
    ) -> list[TopicLine]:
        """Per topic and language: times shown, 👍 and 👎, since a day (YYYY-MM-DD). Every topic
        and language has a line, zeros included: a topic nobody asks about is news too."""
        asked: dict[tuple[str, str], int] = {}
        for key, count in (await self.state.list_counts(ASKED)).items():
            day, topic, language = key.split("|", 2)
            if day >= since:
                asked[topic, language] = asked.get((topic, language), 0) + count
        helpful: dict[tuple[str, str], list[int]] = {}
        for vote in await self.state.list_records(VOTES):
            if str(vote.get("day")) < since:
                continue
            counts = helpful.setdefault((str(vote["topic"]), str(vote["language"])), [0, 0])
            counts[0 if vote.get("helpful") else 1] += 1
        known = [(t, lang) for t in topics for lang in languages]
        extra = sorted(set(asked) | set(helpful) - set(known))
        return [
            TopicLine(
                topic=topic,
                language=language,
                asked=asked.get((topic, language), 0),
                helpful=helpful.get((topic, language), [0, 0])[0],
                not_helpful=helpful.get((topic, language), [0, 0])[1],
            )
            for topic, language in [*known, *(k for k in extra if k not in known)]
        ]
