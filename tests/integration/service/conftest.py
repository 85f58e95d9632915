"""A running service (web server, health, metrics, reload) with a small fake adapter."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest
from aiohttp import web

from iombot.bots.platform import Platform
from iombot.bots.service import serve
from iombot.bots.settings import Settings
from iombot.bots.shared import Services
from iombot.core.reply import Query

from testsupport import free_port

FIXTURES = Path(__file__).parents[2] / "fixtures"


class FakeAdapter:
    """Answers POST /fake with the core; records its lifecycle. A fake, not a mock of ours."""

    name = "fake"

    def __init__(self, services: Services):
        self.services = services
        self.up = False
        self.events: list[str] = []
        self.in_flight = 0

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/fake", self.handle)]

    async def handle(self, request: web.Request) -> web.Response:
        text = (await request.json())["text"]
        self.in_flight += 1
        try:
            await asyncio.sleep(float(request.query.get("delay", 0)))
            started = time.perf_counter()
            reply = self.services.answerer.answer(Query(text=text, platform="fake"))
            self.services.metrics.observe("fake", reply, time.perf_counter() - started)
            return web.json_response(
                {"topic": reply.topic, "kind": reply.kind, "title": reply.title}
            )
        finally:
            self.in_flight -= 1

    async def start(self) -> None:
        self.events.append("start")
        self.up = True

    async def stop(self) -> None:
        self.events.append("stop")
        self.up = False

    def health(self) -> dict:
        return {"up": self.up, "state": "fake" if self.up else "down", "last_update": None}

    async def content_changed(self) -> None:
        self.events.append("content_changed")


@pytest.fixture
def content_dir(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", folder)
    return folder


@pytest.fixture
async def service(content_dir):
    """Start serve() with the fake adapter; yields (base_url, adapter, stop_event, task)."""
    settings = Settings(
        content_dir=content_dir,
        host="127.0.0.1",
        port=free_port(),
        reload_seconds=0.1,
        platforms={"fake": None},
    )
    adapters: list[FakeAdapter] = []

    def make_adapter(services: Services, options: None) -> FakeAdapter:
        adapters.append(FakeAdapter(services))
        return adapters[-1]

    fake = Platform("fake", lambda read: None, make_adapter, how_to_enable="nothing")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, [fake], stop))
    base = f"http://127.0.0.1:{settings.port}"
    for _ in range(100):
        if adapters and adapters[0].up:
            break
        await asyncio.sleep(0.02)
    yield base, adapters[0], stop, task
    stop.set()
    await asyncio.wait_for(task, 10)
