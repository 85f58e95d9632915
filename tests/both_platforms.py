"""Both adapters under serve(), as `iombot run` runs them, against the fake Telegram and the fake
Slack, for the tests that need both: asking a person (handoff), the editors' loop. LINE (the fake
LINE API) joins them, or takes Telegram's place, where a test puts it in the settings."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientSession
from serving import recorded, serving

from iombot.bots.handoff import HandoffSettings
from iombot.bots.line import PLATFORM as LINE
from iombot.bots.line.settings import LineSettings
from iombot.bots.settings import Secret, Settings
from iombot.bots.shared import Services
from iombot.bots.slack import PLATFORM as SLACK
from iombot.bots.slack.settings import SlackSettings
from iombot.bots.telegram import PLATFORM as TELEGRAM
from iombot.bots.telegram.adapter import TelegramAdapter
from iombot.bots.telegram.settings import TelegramSettings
from iombot.testing import line as fake_line
from iombot.testing.line import FakeLine
from iombot.testing.slack import BOT_TOKEN, SECRET, FakeSlack, event_payload, signed_headers
from iombot.testing.telegram import FakeBotApi

from testsupport import ADAPTER_CONTENT, free_port

TOKEN = "123456:HANDOFF_TOKEN_abcdefghijklmnopqrstuvwxyz"
CHANNEL = "C0HANDOFF1"
STAFF = "U0STAFF01"


def handoff_settings(
    telegram: FakeBotApi, slack: FakeSlack, state_url: str = "memory://", **handoff
) -> Settings:
    """Telegram (the public platform) and Slack (the staff desk), the handoff on."""
    telegram_options = TelegramSettings(token=Secret(TOKEN), api_url=telegram.url, rate_limit=0)
    return staff_desk_settings({"telegram": telegram_options}, slack, state_url, handoff)


def line_handoff_settings(
    line: FakeLine, slack: FakeSlack, state_url: str = "memory://", **handoff
) -> Settings:
    """LINE (the public platform) and Slack (the staff desk), the handoff on."""
    line_options = LineSettings(
        Secret(fake_line.CHANNEL_SECRET), Secret(fake_line.ACCESS_TOKEN), line.url
    )
    return staff_desk_settings({"line": line_options}, slack, state_url, handoff)


def staff_desk_settings(public: dict, slack: FakeSlack, state_url: str, handoff: dict) -> Settings:
    """The public platforms' settings, with Slack (the staff desk, CHANNEL) and the handoff."""
    return Settings(
        content_dir=ADAPTER_CONTENT,
        state_url=Secret(state_url),
        host="127.0.0.1",
        port=free_port(),
        reload_seconds=60,
        platforms={
            **public,
            "slack": SlackSettings(
                bot_token=Secret(BOT_TOKEN), signing_secret=Secret(SECRET), api_url=slack.api_url
            ),
        },
        handoff=HandoffSettings(channel=CHANNEL, **handoff),
    )


@dataclass
class Running:
    settings: Settings
    stop: asyncio.Event
    task: asyncio.Task
    http: ClientSession
    services: Services

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    async def slack_event(self, event: dict, event_id: str, **headers: str) -> int:
        body = json.dumps(event_payload(event, event_id))
        async with self.http.post(
            f"{self.base}/slack/events", data=body, headers={**signed_headers(body), **headers}
        ) as response:
            return response.status

    async def slack_action(self, body: str) -> int:
        async with self.http.post(
            f"{self.base}/slack/events", data=body, headers=signed_headers(body)
        ) as response:
            return response.status

    async def slack_command(self, body: str) -> dict:
        """A signed slash command; what the ack answered."""
        async with self.http.post(
            f"{self.base}/slack/events", data=body, headers=signed_headers(body)
        ) as response:
            assert response.status == 200
            return await response.json()

    async def line_events(self, *events: dict) -> int:
        """LINE's webhook, signed, with these events."""
        body = fake_line.webhook_body(*events)
        async with self.http.post(
            f"{self.base}/line/webhook", data=body, headers=fake_line.signed_headers(body)
        ) as response:
            return response.status

    async def metrics(self) -> str:
        async with self.http.get(f"{self.base}/metrics") as response:
            return await response.text()


@contextlib.asynccontextmanager
async def running(settings: Settings, only: str | None = None) -> AsyncIterator[Running]:
    """serve() with the configured platforms (or only one, like a compose service), until
    ready."""
    adapters: list = []

    def make_telegram(services, options):
        return TelegramAdapter(services, options, poll_timeout=1)

    registry = [
        recorded(TELEGRAM, adapters, make_telegram),
        recorded(SLACK, adapters),
        recorded(LINE, adapters),
    ]
    async with (
        serving(settings, registry, adapters, only) as (stop, task),
        ClientSession() as http,
    ):
        yield Running(settings, stop, task, http, adapters[0].services)


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeBotApi, FakeSlack]]:
    telegram, slack = FakeBotApi(TOKEN), FakeSlack()
    await telegram.start()
    await slack.start()
    try:
        yield telegram, slack
    finally:
        await telegram.stop()
        await slack.stop()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack alone (the staff desk of another public platform)."""
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def line() -> AsyncIterator[FakeLine]:
    fake = FakeLine()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def staff_reply(text: str, thread: str, ts: str, **more) -> dict:
    """A staff member's reply in a ticket's thread, as Slack sends it (`more`: other fields,
    another channel)."""
    return {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": STAFF,
        "text": text,
        "ts": ts,
        "thread_ts": thread,
        "event_ts": ts,
        **more,
    }


def tmp_sqlite(path: Path) -> str:
    return f"sqlite:///{path}"


# --- what the fakes were sent, read back (the handoff tests') ---------------------------------


def buttons(call) -> list[tuple[str, str]]:
    """A Telegram message's inline buttons: (text, callback data)."""
    markup = call.params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


def quick_replies(call) -> list[tuple[str, str]]:
    """A LINE reply's quick replies: (label, data)."""
    items = (call.body["messages"][-1].get("quickReply") or {}).get("items", [])
    return [(i["action"]["label"], i["action"]["data"]) for i in items]


def shown(call) -> str:
    """A LINE reply's texts."""
    return "\n".join(FakeLine.texts(call))


def tickets_posted(slack, channel: str = CHANNEL) -> list:
    """The tickets posted in the staff channel (not the replies in their threads)."""
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel and not c.args.get("thread_ts")
    ]


async def wait(predicate, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


async def reply_to(line: FakeLine, token: str):
    """The successful reply that used this reply token."""
    for _ in range(250):
        replies = line.replies(token)
        if replies:
            return replies[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no reply with {token}")
