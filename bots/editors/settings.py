"""IOMBOT_DIGEST_*: the weekly editors' report, posted to a Slack channel."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..env import EnvReader

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def read_digest_settings(read: EnvReader, staff_platform_configured: bool) -> dict[str, Any]:
    """IOMBOT_DIGEST_*: the weekly report posted to a Slack channel, e.g. "mon 09:00"."""
    channel = read.get("IOMBOT_DIGEST_CHANNEL") or None
    when = (read.get("IOMBOT_DIGEST_AT") or "mon 09:00").strip().lower()
    zone = read.get("IOMBOT_DIGEST_TIMEZONE") or "Asia/Tokyo"
    match = re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+([01]?\d|2[0-3]):([0-5]\d)", when)
    if match is None:
        read.problem("IOMBOT_DIGEST_AT", "a weekday and a time, such as: mon 09:00")
        match = re.fullmatch(r"(mon) (09):(00)", "mon 09:00")
    assert match is not None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        read.problem("IOMBOT_DIGEST_TIMEZONE", f"unknown time zone {zone!r} (e.g. Asia/Tokyo)")
        zone = "Asia/Tokyo"
    if channel and not re.fullmatch(r"[CG][A-Z0-9]{6,}", channel):
        read.problem("IOMBOT_DIGEST_CHANNEL", "must be a Slack channel id such as C0123456789")
    if channel and not staff_platform_configured:
        read.problem(
            "IOMBOT_DIGEST_CHANNEL", "needs SLACK_BOT_TOKEN: the digest is posted in Slack"
        )
    return {
        "digest_channel": channel,
        "digest_day": _WEEKDAYS.index(match[1]),
        "digest_time": f"{int(match[2]):02d}:{match[3]}",
        "digest_timezone": zone,
    }
