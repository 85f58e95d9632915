"""The LINE adapter: the webhook on our server (POST /line/webhook), checked with the channel
secret before anything else, acknowledged at once and answered after (so that a slow reply
never makes LINE redeliver). Each event is read on its own (events.py): one that cannot be read
is logged and skipped, and the others are answered."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from aiohttp import web
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhook import SignatureValidator

from ..reachability import Reachability
from ..shared import Services
from .client import LineApi
from .events import read_events
from .handlers import PLATFORM, LineHandlers
from .settings import LineSettings

log = logging.getLogger("iombot.line")

WEBHOOK_PATH = "/line/webhook"
STOP_SECONDS = 5.0  # replies in flight get this long at shutdown


class LineAdapter:
    name = PLATFORM

    def __init__(self, services: Services, settings: LineSettings):
        self.services = services
        self.signatures = SignatureValidator(settings.channel_secret.value)
        self.reachability = Reachability()
        self.line = LineApi(settings, self.reachability)
        self.handlers = LineHandlers(services, self.line)
        self.tasks: set[asyncio.Task] = set()
        self.state = "starting"
        self.last_update: float | None = None
        self.bot_user_id: str | None = None

    def routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self.receive)]

    async def start(self) -> None:
        try:
            info = await self.line.call("bot info", lambda api: api.get_bot_info())
        except ApiException as error:
            if error.status in (401, 403):
                self.state = "down"
                raise RuntimeError(
                    f"LINE_CHANNEL_ACCESS_TOKEN was refused by LINE (HTTP {error.status}): issue "
                    "a long-lived channel access token on the Messaging API tab"
                ) from None
            log.warning(
                "bot info failed (HTTP %s); going on", error.status, extra={"platform": PLATFORM}
            )
        except Exception as error:  # LINE unreachable: it will be asked again on each reply
            log.warning(
                "bot info failed (%s); going on", type(error).__name__, extra={"platform": PLATFORM}
            )
        else:
            self.bot_user_id = info.user_id
            log.info("LINE bot %s (%s)", info.basic_id, info.user_id, extra={"platform": PLATFORM})
        self.state = "webhook"

    async def receive(self, request: web.Request) -> web.Response:
        """Check the signature of the raw body, read it, acknowledge; answer in the background.
        Whatever LINE signed is answered 200, even events the bot cannot read: LINE would only
        send them again (and may stop sending to a webhook that keeps failing)."""
        body = await request.read()
        signature = request.headers.get("X-Line-Signature")
        if not signature:
            return web.json_response({"error": "missing signature"}, status=400)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return web.json_response({"error": "invalid signature"}, status=401)
        if not self.signatures.validate(text, signature):
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            data = json.loads(text)
        except ValueError:  # signed, but not JSON: not something LINE sends
            log.warning("malformed LINE webhook body (not JSON)", extra={"platform": PLATFORM})
            return web.json_response({"error": "malformed request"}, status=400)
        events, problems = read_events(data)
        for problem in problems:
            log.warning(
                "skipped a LINE webhook event that could not be read: %s",
                problem,
                extra={"platform": PLATFORM},
            )
        self.last_update = time.time()
        for event in events:
            task = asyncio.create_task(self.handlers.handle(event))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return web.json_response({})  # the console's verification (no events) too

    async def stop(self) -> None:
        self.state = "stopping"
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=STOP_SECONDS)
        for task in list(self.tasks):
            task.cancel()
        await self.line.close()
        self.state = "down"

    def health(self) -> dict:
        up = self.state == "webhook" and not self.reachability.degraded
        health = {
            "up": up,
            "state": "degraded" if self.state == "webhook" and not up else self.state,
            "last_update": self.last_update,
            "in_flight": len(self.tasks),
        }
        if report := self.reachability.report():
            health["messaging_api"] = report
        return health

    async def content_changed(self) -> None:
        return None  # nothing cached from the content
