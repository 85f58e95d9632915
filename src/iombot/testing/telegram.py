"""A fake Telegram Bot API server on loopback, and the updates Telegram sends, to queue on it.

`FakeBotApi` records every call and serves getUpdates from a queue per bot token. It answers like
Telegram does for the methods the bot uses, checks what matters (every sent text is valid
Telegram HTML with allowed tags only and fits 4096 characters; callback_data fits 64 bytes; at
most 50 inline results), and can be told to fail a method a few times (429, 500, 400). The
benches run it with the checks off.

The builders below (`message`, `edited`, `callback`, `inline_query`, `user`, `chat`) make update
payloads as the Bot API sends them, for `FakeBotApi.push` or a webhook POST.

Standard library and aiohttp only (see iombot.testing).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

from .loopback import serve

BOT_ID = 123
BOT_USERNAME = "test_bot"
ALLOWED_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "s": set(),
    "code": set(),
    "pre": set(),
    "a": {"href"},
    "blockquote": set(),
}
ALLOWED_ENTITIES = {"lt", "gt", "amp", "quot"}
JSON_PARAMETERS = {
    "reply_markup",
    "commands",
    "scope",
    "results",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
}


class TelegramHtmlError(ValueError):
    pass


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        for name, _ in attrs:
            if name not in ALLOWED_TAGS.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}> is not allowed")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open tag")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                self.problems.append(f"unescaped {char!r} in text")
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ALLOWED_ENTITIES:
            self.problems.append(f"entity &{name}; is not supported")
        self.visible.append("x")

    def handle_charref(self, name: str) -> None:
        self.visible.append("x")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("a declaration is not allowed")

    def handle_comment(self, data: str) -> None:
        self.problems.append("a comment is not allowed")


def check_telegram_html(text: str) -> str:
    """Raise TelegramHtmlError unless Telegram would parse `text` with parse_mode HTML;
    returns the visible text (entities counted as one character)."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        checker.problems.append(f"unclosed tags: {checker.stack}")
    if checker.problems:
        raise TelegramHtmlError("; ".join(checker.problems))
    return "".join(checker.visible)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200  # what the fake answered
    token: str = ""  # which bot made the call

    @property
    def text(self) -> str:
        return self.params.get("text", "")


@dataclass
class Bot:
    """The state the fake keeps per bot token."""

    token: str
    username: str = BOT_USERNAME
    updates: list[dict] = field(default_factory=list)
    confirmed: int = 0  # the highest offset a getUpdates call has confirmed
    webhook: str | None = None


