"""Slack, for IOM Tokyo staff: a Bolt AsyncApp, HTTP events on our server or Socket Mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..platform import Adapter, Platform
from .settings import SlackSettings, read_settings

if TYPE_CHECKING:
    from ..editors.digest import ReportPoster
    from ..handoff import HandoffSettings, StaffDesk
    from ..shared import Services


def _make_adapter(services: Services, settings: SlackSettings) -> Adapter:
    from .adapter import SlackAdapter  # slack-bolt is loaded only when it runs

    return SlackAdapter(services, settings)


def _make_desk(settings: SlackSettings, handoff: HandoffSettings) -> StaffDesk:
    from .desk import SlackDesk

    return SlackDesk.from_settings(settings, handoff)


def _make_poster(settings: SlackSettings) -> ReportPoster:
    from .desk import SlackPoster

    return SlackPoster.from_settings(settings)


PLATFORM = Platform(
    name="slack",
    read_settings=read_settings,
    make_adapter=_make_adapter,
    how_to_enable="set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)",
    make_desk=_make_desk,
    make_poster=_make_poster,
)
