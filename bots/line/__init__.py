"""LINE, for the public in Japan: a Messaging API channel, webhooks on our server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..platform import Adapter, Platform
from .settings import LineSettings, read_settings

if TYPE_CHECKING:
    from ..handoff import Deliverer
    from ..shared import Services


def _make_adapter(services: Services, settings: LineSettings) -> Adapter:
    from .adapter import LineAdapter  # line-bot-sdk is loaded only when it runs

    return LineAdapter(services, settings)


def _make_deliverer(services: Services, settings: LineSettings) -> Deliverer:
    from .deliver import LineDeliverer

    return LineDeliverer(settings)


PLATFORM = Platform(
    name="line",
    read_settings=read_settings,
    make_adapter=_make_adapter,
    how_to_enable="set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN",
    quiet_loggers=("linebot",),
    make_deliverer=_make_deliverer,
)
