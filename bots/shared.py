"""What every adapter shares, built once by the wiring (service.py) and passed to each adapter.

The shared behaviour lives here, once, rather than in each platform's handlers: answering with
the user's remembered language, the inbound flood limit, observing an answered question (metrics
and the log line), and the error path (count it, log its type, apologise in the user's language).
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
from .state import MemoryState, Profile, StateStore

if TYPE_CHECKING:
    from .handoff import Handoff
    from .settings import Settings


@dataclass
class Services:
    settings: Settings
    answerer: Answerer
    state: StateStore = field(default_factory=MemoryState)
    metrics: Metrics = field(default_factory=Metrics)
    flood: FloodGate | None = None  # default: 20 messages a minute per user, on `state`
    started: float = field(default_factory=time.time)
    handoff: Handoff | None = None  # asking a person: on when IOMBOT_HANDOFF_CHANNEL is set
    ledger: Ledger = field(init=False)  # what the editors' report is made of, on `state`

    def __post_init__(self) -> None:
        if self.flood is None:
            self.flood = FloodGate(self.state)
        self.ledger = Ledger(self.state, self.settings.question_log_days)

    # --- answering ----------------------------------------------------------------------------

    # `remembered=True`: the query already carries the user's remembered choice, if any (it came
    # through admit()), so the store is not asked again.

    async def answer(self, query: Query, remembered: bool = False) -> Reply:
        """The core's answer, in the language the user chose (which a /lang reply updates)."""
        query = query if remembered else await self._with_language(query)
        reply = await self._remember(query, self.answerer.answer(query))
        await self._note(query, reply)
        return reply

    async def act(self, query: Query, action: str, remembered: bool = False) -> Reply:
        """A pressed button ("topic:…", "lang:…"), answered like a message."""
        query = query if remembered else await self._with_language(query)
        reply = await self._remember(query, self.answerer.act(query, action))
        await self._note(query, reply)
        return reply

    async def language_for(self, query: Query, remembered: bool = False) -> str:
        query = query if remembered else await self._with_language(query)
        return self.answerer.language_for(query)

    def notice(self, key: str, language: str | None) -> Reply:
        """One of the bot's own short messages: "error", "rate_limited", "unsupported"."""
        return self.answerer.notice(key, language or "en")

    async def _with_language(self, query: Query) -> Query:
        key = _user_key(query)
        if query.language is not None or key is None:
            return query
        return replace(query, language=_language(await self.state.get_profile(key)))

    async def _note(self, query: Query, reply: Reply) -> None:
        await self.ledger.note(query, reply)

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

    async def _remember(self, query: Query, reply: Reply) -> Reply:
        key = _user_key(query)
        if reply.chosen_language and key is not None:
            await self.state.update_profile(key, {"language": reply.chosen_language})
        return reply

    # --- the flood limit ----------------------------------------------------------------------

    async def admit(self, platform: str, sender: str, query: Query) -> tuple[Verdict, Query]:
        """Count one message from a sender (a user, or a chat when there is no user) against
        the flood limit, and read the user's remembered language: one call to the store. The
        query comes back carrying that language, for answer(query, remembered=True)."""
        assert self.flood is not None
        user_key = _user_key(query) if query.language is None else None
        window_key = self.flood.window_key(f"{platform}:{sender}")
        count, profile = await self.state.note_message(window_key, self.flood.window, user_key)
        language = _language(profile)
        verdict = self.flood.verdict(count)
        if verdict is not Verdict.ALLOW:
            self.metrics.rate_limited.labels(platform).inc()
        return verdict, (replace(query, language=language) if language else query)

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


def _user_key(query: Query) -> str | None:
    return None if query.user_id is None else f"{query.platform}:{query.user_id}"


def _language(profile: Profile) -> str | None:
    language = profile.get("language")
    return language if isinstance(language, str) else None
