"""The Telegram adapter's settings: TELEGRAM_* variables, read and checked once at start."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..env import EnvReader, Secret, is_url


@dataclass(frozen=True)
class TelegramSettings:
    token: Secret
    api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    rate_limit: float = 30.0  # outgoing messages a second, overall; 0: no throttling


def read_settings(read: EnvReader) -> TelegramSettings | None:
    token = read.secret("TELEGRAM_BOT_TOKEN")
    if token is None:
        return None
    if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", token.value):
        read.problem(
            "TELEGRAM_BOT_TOKEN",
            "does not look like a bot token (digits, a colon, then letters; from @BotFather)",
        )
    webhook_url = read.get("TELEGRAM_WEBHOOK_URL")
    webhook_secret = read.secret("TELEGRAM_WEBHOOK_SECRET")
    if webhook_url:
        if not is_url(webhook_url):
            read.problem(
                "TELEGRAM_WEBHOOK_URL",
                "must be a full URL such as https://bot.example.org/telegram",
            )
        if not webhook_secret:
            read.problem("TELEGRAM_WEBHOOK_SECRET", "required with TELEGRAM_WEBHOOK_URL")
        elif not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret.value):
            read.problem("TELEGRAM_WEBHOOK_SECRET", "use 1-256 characters A-Z, a-z, 0-9, _ or -")
    api_url = read.url("TELEGRAM_API_URL", "https://api.telegram.org", "https://api.telegram.org")
    return TelegramSettings(
        token=token,
        api_url=api_url.rstrip("/"),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        rate_limit=read.number("TELEGRAM_RATE_LIMIT", 30.0, float, 0, 1000),
    )
