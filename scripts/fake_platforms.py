"""Fake Telegram Bot API and Slack Web API on one loopback port, for the container smoke test.

Telegram: POST /bot<token>/<method>  (getUpdates serves updates queued via the control API)
Slack:    POST /api/<method>
Control:  POST /control/telegram/update (JSON update to queue), GET /control/calls (all calls).
Run: python scripts/fake_platforms.py PORT
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time

from aiohttp import web

BOT = {"id": 4242, "is_bot": True, "first_name": "IOM", "username": "iom_smoke_bot"}


class FakePlatforms:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.updates: list[dict] = []
        self.new_update = asyncio.Event()

    async def telegram(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = dict(await request.post()) if request.can_read_body else {}
        if method != "getUpdates":
            self.calls.append({"platform": "telegram", "method": method, "params": params})
        if method == "getMe":
            return ok(BOT)
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending or time.monotonic() >= deadline:
                    return ok(pending)
                self.new_update.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.new_update.wait(), deadline - time.monotonic())
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params.get("chat_id", 0))
            return ok(
                {
                    "message_id": len(self.calls),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "text": params.get("text", ""),
                }
            )
        return ok(True)

    async def slack(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await request.text()
        self.calls.append({"platform": "slack", "method": method, "body": body})
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "team_id": "T1",
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                    "url": "https://example.slack.com/",
                }
            )
        if method == "users.info":
            return web.json_response({"ok": True, "user": {"id": "U1", "locale": "en-US"}})
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "channel": "C1", "ts": f"{time.time():.6f}"})
        return web.json_response({"ok": True})

    async def queue_update(self, request: web.Request) -> web.Response:
        self.updates.append(await request.json())
        self.new_update.set()
        return web.json_response({"queued": len(self.updates)})

    async def list_calls(self, request: web.Request) -> web.Response:
        return web.json_response(self.calls)


def ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def build_app() -> web.Application:
    fake = FakePlatforms()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.telegram)
    app.router.add_route("*", "/api/{method}", fake.slack)
    app.router.add_post("/control/telegram/update", fake.queue_update)
    app.router.add_get("/control/calls", fake.list_calls)
    return app


if __name__ == "__main__":
    web.run_app(build_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
