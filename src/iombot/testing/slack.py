"""A fake Slack on 127.0.0.1, recording everything it receives, and signed requests to send.

One aiohttp server plays three parts: the Web API (`/api/<method>`, GET or POST), the
response_url receiver (`/respond/<n>`), and a Socket Mode websocket server (`/socket/<n>`) that
speaks the envelope protocol: hello on connect, envelopes out, acks (with their payload) back,
disconnect, drops.

The builders below make what Slack sends: signed slash commands (`command_body`,
`signed_headers`), Events API payloads (`event_payload`, `mention`, `direct_message`,
`home_opened`) and button presses (`action_payload`, `action_body`).

Standard library and aiohttp only (see iombot.testing).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from .loopback import serve

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1-test-bot-token"
APP_TOKEN = "xapp-1-test-app-token"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str] = field(repr=False)
    result: dict | None = field(default=None, repr=False)  # what the fake answered


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[Call] = []  # what arrived at response_url
        # method -> answers to give before the normal one: (status, headers, body) or a delay
        self.failures: dict[str, list[tuple[int, dict, dict] | float]] = defaultdict(list)
        self.locales: dict[str, str] = {}
        self.socket_allowed = True  # apps.connections.open succeeds
        self.app_token_refused = False  # apps.connections.open says invalid_auth
        self.answer_pings = True  # False: new connections go silent (no hello, no pongs)
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: dict[str, asyncio.Future] = {}
        self.envelope_ids = itertools.count(1)
        self._socket_ids = itertools.count(1)
        self._responses_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base = ""

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{n}", self._respond)
        app.router.add_get("/socket/{n}", self._socket)
        self._runner, self.base = await serve(app)
        return self.base

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self) -> str:
        return f"{self.base}/respond/{next(self._responses_ids)}"

    # --- what was received --------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """The calls to a method, once there are at least `count` of them."""
        return await self._wait(lambda: self.calls_to(method), count, timeout, method)

    async def wait_responses(self, count: int = 1, timeout: float = 5) -> list[Call]:
        return await self._wait(lambda: self.responses, count, timeout, "response_url")

    async def _wait(self, get, count: int, timeout: float, what: str) -> list[Call]:
        deadline = time.monotonic() + timeout
        while len(get()) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{what}: {len(get())} call(s), expected {count}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return list(get())

    # --- the Web API --------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        self.calls.append(Call(method, args, dict(request.headers)))
        self._changed.set()
        if self.failures[method]:
            failure = self.failures[method].pop(0)
            if isinstance(failure, float | int):
                await asyncio.sleep(failure)  # longer than the client's timeout: a timeout
            else:
                status, headers, body = failure
                return web.json_response(body, status=status, headers=headers)
        self.calls[-1].result = self.answer(method, args)
        return web.json_response(self.calls[-1].result)

    def answer(self, method: str, args: dict[str, Any]) -> dict:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method == "chat.postMessage":
            ts = f"{1700000000 + len(self.calls)}.000100"
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {}}
        if method == "users.info":
            user = args.get("user", "")
            return {"ok": True, "user": {"id": user, "locale": self.locales.get(user, "en-US")}}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V1", "type": "home"}}
        if method == "apps.connections.open":
            if self.app_token_refused:
                return {"ok": False, "error": "invalid_auth"}
            if not self.socket_allowed:
                return {"ok": False, "error": "internal_error"}
            return {"ok": True, "url": f"ws://{self.base[7:]}/socket/{next(self._socket_ids)}"}
        return {"ok": True}

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append(Call(request.path, await request.json(), dict(request.headers)))
        self._changed.set()
        return web.Response(text="ok")

    # --- Socket Mode --------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=self.answer_pings)
        await ws.prepare(request)
        self.sockets.append(ws)
        self._changed.set()
        if self.answer_pings:  # a silent connection says nothing at all
            hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
            await ws.send_json(hello)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                future = self.acks.get(data.get("envelope_id"))
                if future is not None and not future.done():
                    future.set_result(data)
        return ws

    def open_sockets(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self.sockets if not ws.closed]

    async def wait_sockets(self, count: int, timeout: float = 5) -> None:
        """Until `count` connections have been made in all."""
        await self._wait(lambda: self.sockets, count, timeout, "websocket connections")

    async def send_envelope(
        self, kind: str, payload: dict, retry_attempt: int = 0, timeout: float = 5
    ) -> dict:
        """Send an envelope on the newest open connection; return the app's ack."""
        envelope_id = f"env-{next(self.envelope_ids)}"
        self.acks[envelope_id] = asyncio.get_running_loop().create_future()
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        await self.open_sockets()[-1].send_json(envelope)
        return await asyncio.wait_for(self.acks[envelope_id], timeout)

    async def send_disconnect(self) -> None:
        await self.open_sockets()[-1].send_json(
            {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}}
        )

    async def drop_sockets(self) -> None:
        for ws in self.open_sockets():
            await ws.close()


# --- signed requests ------------------------------------------------------------------------------


def signed_headers(body: str | bytes, secret: str = SECRET, timestamp: int | None = None) -> dict:
    raw = body.encode() if isinstance(body, str) else body
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:".encode() + raw
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    content_type = (
        "application/json" if raw.startswith(b"{") else "application/x-www-form-urlencoded"
    )
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }


def command_fields(
    text: str, response_url: str, user: str = "U1", channel: str = "C1", **more: str
) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": "T1",
        "team_domain": "iom",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "alice",
        "command": "/iom",
        "text": text,
        "api_app_id": "A1",
        "response_url": response_url,
        "trigger_id": "1.2.3",
        **more,
    }


def command_body(text: str, response_url: str, **fields: str) -> str:
    return urlencode(command_fields(text, response_url, **fields))


def event_payload(event: dict, event_id: str = "Ev1") -> dict:
    return {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": event,
    }


def mention(text: str, ts: str = "1700000000.000100", **more: Any) -> dict:
    return {
        "type": "app_mention",
        "user": "U1",
        "text": f"<@UBOT> {text}",
        "ts": ts,
        "channel": "C1",
        "event_ts": ts,
        **more,
    }


def direct_message(text: str, ts: str = "1700000001.000200", **more: Any) -> dict:
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": text,
        "ts": ts,
        "channel": "D1",
        "event_ts": ts,
        **more,
    }


def action_payload(
    value: str,
    action_id: str,
    response_url: str | None,
    container: dict | None = None,
    user: str = "U1",
    channel: str = "C1",
    **more: Any,
) -> dict:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "1.2.3",
        "container": container or {"type": "message", "is_ephemeral": True, "channel_id": channel},
        "channel": {"id": channel},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": "1700000002.000300",
            }
        ],
        **more,
    }
    if response_url:
        payload["response_url"] = response_url
    return payload


def action_body(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


def home_opened(user: str = "U1", tab: str = "home") -> dict:
    return {"type": "app_home_opened", "user": user, "channel": "D1", "tab": tab, "event_ts": "1"}
