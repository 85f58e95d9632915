"""Staff replies to LINE chats, from any process: a push message (a reply token is long gone by
the time staff answer), made from the settings alone."""

from __future__ import annotations

from linebot.v3.messaging import PushMessageRequest
from linebot.v3.messaging.exceptions import ApiException

from ...core.reply import Reply
from ..handoff import Undeliverable
from .client import LineApi
from .render import render
from .settings import LineSettings


class LineDeliverer:
    def __init__(self, settings: LineSettings):
        self.line = LineApi(settings)

    async def deliver(self, chat: str, reply: Reply) -> None:
        messages = render(reply)
        for start in range(0, len(messages), 5):  # a push carries at most 5 messages
            batch = messages[start : start + 5]
            try:
                await self.line.call(
                    "push",
                    lambda api, batch=batch: api.push_message(
                        PushMessageRequest(to=chat, messages=batch)
                    ),
                )
            except ApiException as error:
                if error.status in (400, 403, 404):  # blocked, not a friend, no such user
                    raise Undeliverable(f"HTTP {error.status}") from error
                raise

    async def close(self) -> None:
        await self.line.close()
