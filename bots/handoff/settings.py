"""IOMBOT_HANDOFF_* variables: where staff receive questions, and when idle tickets close."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..env import EnvReader


@dataclass(frozen=True)
class HandoffSettings:
    channel: str  # the Slack channel id where staff receive tickets
    idle_days: float = 7.0

    @property
    def idle_seconds(self) -> float:
        return self.idle_days * 86400


def read_handoff_settings(
    read: EnvReader, staff_platform_configured: bool
) -> HandoffSettings | None:
    channel = read.get("IOMBOT_HANDOFF_CHANNEL")
    idle_days = read.number("IOMBOT_HANDOFF_IDLE_DAYS", 7.0, float, 0.001, 365)
    if not channel:
        return None
    if not re.fullmatch(r"[CG][A-Z0-9]{6,}", channel):
        read.problem(
            "IOMBOT_HANDOFF_CHANNEL",
            "must be a Slack channel id such as C0123456789 (channel details -> About), not a name",
        )
    if not staff_platform_configured:
        read.problem("IOMBOT_HANDOFF_CHANNEL", "needs SLACK_BOT_TOKEN: staff answer in Slack")
    return HandoffSettings(channel=channel, idle_days=idle_days)
