"""The Slack adapter's settings: SLACK_* variables, read and checked once at start."""

from __future__ import annotations

from dataclasses import dataclass

from ..env import EnvReader, Secret


@dataclass(frozen=True)
class SlackSettings:
    bot_token: Secret
    signing_secret: Secret | None = None  # HTTP mode
    app_token: Secret | None = None  # Socket Mode
    api_url: str = "https://slack.com/api/"


def read_settings(read: EnvReader) -> SlackSettings | None:
    bot_token = read.secret("SLACK_BOT_TOKEN")
    signing_secret = read.secret("SLACK_SIGNING_SECRET")
    app_token = read.secret("SLACK_APP_TOKEN")
    if bot_token is None:
        return None
    if not bot_token.value.startswith("xoxb-"):
        read.problem("SLACK_BOT_TOKEN", "must be a bot token starting with xoxb-")
    if not app_token and not signing_secret:
        read.problem(
            "SLACK_SIGNING_SECRET",
            "required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)",
        )
    if app_token and not app_token.value.startswith("xapp-"):
        read.problem("SLACK_APP_TOKEN", "must be an app-level token starting with xapp-")
    api_url = read.url("SLACK_API_URL", "https://slack.com/api/", "https://slack.com/api/")
    api_url = api_url.rstrip("/") + "/"
    return SlackSettings(
        bot_token=bot_token, signing_secret=signing_secret, app_token=app_token, api_url=api_url
    )
