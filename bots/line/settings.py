"""The LINE adapter's settings: LINE_* variables, read and checked once at start."""

from __future__ import annotations

from dataclasses import dataclass

from ..env import EnvReader, Secret


@dataclass(frozen=True)
class LineSettings:
    channel_secret: Secret
    access_token: Secret
    api_url: str = "https://api.line.me"


def read_settings(read: EnvReader) -> LineSettings | None:
    secret = read.secret("LINE_CHANNEL_SECRET")
    token = read.secret("LINE_CHANNEL_ACCESS_TOKEN")
    if secret is None and token is None:
        return None
    if secret is None:
        read.problem(
            "LINE_CHANNEL_SECRET", "required with LINE_CHANNEL_ACCESS_TOKEN (Basic settings)"
        )
    if token is None:
        read.problem(
            "LINE_CHANNEL_ACCESS_TOKEN", "required with LINE_CHANNEL_SECRET (Messaging API tab)"
        )
    api_url = read.url("LINE_API_URL", "https://api.line.me", "https://api.line.me")
    return LineSettings(
        channel_secret=secret or Secret(""),
        access_token=token or Secret(""),
        api_url=api_url.rstrip("/"),
    )
