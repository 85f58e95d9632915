"""A fake LINE Messaging API on 127.0.0.1, recording everything it receives, and the signed
webhooks LINE sends, to POST to the bot.

`FakeLine` serves the endpoints the bot uses (bot info, reply, push, profile, loading
animation) with LINE's answers and checks: every call needs `Authorization: Bearer
<access_token>` (else 401), sent messages are validated as LINE does (1 to 5 messages, text 1 to
5,000 characters, at most 13 quick reply buttons with labels up to 20 characters, postback data
up to 300 characters; else 400 with `details`), and a reply token works once (again, or listed
in `expired_tokens`: 400 "Invalid reply token"). `fail()` makes a method answer an error a few
times (429 with Retry-After, 500, ...).

Choices where LINE is vague or the fake is simpler than LINE:
- Lengths are counted with len() (code points), not UTF-16 code units.
- A reply token is spent only by a reply that succeeds: one rejected by validation or by an
  injected failure can be tried again.
- A push to a user in `blocked` answers `blocked_status`, 403 by default, so that a test sees
  it. (LINE itself, as far as we know, accepts such a push and silently does not deliver it:
  set it to 200 for that; the push then answers and is recorded like any other.)
- A push with an `X-Line-Retry-Key` already accepted answers 409, with the
  `x-line-accepted-request-id` header and the first answer's sentMessages, like LINE.
- Unknown paths are recorded as method "unknown" and answer 404.

The builders below (`text_event`, `postback_event`, `follow_event`, `sticker_event`,
`image_event`, ..., `webhook_body`, `signature`, `signed_headers`) make the webhook requests
LINE sends; `linebot.v3.webhook.WebhookParser` parses them (tests/integration/
test_fake_line.py checks it).

Standard library and aiohttp only (see iombot.testing).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .loopback import serve

ACCESS_TOKEN = "fake-line-channel-access-token"
CHANNEL_SECRET = "fake-line-channel-secret"
BOT_USER_ID = "Ubot0000000000000000000000000000"
BOT_DISPLAY_NAME = "IOM Tokyo"
USER_ID = "U" + "1" * 32

MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL = 20
MAX_POSTBACK_DATA = 300
MESSAGE_TYPES = {
    "text",
    "textV2",
    "sticker",
    "image",
    "video",
    "audio",
    "location",
    "imagemap",
    "template",
    "flex",
}
# quick reply actions that need no label (LINE supplies one)
UNLABELLED_ACTIONS = {"camera", "cameraRoll", "location"}

AUTH_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)


@dataclass
class Call:
    method: str  # the short name: bot_info, reply, push, profile, loading (or unknown)
    path: str
    body: dict | None
    headers: dict[str, str] = field(repr=False)
    status: int = 0  # what the fake answered
    result: dict | None = field(default=None, repr=False)
    at: float = field(default_factory=time.monotonic, repr=False)


class FakeLine:
    def __init__(self, access_token: str = ACCESS_TOKEN) -> None:
        self.access_token = access_token
        self.calls: list[Call] = []
        # method -> answers to give before the normal one: (status, headers, body)
        self.failures: dict[str, list[tuple[int, dict, dict]]] = defaultdict(list)
        self.used_tokens: set[str] = set()  # reply tokens spent by a successful reply
        self.expired_tokens: set[str] = set()  # reply tokens LINE no longer accepts
        self.blocked: set[str] = set()  # users who blocked the account: push fails
        self.blocked_status = 403
        self.unknown_users: set[str] = set()  # profile answers 404
        self.languages: dict[str, str | None] = {}  # userId -> profile language (absent: none)
        self.display_names: dict[str, str] = {}  # userId -> displayName (default "User")
        self.profile_delay = 0.0  # seconds each profile call takes
        self.retry_keys: dict[str, tuple[str, dict]] = {}  # accepted X-Line-Retry-Key
        self._message_ids = itertools.count(600000000000000001)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/v2/bot/info", self._bot_info)
        app.router.add_post("/v2/bot/message/reply", self._reply)
        app.router.add_post("/v2/bot/message/push", self._push)
        app.router.add_get("/v2/bot/profile/{user_id}", self._profile)
        app.router.add_post("/v2/bot/chat/loading/start", self._loading)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner, self.url = await serve(app, shutdown_timeout=0.1)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what tests use -----------------------------------------------------------------------

    def fail(
        self, method: str, status: int, times: int = 1, retry_after: int | None = None
    ) -> None:
        """Make the next `times` calls of `method` (a short name: "reply", "push", ...) answer
        `status` with {"message": "fake failure"} (and Retry-After when given)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.failures[method].extend([(status, headers, {"message": "fake failure"})] * times)

    def calls_to(self, method: str) -> list[Call]:
        """Every call of a method, failed ones included."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """The calls to a method, once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(method)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"{method}: {len(self.calls_to(method))} call(s), expected {count}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return self.calls_to(method)

    def replies(self, to_token: str | None = None) -> list[Call]:
        """The successful replies (200), those using `to_token` when given."""
        return [
            call
            for call in self.calls_to("reply")
            if call.status == 200
            and (to_token is None or _get(call.body, "replyToken") == to_token)
        ]

    def pushes(self, to: str | None = None) -> list[Call]:
        """The successful pushes (200), those to `to` when given."""
        return [
            call
            for call in self.calls_to("push")
            if call.status == 200 and (to is None or _get(call.body, "to") == to)
        ]

    @staticmethod
    def texts(call: Call) -> list[str]:
        """The texts of the text messages in a reply or push call."""
        messages = _get(call.body, "messages") or []
        return [
            message.get("text", "")
            for message in messages
            if isinstance(message, dict) and message.get("type") == "text"
        ]

    # --- the server ---------------------------------------------------------------------------

    async def _record(self, method: str, request: web.Request) -> tuple[Call, web.Response | None]:
        """Record the call; the answer when it must not go on (bad token, injected failure)."""
        body: dict | None = None
        if request.can_read_body:
            raw = await request.read()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = {"_raw": raw.decode(errors="replace")}
        call = Call(method, request.path, body, dict(request.headers))
        self.calls.append(call)
        self._changed.set()
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return call, self._answer(call, 401, {"message": AUTH_FAILED})
        if self.failures[method]:
            status, headers, failure = self.failures[method].pop(0)
            return call, self._answer(call, status, failure, headers)
        if body is not None and "_raw" in body:
            message = "The request body could not be parsed as JSON"
            return call, self._answer(call, 400, {"message": message})
        return call, None

    def _answer(
        self, call: Call, status: int, body: dict, headers: dict | None = None
    ) -> web.Response:
        call.status, call.result = status, body
        self._changed.set()
        return web.json_response(body, status=status, headers=headers)

    async def _bot_info(self, request: web.Request) -> web.Response:
        call, refused = await self._record("bot_info", request)
        if refused:
            return refused
        info = {
            "userId": BOT_USER_ID,
            "basicId": "@iombot",
            "displayName": BOT_DISPLAY_NAME,
            "chatMode": "bot",
            "markAsReadMode": "auto",
        }
        return self._answer(call, 200, info)

    async def _reply(self, request: web.Request) -> web.Response:
        call, refused = await self._record("reply", request)
        if refused:
            return refused
        body = call.body or {}
        details = []
        if not body.get("replyToken"):
            details.append(_detail("must be specified", "replyToken"))
        details += check_messages(body.get("messages"))
        if details:
            return self._answer(call, 400, _invalid(details))
        token = body["replyToken"]
        if token in self.used_tokens or token in self.expired_tokens:
            return self._answer(call, 400, {"message": "Invalid reply token"})
        self.used_tokens.add(token)
        return self._answer(call, 200, self._sent(body["messages"]))

    async def _push(self, request: web.Request) -> web.Response:
        call, refused = await self._record("push", request)
        if refused:
            return refused
        body = call.body or {}
        details = []
        if not body.get("to"):
            details.append(_detail("must be specified", "to"))
        details += check_messages(body.get("messages"))
        if details:
            return self._answer(call, 400, _invalid(details))
        retry_key = request.headers.get("X-Line-Retry-Key")
        if retry_key and retry_key in self.retry_keys:
            request_id, sent = self.retry_keys[retry_key]
            conflict = {"message": "The retry key is already accepted", **sent}
            headers = {"x-line-accepted-request-id": request_id}
            return self._answer(call, 409, conflict, headers)
        if body["to"] in self.blocked and self.blocked_status != 200:
            message = "The user has blocked the LINE Official Account"
            return self._answer(call, self.blocked_status, {"message": message})
        sent = self._sent(body["messages"])
        request_id = str(uuid.uuid4())
        if retry_key:
            self.retry_keys[retry_key] = (request_id, sent)
        return self._answer(call, 200, sent, {"x-line-request-id": request_id})

    async def _profile(self, request: web.Request) -> web.Response:
        call, refused = await self._record("profile", request)
        if refused:
            return refused
        user_id = request.match_info["user_id"]
        if self.profile_delay:
            await asyncio.sleep(self.profile_delay)
        if user_id in self.unknown_users:
            return self._answer(call, 404, {"message": "Not found"})
        profile: dict[str, Any] = {
            "userId": user_id,
            "displayName": self.display_names.get(user_id, "User"),
        }
        language = self.languages.get(user_id)
        if language is not None:
            profile["language"] = language
        return self._answer(call, 200, profile)

    async def _loading(self, request: web.Request) -> web.Response:
        call, refused = await self._record("loading", request)
        if refused:
            return refused
        body = call.body or {}
        details = []
        if not body.get("chatId"):
            details.append(_detail("must be specified", "chatId"))
        seconds = body.get("loadingSeconds", 20)
        if not isinstance(seconds, int) or not 5 <= seconds <= 60 or seconds % 5:
            details.append(_detail("Must be a multiple of 5 between 5 and 60", "loadingSeconds"))
        if details:
            return self._answer(call, 400, _invalid(details))
        return self._answer(call, 202, {})

    async def _unknown(self, request: web.Request) -> web.Response:
        call = Call("unknown", request.path, None, dict(request.headers))
        self.calls.append(call)
        return self._answer(call, 404, {"message": "Not found"})

    def _sent(self, messages: list[dict]) -> dict:
        return {
            "sentMessages": [
                {"id": str(next(self._message_ids)), "quoteToken": _quote_token()} for _ in messages
            ]
        }


