"""Staff replies to Telegram chats, from any process: a Bot made from the settings alone (the
Slack service delivers through it too), with the adapter's rendering, retries and HTTP client."""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from ...core.reply import Reply
from ..handoff import Undeliverable
from .render import render
from .request import AiohttpRequest
from .sending import quiet_send_message_advice, send
from .settings import TelegramSettings


class TelegramDeliverer:
    def __init__(self, settings: TelegramSettings):
        # Our request class: its session opens at the first reply and closes with close(). (A
        # Bot's own shutdown does nothing unless initialize() ran, which costs a getMe.)
        self.request = AiohttpRequest()
        quiet_send_message_advice()
        self.bot = Bot(
            settings.token.value,
            base_url=f"{settings.api_url}/bot",
            request=self.request,
            get_updates_request=AiohttpRequest(),  # never used: never opens a session
        )

    async def deliver(self, chat: str, reply: Reply) -> None:
        await self.request.initialize()  # a no-op once open
        try:
            await send(self.bot, int(chat), render(reply))
        except Forbidden as error:  # blocked by the user, or kicked
            raise Undeliverable(type(error).__name__) from error
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                raise Undeliverable("chat not found") from error
            raise

    async def close(self) -> None:
        await self.request.shutdown()