class FakeBotApi:
    def __init__(self, *tokens: str, check: bool = True, long_poll: float = 0.5):
        self.bots = {token: Bot(token) for token in tokens}
        self.check = check
        self.long_poll = long_poll  # getUpdates waits at most this long for an update
        self.calls: list[Call] = []
        self.counts: Counter[tuple[str, str]] = Counter()  # (token, method) -> successful calls
        self.problems: list[str] = []  # what the checks rejected
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self.send_delay = 0.0  # seconds each sendMessage takes
        self.get_me_delay = 0.0  # seconds getMe takes (a slow start)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- running ------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner, self.url = await serve(app, shutdown_timeout=0.1)
        return self.url

    async def stop(self) -> None:
        async with self._changed:
            self._changed.notify_all()
        if self._runner:
            await self._runner.cleanup()

    # --- what tests use -----------------------------------------------------------------------

    def push(self, update: dict, token: str | None = None) -> int:
        """Queue an update for getUpdates; gives it the next update_id unless it has one."""
        bot = self._bot(token)
        update.setdefault("update_id", next(self._update_ids))
        bot.updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update["update_id"]

    def fail(self, method: str, status: int, times: int = 1, **parameters: Any) -> None:
        """Make the next `times` calls of `method` fail with this HTTP status."""
        self.failures.setdefault(method, []).extend([(status, parameters)] * times)

    def sent(self, method: str = "sendMessage") -> list[Call]:
        """The successful calls of a method (those the fake answered 200)."""
        return [call for call in self.calls if call.method == method and call.status == 200]

    def attempts(self, method: str) -> list[Call]:
        """Every call of a method, failed ones included."""
        return [call for call in self.calls if call.method == method]

    def sent_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.sent() if int(c.params.get("chat_id", 0)) == chat_id]

    def confirmed(self, token: str | None = None) -> int:
        return self._bot(token).confirmed

    async def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        """Wait until predicate() is true, re-checking after every call the fake receives."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    return bool(predicate())
        return True

    async def wait_sent(self, count: int, method: str = "sendMessage", timeout=5.0) -> list[Call]:
        await self.wait_for(lambda: len(self.sent(method)) >= count, timeout)
        return self.sent(method)

    # --- the server ---------------------------------------------------------------------------

    def _bot(self, token: str | None) -> Bot:
        return self.bots[token] if token else next(iter(self.bots.values()))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params = await _read_params(request)
        bot = self.bots.get(token)
        if bot is None:
            return _error(401, "Unauthorized")
        failures = self.failures.get(method)
        if failures:
            status, parameters = failures.pop(0)
            response = _error(status, f"fake failure {status}", parameters)
        elif method == "getUpdates":
            return await self._get_updates(bot, params)
        else:
            result = await self._answer(bot, method, params)
            response = (
                result
                if isinstance(result, web.Response)
                else web.json_response({"ok": True, "result": result})
            )
        self.calls.append(Call(method, params, status=response.status, token=token))
        if response.status == 200:
            self.counts[token, method] += 1
        await self._notify()
        return response

    async def _get_updates(self, bot: Bot, params: dict) -> web.Response:
        offset = int(params.get("offset") or 0)
        if offset:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
            bot.confirmed = max(bot.confirmed, offset)
        self.calls.append(Call("getUpdates", params, token=bot.token))
        self.counts[bot.token, "getUpdates"] += 1
        await self._notify()
        wait = min(float(params.get("timeout") or 0), self.long_poll)
        if not bot.updates and wait > 0:
            await self.wait_for(lambda: bool(bot.updates), wait)
        limit = int(params.get("limit") or 100)
        return web.json_response({"ok": True, "result": bot.updates[:limit]})

    async def _answer(self, bot: Bot, method: str, params: dict) -> Any:
        if method == "getMe":
            await asyncio.sleep(self.get_me_delay)
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Test",
                "username": bot.username,
                "supports_inline_queries": True,
            }
        if method in ("sendMessage", "editMessageText"):
            problem = self._check_message(params)
            if problem:
                self.problems.append(f"{method}: {problem}")
                return _error(400, f"Bad Request: can't parse entities: {problem}")
            if self.send_delay:
                await asyncio.sleep(self.send_delay)
            chat_id = int(params.get("chat_id") or 0)
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Test"},
                "text": "sent",
            }
        if method == "answerInlineQuery":
            problem = self._check_inline(params)
            if problem:
                self.problems.append(f"{method}: {problem}")
                return _error(400, f"Bad Request: {problem}")
            return True
        if method == "setWebhook":
            bot.webhook = params.get("url")
            return True
        if method == "deleteWebhook":
            bot.webhook = None
            return True
        return True  # setMyCommands, answerCallbackQuery, …

    def _check_message(self, params: dict) -> str | None:
        if not self.check:
            return None
        problem = _check_text(params.get("text", ""), params.get("parse_mode"))
        return problem or _check_markup(params.get("reply_markup"))

    def _check_inline(self, params: dict) -> str | None:
        if not self.check:
            return None
        results = params.get("results", [])
        if len(results) > 50:
            return f"{len(results)} results (at most 50)"
        for result in results:
            content = result.get("input_message_content", {})
            problem = _check_text(content.get("message_text", ""), content.get("parse_mode"))
            problem = problem or _check_markup(result.get("reply_markup"))
            if problem:
                return problem
        return None


def _check_text(text: str, parse_mode: str | None) -> str | None:
    if not text:
        return "message text is empty"
    if parse_mode != "HTML":
        return f"parse_mode is {parse_mode!r}, expected HTML"
    if len(text.encode("utf-16-le")) // 2 > 4096:
        return "message is too long"
    try:
        check_telegram_html(text)
    except TelegramHtmlError as error:
        return str(error)
    return None


def _check_markup(markup: Any) -> str | None:
    if not markup:
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                return "BUTTON_DATA_INVALID"
    return None


async def _read_params(request: web.Request) -> dict[str, Any]:
    """PTB posts a form (or JSON); non-string values arrive JSON-encoded."""
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if not isinstance(value, str):
            continue  # an uploaded file: not used by the bot
        params[key] = json.loads(value) if key in JSON_PARAMETERS else value
    return params


def _error(status: int, description: str, parameters: dict | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


# --- update payloads ------------------------------------------------------------------------------

_message_ids = itertools.count(1)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[dict]:
    """The entities Telegram computes: a leading /command and @mentions (UTF-16 offsets)."""
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16(command[0])})
    for mention in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{3,}", text):
        entities.append(
            {
                "type": "mention",
                "offset": _utf16(text[: mention.start()]),
                "length": _utf16(mention[0]),
            }
        )
    return entities


def user(user_id: int = 1001, language_code: str | None = "en") -> dict:
    found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"}
    if language_code:
        found["language_code"] = language_code
    return found


def chat(chat_id: int, chat_type: str = "private") -> dict:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": f"U{chat_id}"}
    return {"id": chat_id, "type": chat_type, "title": "A group"}


def message(
    text: str | None = "hello",
    user_id: int = 1001,
    chat_id: int | None = None,
    chat_type: str = "private",
    language_code: str | None = "en",
    reply_to: dict | None = None,
    sender: bool = True,
    **extra: Any,
) -> dict:
    """A "message" update; text=None gives a message without text (add e.g. sticker=...)."""
    body: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id if chat_id is not None else user_id, chat_type),
        **extra,
    }
    if sender:
        body["from"] = user(user_id, language_code)
    if text is not None:
        body["text"] = text
        entities = entities_for(text)
        if entities:
            body["entities"] = entities
    if reply_to is not None:
        body["reply_to_message"] = reply_to
    return {"message": body}


def edited(update: dict) -> dict:
    body = dict(update["message"], edit_date=int(time.time()))
    return {"edited_message": body}


def callback(data: str, user_id: int = 1001, chat_id: int | None = None, **fields: Any) -> dict:
    chat_id = chat_id if chat_id is not None else user_id
    return {
        "callback_query": {
            "id": f"cb{next(_message_ids)}",
            "from": user(user_id, fields.pop("language_code", "en")),
            "chat_instance": "ci1",
            "data": data,
            "message": {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": chat(chat_id, fields.pop("chat_type", "private")),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Test"},
                "text": "an earlier reply",
            },
            **fields,
        }
    }


def inline_query(query: str, user_id: int = 1001, language_code: str | None = "en") -> dict:
    return {
        "inline_query": {
            "id": f"iq{next(_message_ids)}",
            "from": user(user_id, language_code),
            "query": query,
            "offset": "",
        }
    }
