"""Settings from the environment (and an optional .env file), validated once at start.

Every problem is collected and reported together; secret values are wrapped so that they never
appear in a repr, a log line or an error message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values

from ..core.content import default_content_dir

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """Every problem found in the settings, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Secret:
    """A secret string: `.value` gives it; str() and repr() never do."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Settings:
    content_dir: Path
    host: str = "0.0.0.0"
    port: int = 8080
    log_level: str = "INFO"
    log_format: str = "text"
    telegram_token: Secret | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: Secret | None = None
    telegram_rate_limit: float = 30.0
    slack_bot_token: Secret | None = None
    slack_signing_secret: Secret | None = None
    slack_app_token: Secret | None = None
    slack_api_url: str = "https://slack.com/api/"
    reload_seconds: float = 2.0

    @property
    def secrets(self) -> list[str]:
        """Every secret value, for the log filter that masks them."""
        return [
            s.value
            for s in (
                self.telegram_token,
                self.telegram_webhook_secret,
                self.slack_bot_token,
                self.slack_signing_secret,
                self.slack_app_token,
            )
            if s
        ]

    def configured_platforms(self) -> list[str]:
        platforms = []
        if self.telegram_token:
            platforms.append("telegram")
        if self.slack_bot_token:
            platforms.append("slack")
        return platforms

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        problems: list[str] = []

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def secret(name: str) -> Secret | None:
            value = get(name)
            return Secret(value) if value else None

        content_dir = Path(get("IOMBOT_CONTENT_DIR") or default_content_dir())
        if not content_dir.is_dir():
            problems.append(f"IOMBOT_CONTENT_DIR: {content_dir} is not a folder")
        port = _number(get("PORT"), "PORT", 8080, problems, int, 1, 65535)
        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            problems.append(f"LOG_LEVEL: {log_level!r} is not one of {', '.join(LOG_LEVELS)}")
        log_format = (get("LOG_FORMAT") or "text").lower()
        if log_format not in LOG_FORMATS:
            problems.append(f"LOG_FORMAT: {log_format!r} is not one of {', '.join(LOG_FORMATS)}")

        telegram_token = secret("TELEGRAM_BOT_TOKEN")
        if telegram_token and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", telegram_token.value):
            problems.append(
                "TELEGRAM_BOT_TOKEN: does not look like a bot token "
                "(digits, a colon, then letters; from @BotFather)"
            )
        webhook_url = get("TELEGRAM_WEBHOOK_URL")
        webhook_secret = secret("TELEGRAM_WEBHOOK_SECRET")
        if webhook_url:
            if not _is_url(webhook_url, https_only=False):
                problems.append(
                    "TELEGRAM_WEBHOOK_URL: must be a full URL such as "
                    "https://bot.example.org/telegram"
                )
            if not webhook_secret:
                problems.append("TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL")
            elif not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret.value):
                problems.append(
                    "TELEGRAM_WEBHOOK_SECRET: use 1-256 characters A-Z, a-z, 0-9, _ or -"
                )
        telegram_api_url = (get("TELEGRAM_API_URL") or "https://api.telegram.org").rstrip("/")
        if not _is_url(telegram_api_url, https_only=False):
            problems.append("TELEGRAM_API_URL: must be a URL such as https://api.telegram.org")
        rate = _number(
            get("TELEGRAM_RATE_LIMIT"), "TELEGRAM_RATE_LIMIT", 30.0, problems, float, 0, 1000
        )

        slack_bot_token = secret("SLACK_BOT_TOKEN")
        slack_signing_secret = secret("SLACK_SIGNING_SECRET")
        slack_app_token = secret("SLACK_APP_TOKEN")
        if slack_bot_token:
            if not slack_bot_token.value.startswith("xoxb-"):
                problems.append("SLACK_BOT_TOKEN: must be a bot token starting with xoxb-")
            if not slack_app_token and not slack_signing_secret:
                problems.append(
                    "SLACK_SIGNING_SECRET: required in HTTP mode "
                    "(or set SLACK_APP_TOKEN for Socket Mode)"
                )
            if slack_app_token and not slack_app_token.value.startswith("xapp-"):
                problems.append("SLACK_APP_TOKEN: must be an app-level token starting with xapp-")
        slack_api_url = get("SLACK_API_URL") or "https://slack.com/api/"
        if not slack_api_url.endswith("/"):
            slack_api_url += "/"
        if not _is_url(slack_api_url, https_only=False):
            problems.append("SLACK_API_URL: must be a URL such as https://slack.com/api/")

        reload_seconds = _number(
            get("IOMBOT_RELOAD_SECONDS"), "IOMBOT_RELOAD_SECONDS", 2.0, problems, float, 0.1, 3600
        )
        if problems:
            raise SettingsError(problems)
        return cls(
            reload_seconds=reload_seconds,
            content_dir=content_dir,
            host=get("HOST") or "0.0.0.0",
            port=port,
            log_level=log_level,
            log_format=log_format,
            telegram_token=telegram_token,
            telegram_api_url=telegram_api_url,
            telegram_webhook_url=webhook_url,
            telegram_webhook_secret=webhook_secret,
            telegram_rate_limit=rate,
            slack_bot_token=slack_bot_token,
            slack_signing_secret=slack_signing_secret,
            slack_app_token=slack_app_token,
            slack_api_url=slack_api_url,
        )


def _number(raw, name, default, problems, kind, low, high):
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        problems.append(f"{name}: {raw!r} is not a number")
        return default
    if not low <= value <= high:
        problems.append(f"{name}: {value} is outside {low}-{high}")
    return value


def _is_url(value: str, https_only: bool) -> bool:
    parsed = urlparse(value)
    schemes = ("https",) if https_only else ("http", "https")
    return parsed.scheme in schemes and bool(parsed.netloc)


def read_environment(env_file: str | Path = ".env") -> dict[str, str]:
    """The process environment over the values of .env (the environment wins)."""
    path = Path(env_file)
    values = dotenv_values(path) if path.is_file() else {}
    return {**{k: v for k, v in values.items() if v is not None}, **os.environ}
