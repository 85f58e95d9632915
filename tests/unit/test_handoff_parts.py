"""The parts of asking a person that need no platform: staff text made readable for the asker,
the settings, the asker's words kept plain in Slack, and what the Slack app must be granted."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from iombot.bots.settings import Settings, SettingsError
from iombot.bots.slack.desk import PLAIN_TEXT_LIMIT, plain_sections
from iombot.bots.slack.readable import readable

TOKEN = "123456:SECRET_token_abcdefghijklmnopqrstu"
SLACK = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
MANIFEST = Path(__file__).parents[2] / "slack" / "manifest.yaml"


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        (
            "see <https://iom.int/a?b=1&amp;c=2|our page>",
            "see our page (https://iom.int/a?b=1&c=2)",
        ),
        ("<https://iom.int>", "https://iom.int"),
        ("<https://iom.int|https://iom.int>", "https://iom.int"),
        ("<mailto:a@example.org|write to us>", "write to us (a@example.org)"),
        ("Hi <@U123>, ask <#C1|general> <!here> please", "Hi , ask please"),
        ("&lt;b&gt;not bold&lt;/b&gt; &amp; more", "<b>not bold</b> & more"),
        ("電話は<tel:+81-3-1234|03-1234>へ", "電話は03-1234 (tel:+81-3-1234)へ"),
    ],
)
def test_staff_text_is_made_readable_for_the_asker(slack, plain):
    assert readable(slack) == plain


def test_handoff_settings():
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, **SLACK}
    assert Settings.from_env(env).handoff is None
    on = Settings.from_env({**env, "IOMBOT_HANDOFF_CHANNEL": "C0123456789"})
    assert on.handoff is not None and on.handoff.channel == "C0123456789"
    assert on.handoff.idle_days == 7
    private = Settings.from_env(
        {**env, "IOMBOT_HANDOFF_CHANNEL": "G0123456789", "IOMBOT_HANDOFF_IDLE_DAYS": "2"}
    )
    assert private.handoff is not None and private.handoff.idle_seconds == 2 * 86400
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "IOMBOT_HANDOFF_CHANNEL": "#staff"})
    message = str(caught.value)
    assert "channel id such as C0123456789" in message and "needs SLACK_BOT_TOKEN" in message


def test_the_askers_words_are_plain_text_sections_within_slacks_limit():
    sections = plain_sections("*not bold* <!channel> " + "x" * 7000)
    assert len(sections) == 3
    assert all(s["text"]["type"] == "plain_text" for s in sections)
    assert all(len(s["text"]["text"]) <= PLAIN_TEXT_LIMIT for s in sections)
    assert sections[0]["text"]["text"].startswith("*not bold* <!channel>")


def test_the_staff_button_says_staff_in_japanese(content):
    assert "スタッフ" in content.strings.text("ask_staff", "ja")
    assert content.strings.text("ask_staff", "en") == "Ask IOM Tokyo staff"


def test_the_slack_app_is_granted_what_the_handoff_uses():
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    # chat.postMessage, reactions.add; thread replies in a public or a private channel.
    assert {"chat:write", "reactions:write", "channels:history", "groups:history"} <= scopes
    assert {"message.channels", "message.groups"} <= events
