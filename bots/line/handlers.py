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
from typing import TYPE_CHECKING, Any

from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhooks import (
    FollowEvent,
    GroupSource,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    TextMessageContent,
)

from ...core.reply import Paragraph, Query, Reply, ReplyKind, Text
from ..bounded import BoundedMap
from ..editors.feedback import Vote
from ..pipeline import Incoming, Pipeline
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

    async def handle(self, event: Any) -> None:
        """One webhook event: messages and postbacks go through the pipeline, a follow gets the
        welcome; other kinds (unfollow, join, unsend…) need nothing from us."""
        if isinstance(event, MessageEvent):
            await self.on_message(event)
        elif isinstance(event, PostbackEvent):
            await self.on_postback(event)
        elif isinstance(event, FollowEvent):
            await self.on_follow(event)

    # --- events -------------------------------------------------------------------------------

    async def on_message(self, event: MessageEvent) -> None:
        kind, _ = _chat(event.source)
        message = event.message
        text = getattr(message, "text", None) or ""
        unsupported = not isinstance(message, TextMessageContent)
        if unsupported and kind != "private":
            return  # a photo or sticker in a group: not for us
        if kind == "group" and not text.lstrip().startswith("/"):
            addressed = _without_mention(message)
            if addressed is None:
                return  # group chatter, not for us
            text = addressed
        await self.pipeline.process(
            self._incoming(event, text, unsupported=unsupported),
            LineChat(self, event.reply_token),
        )

    async def on_postback(self, event: PostbackEvent) -> None:
        await self.pipeline.process(
            self._incoming(event, "", action=event.postback.data or "", via="postback"),
            LineChat(self, event.reply_token),
        )

    async def on_follow(self, event: FollowEvent) -> None:
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
        event: Any,
        text: str,
        action: str | None = None,
        unsupported: bool = False,
        via: str | None = None,
    ) -> Incoming:
        kind, chat = _chat(event.source)
        user = getattr(event.source, "user_id", None)
        query = Query(text=text, user_id=user, platform=PLATFORM, chat_kind=kind)
        return Incoming(
            query,
            chat,
            action=action,
            event_id=getattr(event, "webhook_event_id", None) or None,
            unsupported=unsupported,
            notify_flood=kind == "private",
            locale=lambda: self._locale(event),
            log={"via": via} if via else {},
        )

    async def _locale(self, event: Any) -> str | None:
        """The LINE profile's language (a hint after /lang and the text's script), cached a day;
        the profile is asked for at most a second."""
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
