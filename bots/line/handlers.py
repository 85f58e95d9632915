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
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from linebot.v3.messaging.exceptions import ApiException

from ...core.reply import Paragraph, Query, Reply, ReplyKind, Text
from ..bounded import BoundedMap
from ..editors.feedback import Vote
from ..pipeline import Incoming, Pipeline
from .events import LineEvent
from .render import render_dicts

if TYPE_CHECKING:
    from ..shared import Services
    from .client import LineApi

log = logging.getLogger("iombot.line")

PLATFORM = "line"
PROFILE_SECONDS = 86400
PROFILE_TIMEOUT = 1.0  # the profile's language is a hint: never wait long for it


class LineChat:
    """The pipeline's channel for one event: its reply token, good for one reply of at most
    five messages (what does not fit is dropped, as LINE would refuse it)."""

    def __init__(self, handlers: LineHandlers, token: str | None):
        self.handlers = handlers
        self.token = token

    async def send(self, replies: Sequence[Reply]) -> bool:
        token, self.token = self.token, None  # a reply token is good once
        return await self.handlers.reply(token, list(replies))

    async def thank(self, vote: Vote, text: str) -> None:
        """LINE says nothing of which message a postback came from: thanked in a line."""
        await self.send((_text(text, vote.language),))


class LineHandlers:
    def __init__(self, services: Services, line: LineApi):
        self.services = services
        self.line = line
        self.pipeline = Pipeline(services)
        self.languages: BoundedMap[str, str] = BoundedMap(10_000, PROFILE_SECONDS)

    async def handle(self, event: LineEvent) -> None:
        """One webhook event: messages and postbacks go through the pipeline, a follow gets the
        welcome; other kinds (unfollow, join, unsend…) need nothing from us, nor does an event
        in standby mode (another channel of the account answers it) or from no chat."""
        if event.standby or event.source is None:
            return
        if event.kind == "message":
            await self.on_message(event)
        elif event.kind == "postback":
            await self.on_postback(event)
        elif event.kind == "follow":
            await self.on_follow(event)

    # --- events -------------------------------------------------------------------------------

    async def on_message(self, event: LineEvent) -> None:
        kind = _chat_kind(event)
        text = event.text or ""
        unsupported = event.message_type != "text"
        if unsupported and kind != "private":
            return  # a photo or sticker in a group: not for us
        if kind == "group" and not text.lstrip().startswith("/"):
            addressed = _without_mention(event)
            if addressed is None:
                return  # group chatter, not for us
            text = addressed
        await self.pipeline.process(
            self._incoming(event, text, unsupported=unsupported),
            LineChat(self, event.reply_token),
        )

    async def on_postback(self, event: LineEvent) -> None:
        await self.pipeline.process(
            self._incoming(event, "", action=event.postback or "", via="postback"),
            LineChat(self, event.reply_token),
        )

    async def on_follow(self, event: LineEvent) -> None:
        """A new friend: the welcome and the menu, in the profile's language."""
        incoming = self._incoming(event, "/start", via="follow")
        query = replace(incoming.query, locale=await self._locale(event))
        await self.pipeline.process(
            replace(incoming, query=query), LineChat(self, event.reply_token)
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

    # --- helpers ------------------------------------------------------------------------------

    def _incoming(
        self,
        event: LineEvent,
        text: str,
        action: str | None = None,
        unsupported: bool = False,
        via: str | None = None,
    ) -> Incoming:
        assert event.source is not None  # handle() takes only events from a chat
        kind = _chat_kind(event)
        query = Query(text=text, user_id=event.source.user_id, platform=PLATFORM, chat_kind=kind)
        return Incoming(
            query,
            event.source.chat,
            action=action,
            event_id=event.event_id,
            unsupported=unsupported,
            notify_flood=kind == "private",
            locale=lambda: self._locale(event),
            log={"via": via} if via else {},
        )

    async def _locale(self, event: LineEvent) -> str | None:
        """The LINE profile's language (a hint after /lang and the text's script), cached a day;
        the profile is asked for at most a second."""
        user = event.source.user_id if event.source else None
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


def _chat_kind(event: LineEvent) -> str:
    """A 1:1 chat is "private"; a group or a room (a group without a name) is "group"."""
    return "private" if event.source is None or event.source.kind == "user" else "group"


def _without_mention(event: LineEvent) -> str | None:
    """The text without the bot's own mention, or None when the bot is not mentioned."""
    text = event.text or ""
    for mention in event.mentions:
        if mention.is_self:
            return (text[: mention.index] + text[mention.index + mention.length :]).strip()
    return None


def _text(text: str, language: str) -> Reply:
    return Reply(kind=ReplyKind.NOTICE, language=language, blocks=(Paragraph((Text(text),)),))
