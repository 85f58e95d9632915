"""The real Bolt AsyncApp inside our aiohttp app, on loopback, against a fake Slack."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from iombot.bots.bootstrap import make_services
from iombot.bots.service import build_web_app
from iombot.bots.settings import Secret, Settings
from iombot.bots.shared import Services
from iombot.bots.slack.adapter import SlackAdapter
from iombot.bots.slack.settings import SlackSettings
from iombot.testing.slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    action_body,
    action_payload,
    command_body,
    event_payload,
    signed_headers,
)

from testsupport import ADAPTER_CONTENT


@dataclass
class Harness:
    """Our service (web app + Slack adapter) and the fake Slack it talks to."""

    fake: FakeSlack
    adapter: SlackAdapter
    services: Services
    http: ClientSession
    base: str

    async def post(self, body: str | bytes, headers: dict | None = None) -> tuple[int, Any]:
        raw = body.encode() if isinstance(body, str) else body
        async with self.http.post(
            f"{self.base}/slack/events", data=raw, headers=headers or signed_headers(raw)
        ) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text) if text else None
            except ValueError:
                return response.status, text

    async def command(self, text: str, **fields: str) -> tuple[int, Any]:
        return await self.post(command_body(text, self.fake.response_url(), **fields))

    async def event(self, event: dict, event_id: str = "Ev1", **headers: str) -> int:
        body = json.dumps(event_payload(event, event_id))
        status, _ = await self.post(body, {**signed_headers(body), **headers})
        return status

    async def action(self, payload: dict) -> int:
        status, _ = await self.post(action_body(payload))
        return status

    async def share(self, body: dict) -> Any:
        """Presses an answer's "Share in channel": the response Slack was sent for it."""
        share = next(
            element
            for block in body["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"] == "iom_share"
        )
        url = self.fake.response_url()
        assert await self.action(action_payload(share["value"], "iom_share", url)) == 200
        (response,) = await self.fake.wait_responses(1)
        return response

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base}{path}") as response:
            return response.status, await response.text()

    async def health(self) -> dict:
        async with self.http.get(f"{self.base}/healthz") as response:
            return await response.json()


def slack_settings(fake: FakeSlack, content_dir: Path | None = None, **slack: Any) -> Settings:
    """Settings for the service with Slack; `slack` overrides SlackSettings fields."""
    options = SlackSettings(
        bot_token=Secret(BOT_TOKEN), signing_secret=Secret(SECRET), api_url=fake.api_url
    )
    return Settings(
        content_dir=content_dir or ADAPTER_CONTENT,
        host="127.0.0.1",
        platforms={"slack": replace(options, **slack)},
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


async def run_harness(fake: FakeSlack, settings: Settings) -> AsyncIterator[Harness]:
    services = make_services(settings)
    # Short timeouts and back-offs so that failure tests stay fast.
    options = settings.platforms["slack"]
    adapter = SlackAdapter(
        services, options, api_timeout=0.5, retry_backoff=0.01, ping_interval=0.2
    )
    server = TestServer(build_web_app(services, [adapter]), host="127.0.0.1")
    await server.start_server()
    await adapter.start()
    try:
        async with ClientSession() as http:
            yield Harness(fake, adapter, services, http, str(server.make_url("")).rstrip("/"))
    finally:
        await adapter.stop()
        await server.close()


@pytest.fixture
async def slack(fake: FakeSlack) -> AsyncIterator[Harness]:
    """HTTP mode."""
    async for harness in run_harness(fake, slack_settings(fake)):
        yield harness


@pytest.fixture
async def socket_slack(fake: FakeSlack) -> AsyncIterator[Harness]:
    """Socket Mode (no signing secret, so no HTTP route)."""
    settings = slack_settings(fake, app_token=Secret(APP_TOKEN), signing_secret=None)
    async for harness in run_harness(fake, settings):
        yield harness
