"""Telegram, for the public: python-telegram-bot, long polling or a webhook on our server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..platform import Adapter, Platform
from .settings import TelegramSettings, read_settings

if TYPE_CHECKING:
    from ..handoff import Deliverer
    from ..shared import Services


def _make_adapter(services: Services, settings: TelegramSettings) -> Adapter:
    from .adapter import TelegramAdapter  # python-telegram-bot is loaded only when it runs

    return TelegramAdapter(services, settings)


def _make_deliverer(services: Services, settings: TelegramSettings) -> Deliverer:
    from .deliver import TelegramDeliverer

    return TelegramDeliverer(settings)


PLATFORM = Platform(
    name="telegram",
    read_settings=read_settings,
    make_adapter=_make_adapter,
    how_to_enable="set TELEGRAM_BOT_TOKEN",
    quiet_loggers=("httpx", "httpcore", "telegram.ext.Updater"),
    make_deliverer=_make_deliverer,
)
