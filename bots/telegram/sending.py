"""Sending to the Bot API: rendered messages in order, retried on network failures and 429s."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter

from .render import OutgoingMessage

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
SEND_ATTEMPTS = 4
MAX_RETRY_AFTER = 30.0  # longer waits are not worth holding a reply for

T = TypeVar("T")


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns while moving this to a timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return min(seconds, MAX_RETRY_AFTER)


async def with_retries(call: Callable[[], Awaitable[T]], attempts: int = SEND_ATTEMPTS) -> T:
    """Retry a Bot API call on network failures (backoff) and on 429 (Telegram's wait).
    A BadRequest or Forbidden will not get better by retrying: it is raised at once."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            if attempt == attempts:
                raise
            await asyncio.sleep(_retry_seconds(error))
        except BadRequest:
            raise
        except NetworkError:  # TimedOut included; 5xx answers arrive as NetworkError
            if attempt == attempts:
                raise
            await asyncio.sleep(0.25 * 2**attempt)
    raise AssertionError("unreachable")


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
        await with_retries(
            lambda message=message, reply_to=reply_to: bot.send_message(
                chat_id,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=message.reply_markup,
                link_preview_options=NO_PREVIEW,
                reply_parameters=reply_to,
            ),
            attempts,
        )