# --- message checks -------------------------------------------------------------------------------


def check_messages(messages: Any) -> list[dict]:
    """The problems LINE reports for a `messages` array, as its `details` entries."""
    if messages is None:
        return [_detail("must be specified", "messages")]
    if not isinstance(messages, list):
        return [_detail("must be an array", "messages")]
    if not 1 <= len(messages) <= MAX_MESSAGES:
        return [_detail(f"Size must be between 1 and {MAX_MESSAGES}", "messages")]
    details: list[dict] = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            details.append(_detail("must be an object", where))
            continue
        kind = message.get("type")
        if kind is None:
            details.append(_detail("must be specified", f"{where}.type"))
        elif kind not in MESSAGE_TYPES:
            details.append(_detail("Invalid message type", f"{where}.type"))
        if kind == "text":
            text = message.get("text")
            if not isinstance(text, str) or not text:
                details.append(_detail("must be specified", f"{where}.text"))
            elif len(text) > MAX_TEXT:
                details.append(_detail(f"Length must be between 0 and {MAX_TEXT}", f"{where}.text"))
        details += _check_quick_reply(message.get("quickReply"), f"{where}.quickReply")
        details += _check_postbacks(message, where)
    return details


def _check_quick_reply(quick_reply: Any, where: str) -> list[dict]:
    if quick_reply is None:
        return []
    items = quick_reply.get("items") if isinstance(quick_reply, dict) else None
    if not isinstance(items, list):
        return [_detail("must be specified", f"{where}.items")]
    if len(items) > MAX_QUICK_REPLY_ITEMS:
        return [_detail(f"Size must be between 0 and {MAX_QUICK_REPLY_ITEMS}", f"{where}.items")]
    details = []
    for j, item in enumerate(items):
        action = item.get("action") if isinstance(item, dict) else None
        if not isinstance(action, dict):
            details.append(_detail("must be specified", f"{where}.items[{j}].action"))
            continue
        label = action.get("label")
        if label is None and action.get("type") not in UNLABELLED_ACTIONS:
            details.append(_detail("must be specified", f"{where}.items[{j}].action.label"))
        elif label is not None and len(label) > MAX_LABEL:
            details.append(
                _detail(
                    f"Length must be between 0 and {MAX_LABEL}", f"{where}.items[{j}].action.label"
                )
            )
    return details


