"""The web chat, for the public on IOM Tokyo's website: a page and a WebSocket on our own
server (GET /chat), embeddable elsewhere with one script tag (GET /chat/widget.js). No token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..platform import Adapter, Platform
from .settings import WebchatSettings, read_settings

if TYPE_CHECKING:
    from ..handoff import Deliverer
    from ..shared import Services


def _make_adapter(services: Services, settings: WebchatSettings) -> Adapter:
    from .adapter import WebchatAdapter

    return WebchatAdapter(services, settings)


def _make_deliverer(services: Services, settings: WebchatSettings) -> Deliverer:
    from .deliver import WebchatDeliverer

    return WebchatDeliverer(services.state, services.settings.question_log_days)


PLATFORM = Platform(
    name="webchat",
    read_settings=read_settings,
    make_adapter=_make_adapter,
    how_to_enable="set WEBCHAT_ENABLED=1",
    enable_variable="WEBCHAT_ENABLED",
    make_deliverer=_make_deliverer,
)
