"""Sending to the Bot API: rendered messages in order, retried on network failures and 5xx.

429s are not retried here: PTB's AIORateLimiter (adapter.py) retries them, so that one message
is tried at most (1 + its retries) times per network attempt, never a product of two layers.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import warnings
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TypeVar

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.warnings import PTBUserWarning

from .render import OutgoingMessage


class _NoPreview(LinkPreviewOptions):
    """LinkPreviewOptions(is_disabled=True), sent with every message: its dict made once."""

    __slots__ = ()

    def to_dict(self, recursive: bool = True) -> dict:
        return _NO_PREVIEW_DICT


_NO_PREVIEW_DICT = {"is_disabled": True}
NO_PREVIEW = _NoPreview(is_disabled=True)

SEND_ATTEMPTS = 4

T = TypeVar("T")


# Set (by the adapter's update processor) to an event that shutdown sets: from then on a failed
# call is not tried again, so that a shutdown during an outage does not wait out the backoff.
STOPPING: ContextVar[asyncio.Event | None] = ContextVar("iombot_telegram_stopping", default=None)


def quiet_send_message_advice() -> None:
    """PTB warns, at every do_api_request("send_message"), to use Bot.send_message, which parses
    Telegram's answer (see _send_message): ignore that warning when it points at this module.
    A process-wide filter: called by whoever builds a bot that sends through here (adapter.py,
    deliver.py), never at import. (warnings.catch_warnings() around the call would not do: the
    call awaits, and other tasks' calls would save and restore the filters out of order.)"""
    warnings.filterwarnings(
        "ignore",
        message=r"Please use 'Bot\.send_message' instead",
        category=PTBUserWarning,
        module=re.escape(__name__),
    )


async def with_retries(call: Callable[[], Awaitable[T]], attempts: int = SEND_ATTEMPTS) -> T:
    """Retry a Bot API call on network failures and 5xx, with backoff. A 429 that the rate
    limiter gave up on, a BadRequest or a Forbidden will not get better here: raised at once;
    and nothing is retried once the bot is stopping."""
    stopping = STOPPING.get()
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except (RetryAfter, BadRequest):
            raise
        except NetworkError:  # TimedOut included; 5xx answers arrive as NetworkError
            if attempt == attempts or (stopping is not None and stopping.is_set()):
                raise
            await _backoff(0.25 * 2**attempt, stopping)
    raise AssertionError("unreachable")


async def _backoff(seconds: float, stopping: asyncio.Event | None) -> None:
    """Sleep before the next attempt; a shutdown ends the sleep (and the next attempt is the
    last)."""
    if stopping is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def send(
    bot: Bot,
    chat_id: int,
    messages: list[OutgoingMessage],
    quote: int | None = None,
    attempts: int = SEND_ATTEMPTS,
) -> None:
    """Send rendered messages in order; the first quotes `quote` (groups) when given."""
    for index, message in enumerate(messages):
        reply_to = (
            ReplyParameters(quote, allow_sending_without_reply=True)
            if quote is not None and index == 0
            else None
        )
        parameters: dict[str, object] = {
            "chat_id": chat_id,
            "text": message.text,
            "parse_mode": ParseMode.HTML,
            "link_preview_options": NO_PREVIEW,
        }
        if message.reply_markup is not None:
            parameters["reply_markup"] = message.reply_markup
        if reply_to is not None:
            parameters["reply_parameters"] = reply_to
        await with_retries(lambda parameters=parameters: _send_message(bot, parameters), attempts)


async def _send_message(bot: Bot, parameters: dict[str, object]) -> None:
    """sendMessage through PTB (its request, rate limiter and errors), without building a
    Message from Telegram's answer: nothing reads it, and parsing it costs more than the rest of
    sending (68 µs for a short one, bench/telegram_throughput.py)."""
    await bot.do_api_request("send_message", api_kwargs=parameters)
