"""LINE events to core Queries, and the replies.

- 1:1 text: answered with the reply API; the buttons as quick replies (postbacks).
- Groups and rooms: commands, and text that mentions the bot; everything else is ignored.
- follow: the welcome and the menu. Non-text messages in 1:1: "text only, please"; in groups,
  nothing.
- A postback: a topic or language button, the staff button, or 👍/👎.
- Each event once (webhookEventId, in the state store: across replicas too).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhooks import (
    FollowEvent,
    GroupSource,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    TextMessageContent,
    UserSource,
)

from ...core.reply import Paragraph, Query, Reply, ReplyKind, Text
from ..bounded import BoundedMap
from ..editors.feedback import parse_vote, thanks, with_feedback
from ..flood import Verdict
from ..handoff.asking import Asking
from .render import render_dicts

if TYPE_CHECKING:
    from ..shared import Services
    from .client import LineApi

log = logging.getLogger("iombot.line")

PLATFORM = "line"
EVENT_MEMORY_SECONDS = 86400  # LINE redelivers for a while; an event is answered once
PROFILE_SECONDS = 86400
PROFILE_TIMEOUT = 1.0  # the profile's language is a hint: never wait long for it


class LineHandlers:
    def __init__(self, services: Services, line: LineApi):
        self.services = services
        self.line = line
        self.asking = Asking(services)
        self.languages: BoundedMap[str, str] = BoundedMap(10_000, PROFILE_SECONDS)

    async def handle(self, event: Any) -> None:
        started = time.perf_counter()
        event_id = getattr(event, "webhook_event_id", None)
        try:
            if event_id and not await self.services.state.first_time(
                f"line:{event_id}", EVENT_MEMORY_SECONDS
            ):
                return  # a redelivery (or the same event at another replica)
            if isinstance(event, MessageEvent):
                await self.on_message(event, started)
            elif isinstance(event, PostbackEvent):
                await self.on_postback(event, started)
            elif isinstance(event, FollowEvent):
                await self.on_follow(event, started)
        except Exception as error:
            self.services.failed(
                PLATFORM, "handling an event", error, traceback=True, event_id=event_id
            )
            await self._apologise(event)

    # --- events -------------------------------------------------------------------------------

    async def on_message(self, event: MessageEvent, started: float) -> None:
        kind, chat = _chat(event.source)
        message = event.message
        if not isinstance(message, TextMessageContent):
            if kind == "private":
                query = await self._admit(event, self._query(event, "", kind))
                if query is not None:
                    language = await self.services.language_for(query, remembered=True)
                    await self.reply(
                        event.reply_token, [self.services.notice("unsupported", language)]
                    )
            return
        text = message.text or ""
        if kind == "group":
            addressed = _without_mention(message)
            if text.lstrip().startswith("/"):
                pass
            elif addressed is not None:
                text = addressed
            else:
                return  # group chatter, not for us
        query = await self._admit(event, self._query(event, text, kind))
        if query is None:
            return
        query = await self._with_locale(event, query)
        handled = await self.asking.message(PLATFORM, chat, query)
        if handled is not None:
            await self.reply(event.reply_token, list(handled))
            return
        reply = await self.services.answer(query, remembered=True)
        reply = with_feedback(self.asking.offer(PLATFORM, reply, query))
        if await self.reply(event.reply_token, [reply]):
            self.services.answered(PLATFORM, reply, started, event_id=event.webhook_event_id)

    async def on_postback(self, event: PostbackEvent, started: float) -> None:
        kind, chat = _chat(event.source)
        data = event.postback.data or ""
        query = await self._admit(event, self._query(event, "", kind))
        if query is None:
            return
        vote = parse_vote(data)
        if vote is not None:
            # LINE says nothing of which message a postback came from: one vote per person and
            # topic (a second press changes it), thanked in a line.
            answer = f"{vote.topic}:{vote.language}"
            await self.services.vote(PLATFORM, query.user_id or f"chat:{chat}", answer, vote)
            thank_you = thanks(self.services.answerer.strings, vote.language)
            await self.reply(event.reply_token, [_text(thank_you, vote.language)])
            return
        query = await self._with_locale(event, query)
        handled = await self.asking.button(PLATFORM, chat, query, data)
        if handled is not None:
            await self.reply(event.reply_token, list(handled))
            return
        reply = await self.services.act(query, data, remembered=True)
        reply = with_feedback(self.asking.offer(PLATFORM, reply, query))
        if await self.reply(event.reply_token, [reply]):
            self.services.answered(
                PLATFORM, reply, started, event_id=event.webhook_event_id, via="postback"
            )

    async def on_follow(self, event: FollowEvent, started: float) -> None:
        query = self._query(event, "/start", "private", await self._locale(event))
        reply = await self.services.answer(query)
        if await self.reply(event.reply_token, [reply]):
            self.services.answered(
                PLATFORM, reply, started, event_id=event.webhook_event_id, via="follow"
            )

    # --- sending ------------------------------------------------------------------------------

    async def reply(self, token: str | None, replies: list[Reply]) -> bool:
        """Send replies with the event's reply token (at most 5 messages in all). An expired or
        used token is logged, never raised."""
        messages = [m for reply in replies for m in render_dicts(reply)][:5]
        if not token or not messages:
            return False
        try:
            await self.line.reply(token, messages)
        except ApiException as error:
            if error.status == 400:
                log.warning(
                    "LINE refused the reply (HTTP 400: an expired or used reply token?)",
                    extra={"platform": PLATFORM},
                )
            else:
                self.services.failed(PLATFORM, "reply", f"HTTP {error.status}")
            return False
        return True

    async def _apologise(self, event: Any) -> None:
        token = getattr(event, "reply_token", None)
        if not token or not isinstance(getattr(event, "source", None), UserSource):
            return
        try:
            await self.reply(token, [self.services.notice("error", None)])
        except Exception as error:  # the apology must not fail with what failed
            log.warning(
                "could not apologise: %s", type(error).__name__, extra={"platform": PLATFORM}
            )

    # --- helpers ------------------------------------------------------------------------------

    def _query(self, event: Any, text: str, kind: str, locale: str | None = None) -> Query:
        user = getattr(event.source, "user_id", None)
        return Query(text=text, user_id=user, locale=locale, platform=PLATFORM, chat_kind=kind)

    async def _admit(self, event: Any, query: Query) -> Query | None:
        kind, chat = _chat(event.source)
        sender = query.user_id or f"chat:{chat}"
        verdict, query = await self.services.admit(PLATFORM, sender, query)
        if verdict is Verdict.NOTICE and kind == "private":
            language = await self.services.language_for(query, remembered=True)
            await self.reply(event.reply_token, [self.services.notice("rate_limited", language)])
        return query if verdict is Verdict.ALLOW else None

    async def _with_locale(self, event: Any, query: Query) -> Query:
        """The profile's language, asked only when it can matter: no /lang choice, and no
        script in the text that decides by itself (Japanese, say: languages.py)."""
        languages = self.services.answerer.languages
        if query.language is not None or languages.from_script(query.text) is not None:
            return query
        return replace(query, locale=await self._locale(event))

    async def _locale(self, event: Any) -> str | None:
        """The LINE profile's language (a hint after /lang and Japanese text), cached a day; the
        profile is asked for at most a second."""
        user = getattr(event.source, "user_id", None)
        if not user:
            return None
        if user in self.languages:  # "" for a profile without a language
            return self.languages.get(user) or None
        language = None
        try:
            language = await asyncio.wait_for(self.line.profile_language(user), PROFILE_TIMEOUT)
        except Exception as error:
            log.info(
                "no LINE profile language (%s)", type(error).__name__, extra={"platform": PLATFORM}
            )
        self.languages.set(user, language or "")
        return language


def _chat(source: Any) -> tuple[str, str]:
    if isinstance(source, GroupSource):
        return "group", source.group_id
    if isinstance(source, RoomSource):
        return "group", source.room_id
    return "private", getattr(source, "user_id", "") or ""


def _without_mention(message: TextMessageContent) -> str | None:
    """The text without the bot's own mention, or None when the bot is not mentioned."""
    mention = message.mention
    if mention is None:
        return None
    text = message.text or ""
    for mentionee in mention.mentionees or []:
        if getattr(mentionee, "is_self", False):
            start, length = mentionee.index or 0, mentionee.length or 0
            return (text[:start] + text[start + length :]).strip()
    return None


def _text(text: str, language: str) -> Reply:
    return Reply(kind=ReplyKind.NOTICE, language=language, blocks=(Paragraph((Text(text),)),))
