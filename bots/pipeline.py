"""One conversation pipeline: what happens to every message and button press, on every platform.

An adapter turns its platform's event into a `Incoming` and hands over a `Channel` that sends
replies its platform's way (errbot's `process_message` and a backend's `send_message`). The
pipeline does the rest, once for every platform:

dedupe (an event id is handled once, across replicas) -> a button the bot did not make is
ignored -> admission (the flood limit: past it one notice, then silence) -> 👍/👎 (filed and
thanked) -> the staff handoff (/staff, /done, a message to an open ticket) -> the answer (with
the person offered and the feedback buttons; a person asked for in words starts the handoff
where there is one) -> sent, counted in the metrics and logged; the question log notes it.
Anything that fails on the way is counted, logged (its type, never a text) and apologised for
in the user's language.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from ..core.reply import Query, Reply, ReplyKind
from .editors.feedback import Vote, parse_vote, thanks, with_feedback
from .flood import Verdict
from .handoff.asking import Asking

if TYPE_CHECKING:
    from .shared import Services

log = logging.getLogger("iombot.pipeline")

# A platform may deliver an event again (LINE redelivers, Slack retries a slow ack): its id is
# remembered this long, in the state store, so that replicas agree.
EVENT_MEMORY_SECONDS = 86400


@dataclass(frozen=True)
class Incoming:
    """One incoming message or button press, stripped of its platform."""

    query: Query  # the text (empty for a button), the user, platform, chat kind, locale hint
    chat: str  # the conversation the replies go to (and the handoff's key for it)
    action: str | None = None  # a pressed button's action ("topic:…", "fb:…"), instead of text
    event_id: str | None = None  # the platform's id for the event: handled once
    answer: str | None = None  # for a 👍/👎: which answer was voted on (its message)
    unsupported: bool = False  # a sticker, photo, voice…: "text only, please"
    notify_flood: bool = True  # whether the flood notice is said here (LINE: not in groups)
    # The platform's language hint when it costs a request (a LINE profile): asked only when no
    # language choice and no script of the text decides.
    locale: Callable[[], Awaitable[str | None]] | None = None
    log: dict[str, Any] = field(default_factory=dict)  # fields for the log line (update_id, via)


class Channel(Protocol):
    """Where the replies to one message go: the adapter's side of the conversation."""

    async def send(self, replies: Sequence[Reply]) -> bool:
        """Send the replies in order; False when they could not be (the adapter logged why)."""
        ...

    async def thank(self, vote: Vote, text: str) -> None:
        """Thank for a 👍/👎 the platform's way (a button notice, the answer edited, a line)."""
        ...


# What an adapter may do itself with an admitted query before it is answered (Slack's staff
# commands): True when it did.
OwnCommands = Callable[[Query], Awaitable[bool]]


class Pipeline:
    def __init__(self, services: Services):
        self.services = services
        self.asking = Asking(services)

    async def process(
        self, message: Incoming, channel: Channel, own: OwnCommands | None = None
    ) -> None:
        """Take one message through every step; never raises (the platform must get its 2xx)."""
        started = time.perf_counter()
        platform = message.query.platform
        query: Query | None = None
        try:
            if message.event_id and not await self.services.state.first_time(
                f"{platform}:event:{message.event_id}", EVENT_MEMORY_SECONDS
            ):
                return  # a redelivery, or the same event taken by another replica
            if message.action is not None and not self._ours(message.action):
                # Another app's button, a LINE rich menu's postback, a stale or forged one.
                fields = {"platform": platform, **self._fields(message)}
                log.info("ignored a button the bot did not make", extra=fields)
                return
            query = await self._admit(message, channel)
            if query is None:
                return
            if message.unsupported:
                query = await self._with_locale(message, query)
                await channel.send((self.services.notice("unsupported", self._language(query)),))
                return
            vote = parse_vote(message.action) if message.action else None
            if vote is not None:
                await self._vote(message, query, vote, channel)
                return
            if own is not None and await own(query):
                return
            # Before the handoff: /staff and the staff button (no text) answer in the user's
            # language, which on LINE only the profile tells.
            query = await self._with_locale(message, query)
            handled = await self._handoff(message, query)
            if handled is not None:
                await channel.send(handled)
                return
            if message.action is not None:
                reply = await self.services.act(query, message.action)
            else:
                reply = await self.services.answer(query)
            if reply.kind is ReplyKind.PERSON and self.asking.can_start(platform, query):
                # A person asked for in words: the same flow as /staff (the consent prompt).
                replies = await self.asking.staff(platform, message.chat, query, "")
                await channel.send(replies)
                return
            reply = with_feedback(self.asking.offer(platform, reply, query))
            if await channel.send((reply,)):
                self.services.answered(platform, reply, started, **self._fields(message))
        except Exception as error:
            self.services.failed(
                platform, "handling a message", error, traceback=True, **self._fields(message)
            )
            await self._apologise(channel, query)

    # --- the steps ----------------------------------------------------------------------------

    async def _admit(self, message: Incoming, channel: Channel) -> Query | None:
        """The flood limit: the query (carrying the user's remembered language) to go on with,
        or None; the first message past the budget gets one notice, then silence."""
        query = message.query
        sender = query.user_id or f"chat:{message.chat}"
        verdict, query = await self.services.admit(query.platform, sender, query)
        if verdict is Verdict.NOTICE and message.notify_flood:
            language = self._language(await self._with_locale(message, query))
            await channel.send((self.services.notice("rate_limited", language),))
        return query if verdict is Verdict.ALLOW else None

    async def _vote(self, message: Incoming, query: Query, vote: Vote, channel: Channel) -> None:
        """👍/👎: filed once per person and answer (a second press changes it), and thanked."""
        voter = query.user_id or f"chat:{message.chat}"
        answer = message.answer or f"{vote.topic}:{vote.language}"
        await self.services.vote(query.platform, voter, answer, vote)
        await channel.thank(vote, thanks(self.services.answerer.strings, vote.language))

    async def _handoff(self, message: Incoming, query: Query) -> tuple[Reply, ...] | None:
        """The replies when asking a person takes the message (bots/handoff/asking.py)."""
        platform = query.platform
        if message.action is not None:
            return await self.asking.button(platform, message.chat, query, message.action)
        return await self.asking.message(platform, message.chat, query)

    async def _with_locale(self, message: Incoming, query: Query) -> Query:
        """The platform's costly language hint, asked only when it can matter: before anything
        is said in the user's language (an answer, the handoff's words, a notice)."""
        if message.locale is None or query.language is not None or query.locale is not None:
            return query
        if self.services.answerer.languages.from_script(query.text) is not None:
            return query  # the text's script decides by itself (Japanese, say)
        return replace(query, locale=await message.locale())

    async def _apologise(self, channel: Channel, query: Query | None) -> None:
        try:
            language = self._language(query) if query is not None else None
            await channel.send((self.services.notice("error", language),))
        except Exception as error:  # the apology must not fail with what failed
            log.warning("could not apologise: %s", type(error).__name__)

    # --- helpers ------------------------------------------------------------------------------

    def _ours(self, action: str) -> bool:
        """A button of the bot's: a topic or language (the core), 👍/👎, the handoff's."""
        return (
            self.services.answerer.acts_on(action)
            or parse_vote(action) is not None
            or self.asking.takes(action)
        )

    def _language(self, query: Query) -> str:
        return self.services.answerer.language_for(query)

    @staticmethod
    def _fields(message: Incoming) -> dict[str, Any]:
        fields = dict(message.log)
        if message.event_id is not None:
            fields.setdefault("event_id", message.event_id)
        return fields
