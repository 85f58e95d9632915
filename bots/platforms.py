"""The platforms this bot runs on, in the order they start. A new platform is one folder under
bots/ (with a `PLATFORM` in its __init__.py, see platform.py) and one line here."""

from __future__ import annotations

from . import line, slack, telegram, webchat
from .platform import Platform

PLATFORMS: tuple[Platform, ...] = (
    telegram.PLATFORM,
    slack.PLATFORM,
    line.PLATFORM,
    webchat.PLATFORM,
)
