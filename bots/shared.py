"""What every adapter and the pipeline share, built once by bots/bootstrap.py.

Answering with the user's profile (the language they chose), the inbound flood limit, votes and
the editors' report, observing an answered question (metrics and the log line), and counting
and logging a failure. The pipeline (pipeline.py) puts these steps in order.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..core.answerer import Answerer
from ..core.reply import Query, Reply
from .editors.feedback import Vote
from .editors.ledger import Ledger
from .editors.report import Report
from .editors.reporting import build_report
from .flood import FloodGate, Verdict
from .metrics import Metrics
from .state import Profile, StateStore

if TYPE_CHECKING:
    from .handoff import Handoff
    from .settings import Settings


@dataclass
class Services:
    """Built by bots/bootstrap.py (make_services), which makes every part: nothing is wired here."""

    settings: Settings
    answerer: Answerer
    state: StateStore
    metrics: Metrics
    flood: FloodGate
    ledger: Ledger  # what the editors' report is made of, on `state`
    handoff: Handoff | None = None  # asking a person: on when IOMBOT_HANDOFF_CHANNEL is set
    started: float = field(default_factory=time.time)

    # --- answering ----------------------------------------------------------------------------

    # The core keeps no state: a query carries the user's language choice in, and a reply that
    # makes one (/lang ja) is remembered here. The pipeline's admission reads the user's profile
    # with the flood count, in one call to the store; anything else asks `with_profile` first.

    async def with_profile(self, query: Query) -> Query:
        """The query with the language the user chose, if any (read from their profile)."""
        key = _user_key(query)
        if query.language is not None or key is None:
            return query
        return _with_choice(query, await self.state.get_profile(key))

    async def answer(self, query: Query) -> Reply:
        """The core's answer to a query that carries the user's choice; a /lang is remembered."""
        reply = await self._remember(query, self.answerer.answer(query))
        await self.ledger.note(query, reply)
        return reply

    async def act(self, query: Query, action: str) -> Reply:
        """A pressed button ("topic:…", "lang:…"), answered like a message."""
        reply = await self._remember(query, self.answerer.act(query, action))
        await self.ledger.note(query, reply)
        return reply

    async def language_for(self, query: Query) -> str:
        return self.answerer.language_for(await self.with_profile(query))

    def notice(self, key: str, language: str | None, /, **values: str) -> Reply:
        """One of the bot's own short messages: "error", "rate_limited", "unsupported", with
        its {placeholders} filled from `values`."""
        return self.answerer.notice(key, language or self.answerer.languages.default, **values)

    async def _remember(self, query: Query, reply: Reply) -> Reply:
        key = _user_key(query)
        if reply.chosen_language and key is not None:
            await self.state.update_profile(key, {"language": reply.chosen_language})
        return reply

    # --- the editors' loop --------------------------------------------------------------------

    async def vote(self, platform: str, voter: str, answer: str, vote: Vote) -> None:
        """A 👍/👎: filed once per person and answer (a second press changes it), and counted
        when new or changed (the same button pressed again counts once)."""
        if await self.ledger.vote(platform, voter, answer, vote.topic, vote.language, vote.helpful):
            self.metrics.feedback.labels(
                platform, vote.language, "up" if vote.helpful else "down"
            ).inc()

    async def report(self, since: str) -> Report:
        """The editors' report from the shared store, this process's latest counts included."""
        await self.ledger.flush()
        return await build_report(self.state, self.answerer.content, since)

    # --- the flood limit ----------------------------------------------------------------------

    async def admit(self, platform: str, sender: str, query: Query) -> tuple[Verdict, Query]:
        """Count one message from a sender (a user, or a chat when there is no user) against
        the flood limit, and read the user's profile: one call to the store. The query comes
        back carrying the user's language choice, if any."""
        user_key = _user_key(query) if query.language is None else None
        window_key = self.flood.window_key(f"{platform}:{sender}")
        count, profile = await self.state.note_message(window_key, self.flood.window, user_key)
        verdict = self.flood.verdict(count)
        if verdict is not Verdict.ALLOW:
            self.metrics.rate_limited.labels(platform).inc()
        return verdict, _with_choice(query, profile)

    # --- observing ----------------------------------------------------------------------------

    def answered(self, platform: str, reply: Reply, started: float, **context: Any) -> None:
        """Metrics and one log line for a reply sent; `started` is a time.perf_counter()."""
        seconds = time.perf_counter() - started
        self.metrics.observe(platform, reply, seconds)
        fields = {
            "platform": platform,
            "kind": reply.kind.value,
            "topic": reply.topic,
            "language": reply.language,
            "latency_ms": round(seconds * 1000, 1),
            **context,
        }
        logging.getLogger(f"iombot.{platform}").info(
            "answered", extra={k: v for k, v in fields.items() if v is not None}
        )

    def failed(
        self,
        platform: str,
        what: str,
        error: BaseException | str,
        traceback: bool = False,
        **context: Any,
    ) -> None:
        """Count a failure and log what failed and the error's type: never a message text."""
        self.metrics.errors.labels(platform).inc()
        reason = error if isinstance(error, str) else type(error).__name__
        fields = {"platform": platform, **context}
        logging.getLogger(f"iombot.{platform}").error(
            "%s failed: %s",
            what,
            reason,
            exc_info=error if traceback and isinstance(error, BaseException) else None,
            extra={k: v for k, v in fields.items() if v is not None},
        )


def _with_choice(query: Query, profile: Profile) -> Query:
    language = profile.get("language")
    return replace(query, language=language) if isinstance(language, str) else query


def _user_key(query: Query) -> str | None:
    return None if query.user_id is None else f"{query.platform}:{query.user_id}"