def _check_postbacks(value: Any, where: str) -> list[dict]:
    """Postback actions anywhere in a message (quick reply, template, flex): data up to 300."""
    details = []
    if isinstance(value, dict):
        if value.get("type") == "postback":
            data = value.get("data")
            if not isinstance(data, str):
                details.append(_detail("must be specified", f"{where}.data"))
            elif len(data) > MAX_POSTBACK_DATA:
                details.append(
                    _detail(f"Length must be between 0 and {MAX_POSTBACK_DATA}", f"{where}.data")
                )
        for key, inner in value.items():
            details += _check_postbacks(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            details += _check_postbacks(inner, f"{where}[{i}]")
    return details


def _detail(message: str, prop: str) -> dict:
    return {"message": message, "property": prop}


def _invalid(details: list[dict]) -> dict:
    return {"message": f"The request body has {len(details)} error(s)", "details": details}


def _get(body: dict | None, key: str) -> Any:
    return body.get(key) if isinstance(body, dict) else None


# --- webhooks -------------------------------------------------------------------------------------

_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
_event_counter = itertools.count(1)
_message_ids = itertools.count(500000000000000001)


def _base32(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        chars.append(_ULID_ALPHABET[digit])
    return "".join(reversed(chars))


def new_event_id() -> str:
    """A new webhookEventId: a ULID (26 characters), unique within the process."""
    unique = (next(_event_counter) << 40) | secrets.randbits(40)
    return _base32(int(time.time() * 1000), 10) + _base32(unique, 16)


def new_reply_token() -> str:
    """A new reply token (32 hex digits, as LINE's look)."""
    return uuid.uuid4().hex


def _quote_token() -> str:
    return secrets.token_urlsafe(48)


def signature(body: bytes, secret: str = CHANNEL_SECRET) -> str:
    """X-Line-Signature: base64 of HMAC-SHA256(channel secret, raw body)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_headers(body: bytes, secret: str = CHANNEL_SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Line-Signature": signature(body, secret)}


def webhook_body(*events: dict, destination: str = BOT_USER_ID) -> bytes:
    """What LINE POSTs; no events is the console's "Verify" request."""
    return json.dumps(
        {"destination": destination, "events": list(events)}, ensure_ascii=False
    ).encode()


def source(user_id: str = USER_ID, group_id: str | None = None, room_id: str | None = None) -> dict:
    if group_id is not None:
        return {"type": "group", "groupId": group_id, "userId": user_id}
    if room_id is not None:
        return {"type": "room", "roomId": room_id, "userId": user_id}
    return {"type": "user", "userId": user_id}


def _event(
    kind: str,
    source_: dict,
    *,
    redelivery: bool = False,
    event_id: str | None = None,
    reply_token: str | None = None,
    replyable: bool = True,
    **fields: Any,
) -> dict:
    """An event as LINE sends it; `redelivery`, `event_id` and `reply_token` (new unless given)
    are what every builder below passes on."""
    event: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": source_,
        "webhookEventId": event_id or new_event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if replyable:
        event["replyToken"] = reply_token or new_reply_token()
    event.update(fields)
    return event


def _message(kind: str, **fields: Any) -> dict:
    return {"id": str(next(_message_ids)), "type": kind, "quoteToken": _quote_token(), **fields}


def _message_event(
    message: dict,
    user_id: str,
    group_id: str | None,
    room_id: str | None,
    delivery: dict[str, Any],
) -> dict:
    return _event("message", source(user_id, group_id, room_id), message=message, **delivery)


def text_event(
    text: str,
    user_id: str = USER_ID,
    group_id: str | None = None,
    room_id: str | None = None,
    mention_self: bool = False,
    **delivery: Any,
) -> dict:
    """A text message event; mention_self puts "@IOM Tokyo " before the text, with the
    mention LINE adds (isSelf: true). `delivery`: redelivery, event_id, reply_token."""
    message = _message("text", text=text)
    if mention_self:
        handle = f"@{BOT_DISPLAY_NAME}"
        message["text"] = f"{handle} {text}"
        message["mention"] = {
            "mentionees": [
                {
                    "index": 0,
                    "length": len(handle),
                    "type": "user",
                    "userId": BOT_USER_ID,
                    "isSelf": True,
                }
            ]
        }
    return _message_event(message, user_id, group_id, room_id, delivery)


def postback_event(
    data: str,
    user_id: str = USER_ID,
    group_id: str | None = None,
    room_id: str | None = None,
    params: dict[str, str] | None = None,
    **delivery: Any,
) -> dict:
    postback: dict[str, Any] = {"data": data}
    if params:
        postback["params"] = params
    return _event("postback", source(user_id, group_id, room_id), postback=postback, **delivery)


def follow_event(user_id: str = USER_ID, unblocked: bool = False, **delivery: Any) -> dict:
    """A user added the account as a friend (or unblocked it)."""
    return _event("follow", source(user_id), follow={"isUnblocked": unblocked}, **delivery)


def unfollow_event(user_id: str = USER_ID, **delivery: Any) -> dict:
    """A user blocked the account (no reply token)."""
    return _event("unfollow", source(user_id), replyable=False, **delivery)


def join_event(group_id: str = "C" + "2" * 32, **delivery: Any) -> dict:
    """The account joined a group (the source has no userId)."""
    return _event("join", {"type": "group", "groupId": group_id}, **delivery)


def sticker_event(
    user_id: str = USER_ID,
    group_id: str | None = None,
    room_id: str | None = None,
    package_id: str = "446",
    sticker_id: str = "1988",
    **delivery: Any,
) -> dict:
    message = _message(
        "sticker",
        packageId=package_id,
        stickerId=sticker_id,
        stickerResourceType="STATIC",
        keywords=["Hello", "Happy"],
    )
    return _message_event(message, user_id, group_id, room_id, delivery)


def image_event(
    user_id: str = USER_ID,
    group_id: str | None = None,
    room_id: str | None = None,
    **delivery: Any,
) -> dict:
    message = _message("image", contentProvider={"type": "line"})
    return _message_event(message, user_id, group_id, room_id, delivery)
