"""The web chat under serve(), as `iombot run webchat` runs it, on loopback, and a small client that
speaks its WebSocket as the page does."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientSession, ClientWebSocketResponse, WSMsgType
from both_platforms import Running, staff_desk_settings
from serving import recorded, serving

from iombot.bots.settings import Secret, Settings
from iombot.bots.slack import PLATFORM as SLACK
from iombot.bots.webchat import PLATFORM as WEBCHAT
from iombot.bots.webchat.settings import WebchatSettings
from iombot.testing.slack import FakeSlack

from testsupport import ADAPTER_CONTENT, free_port

ALLOWED = "https://www.example.org"


def webchat_settings(state_url: str = "memory://", **options: Any) -> Settings:
    return Settings(
        content_dir=ADAPTER_CONTENT,
        state_url=Secret(state_url),
        host="127.0.0.1",
        port=free_port(),
        reload_seconds=60,
        platforms={"webchat": WebchatSettings(origins=(ALLOWED,), **options)},
    )


def handoff_settings(slack: FakeSlack, state_url: str = "memory://") -> Settings:
    """The web chat and Slack (the staff desk), the handoff on."""
    webchat = WebchatSettings(origins=(ALLOWED,))
    return staff_desk_settings({"webchat": webchat}, slack, state_url, {})


def text_of(entry: dict) -> str:
    """What a bot entry says, as its page shows it."""
    reply = entry["reply"]
    parts = [reply["title"] or ""]
    for block in reply["blocks"]:
        lines = block["list"] if "list" in block else [block["p"]]
        for spans in lines:
            parts.append(
                "".join(s.get("text") or s.get("bold") or s.get("command") or "" for s in spans)
            )
    return "\n".join(parts)


@dataclass
class Page:
    """One open chat page: its socket and what it received."""

    socket: ClientWebSocketResponse
    session: str = ""
    language: str = ""
    history: list[dict] = field(default_factory=list)
    labels: dict = field(default_factory=dict)

    async def receive(self, timeout: float = 5.0) -> dict:
        frame = await asyncio.wait_for(self.socket.receive(), timeout)
        assert frame.type == WSMsgType.TEXT, frame
        return json.loads(frame.data)

    async def entry(self, timeout: float = 5.0) -> dict:
        """The next entry of the conversation the server sends."""
        data = await self.receive(timeout)
        assert data["type"] == "entry", data
        return data["entry"]

    async def reply(self, timeout: float = 5.0) -> dict:
        """The next bot reply (skipping what the person wrote, echoed to other pages)."""
        while True:
            entry = await self.entry(timeout)
            if entry["from"] == "bot":
                return entry

    async def ask(self, text: str) -> dict:
        await self.socket.send_str(json.dumps({"type": "message", "text": text}))
        return await self.reply()

    async def press(self, button: dict, answer: str | None = None) -> dict:
        await self.socket.send_str(
            json.dumps(
                {
                    "type": "button",
                    "action": button["action"],
                    "label": button["label"],
                    "answer": answer,
                }
            )
        )
        return await self.reply()

    async def silent(self, seconds: float = 0.3) -> bool:
        """Nothing more arrives for a while."""
        try:
            await asyncio.wait_for(self.socket.receive(), seconds)
        except TimeoutError:
            return True
        return False


class Chat(Running):
    """The running service (its Slack side too, when configured), and its chat pages."""

    @contextlib.asynccontextmanager
    async def page(
        self,
        session: str | None = None,
        origin: str | None = None,
        locale: str | None = "en-US",
        **headers: str,
    ) -> AsyncIterator[Page]:
        """A page opened and said hello (the welcome of a new session is read)."""
        socket = await self.http.ws_connect(
            f"{self.base}/chat/ws", headers={"Origin": origin or self.base, **headers}
        )
        try:
            page = Page(socket)
            await socket.send_str(
                json.dumps({"type": "hello", "session": session, "locale": locale})
            )
            hello = await page.receive()
            assert hello["type"] == "session", hello
            page.session, page.language = hello["session"], hello["language"]
            page.history, page.labels = hello["history"], hello["labels"]
            if not page.history:
                welcome = await page.reply()
                assert welcome["reply"]["kind"] == "start"
            yield page
        finally:
            await socket.close()


@contextlib.asynccontextmanager
async def running(settings: Settings, only: str | None = None) -> AsyncIterator[Chat]:
    """serve() with the web chat (and Slack, when configured), as `iombot run` runs them; or
    only one of them, as a compose service does."""
    adapters: list = []
    registry = [recorded(p, adapters) for p in (SLACK, WEBCHAT)]
    async with (
        serving(settings, registry, adapters, only) as (stop, task),
        ClientSession() as http,
    ):
        yield Chat(settings, stop, task, http, adapters[0].services)


@pytest.fixture
async def chat() -> AsyncIterator[Chat]:
    async with running(webchat_settings()) as chat:
        yield chat
