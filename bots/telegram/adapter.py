"""The Telegram adapter: a python-telegram-bot Application wired to the core, run by the service.

Long polling by default; with TELEGRAM_WEBHOOK_URL, our own aiohttp server receives the updates
at that URL's path (secret-token checked) and PTB only processes them. Updates from different
chats are handled concurrently, those of one chat in order.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.constants import FloodLimit
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseUpdateProcessor

from ...core.languages import Languages
from ..reachability import Reachability
from ..shared import Services
from .handlers import ALLOWED_UPDATES, PLATFORM, Handlers
from .request import AiohttpRequest
from .sending import STOPPING, quiet_send_message_advice, with_retries
from .settings import TelegramSettings

log = logging.getLogger("iombot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Chats served at once. Two double what one Bot API round trip at a time allows (at 250 ms from
# Tokyo: 8 replies/s); more cost CPU per update (bench/telegram_throughput.py) for a bot this size.
MAX_CONCURRENT_UPDATES = 2
MAX_WAITING_UPDATES = 100_000  # PTB's own limit, only an ordering queue here (see below)
UPDATE_MEMORY_SECONDS = 3600  # how long a webhook update id is remembered, against redelivery
# A 429 is retried by PTB's AIORateLimiter (which also holds back every other request for
# Telegram's wait) this many times; sending.py retries only network failures and 5xx.
RATE_LIMIT_RETRIES = 2
# setMyCommands' language_code: "a two-letter ISO 639-1 language code".
_TELEGRAM_CODE = re.compile(r"[a-z]{2}")
# Built-in commands shown after the topics, with a UI string as their description.
BUILT_IN_COMMANDS = (("start", "welcome_title"), ("help", "help_title"), ("lang", "lang_title"))


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Up to `concurrency` updates at once, from different chats; one chat's updates in order.

    PTB takes a slot of its own semaphore before calling do_process_update; that one is left
    wide, and ours is taken only once the chat's turn has come, so that a chat with a backlog
    (a flood) waits for its own turn without holding slots the other chats need.
    """

    def __init__(self, concurrency: int):
        super().__init__(max_concurrent_updates=MAX_WAITING_UPDATES)
        self._running = asyncio.Semaphore(concurrency)
        # chat id -> (its lock, updates of that chat waiting or running); bounded by the
        # updates in flight, since a chat is forgotten when its last update is done.
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}
        self.last_update: float | None = None  # for health: when an update last arrived
        self.stopping = asyncio.Event()  # set at shutdown: sends in flight stop retrying

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self.last_update = time.time()
        STOPPING.set(self.stopping)  # for with_retries, in this update's task
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._running:
                await coroutine
            return
        lock, users = self._chats.get(chat.id, (None, 0))
        lock = lock or asyncio.Lock()
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock, self._running:
                await coroutine
        finally:
            lock, users = self._chats[chat.id]
            if users == 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class TelegramAdapter:
    name = PLATFORM

    def __init__(
        self,
        services: Services,
        settings: TelegramSettings,
        poll_timeout: float = 10.0,
        concurrency: int = MAX_CONCURRENT_UPDATES,
    ):
        self.services = services
        self.settings = settings
        self.webhook_url = settings.webhook_url
        self.webhook_secret = settings.webhook_secret.value if settings.webhook_secret else None
        self.bot_id = settings.token.value.split(":", 1)[0]  # public: the bot's user id
        self.poll_timeout = poll_timeout
        self.handlers = Handlers(services)
        self.processor = ChatOrderedProcessor(concurrency)
        self.reachability = Reachability()
        self.application = build_application(
            settings.token.value,
            settings.api_url,
            settings.rate_limit,
            self.processor,
            self.reachability,
        )
        self.handlers.register(self.application)
        self.state = "starting"
        self.last_error: dict | None = None  # the polling loop's latest failure, for health
        self._menus: set[str | None] = set()  # the language_codes given a command menu

    # --- the Adapter protocol ----------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        if not self.webhook_url:
            return []
        return [web.post(urlparse(self.webhook_url).path or "/", self.receive_webhook)]

    async def start(self) -> None:
        app = self.application
        api_url = self.settings.api_url
        try:
            await app.initialize()  # getMe: checks the token
        except InvalidToken:
            log.error("TELEGRAM_BOT_TOKEN was rejected by Telegram", extra={"platform": PLATFORM})
            self.state = "down"
            raise RuntimeError("TELEGRAM_BOT_TOKEN was rejected by Telegram") from None
        except NetworkError as error:
            self.state = "down"
            raise RuntimeError(
                f"could not reach the Telegram Bot API at {api_url} ({type(error).__name__})"
            ) from None
        try:
            await self._set_commands_or_log()
            if self.webhook_url:
                await with_retries(
                    lambda: app.bot.set_webhook(
                        self.webhook_url,
                        secret_token=self.webhook_secret,
                        allowed_updates=ALLOWED_UPDATES,
                    )
                )
                await app.start()
                self.state = "webhook"
            else:
                await app.updater.start_polling(
                    timeout=self.poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                    error_callback=self._polling_error,
                )
                await app.start()
                self.state = "polling"
        except Exception:
            self.state = "down"
            await self._close()
            raise
        log.info(
            "telegram: @%s %s",
            app.bot.username,
            "receiving webhooks" if self.webhook_url else "polling",
            extra={"platform": PLATFORM},
        )

    async def stop(self) -> None:
        """Stop taking updates, finish those already taken (their offset is confirmed), exit.
        A reply the Bot API keeps failing is tried no more: shutdown never waits on an outage."""
        self.state = "stopping"
        self.processor.stopping.set()
        await self._close()
        self.state = "down"

    def health(self) -> dict:
        app = self.application
        up = self.state in ("polling", "webhook") and app.running
        if self.state == "polling":
            up = up and bool(app.updater and app.updater.running)
        health = {
            "up": up and not self.reachability.degraded,
            "state": "degraded" if up and self.reachability.degraded else self.state,
            "last_update": self.processor.last_update,
            "last_error": self.last_error,
        }
        if platform := self.reachability.report():
            health["bot_api"] = platform  # why: e.g. {"why": "getUpdates: HTTP 502", ...}
        return health

    async def content_changed(self) -> None:
        await self.set_commands()

    # --- the rest ----------------------------------------------------------------------------

    async def set_commands(self) -> None:
        """The command menu: every topic, then start/help/lang; in the default language by
        default, and a list in each other language for users whose Telegram is in it
        (menu_codes). A language the content no longer has loses the menu this process set
        for it, so that its users fall back to the default's."""
        bot = self.application.bot
        menus = menu_codes(self.services.answerer.languages)
        for code, language in menus.items():
            commands = command_menu(self.services, language)
            await with_retries(
                lambda commands=commands, code=code: bot.set_my_commands(
                    commands, scope=BotCommandScopeDefault(), language_code=code
                )
            )
        for code in sorted(self._menus - menus.keys()):
            await with_retries(
                lambda code=code: bot.delete_my_commands(
                    scope=BotCommandScopeDefault(), language_code=code
                )
            )
        self._menus = set(menus)

    async def _set_commands_or_log(self) -> None:
        # The menu is a convenience: without it every command still works, so go on serving.
        try:
            await self.set_commands()
        except TelegramError as error:
            log.error(
                "could not set the command menu: %s",
                type(error).__name__,
                extra={"platform": PLATFORM},
            )

    async def receive_webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(
            given.encode(), self.webhook_secret.encode()
        ):
            return web.Response(status=403, text="forbidden")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="not JSON")
        update_id = body.get("update_id") if isinstance(body, dict) else None
        # Telegram delivers an update again when our answer was slow; with replicas, the
        # second delivery may reach another one: the shared state says who took it first.
        if isinstance(update_id, int) and not await self.services.state.first_time(
            f"telegram:{self.bot_id}:update:{update_id}", UPDATE_MEMORY_SECONDS
        ):
            return web.Response(text="duplicate")
        # Checked after the last await: once stop() has begun, an update put on the queue might
        # never be handled, so it is refused and Telegram delivers it again later.
        if self.state != "webhook":
            return web.Response(status=503, text="not ready")
        try:
            update = Update.de_json(body, self.application.bot)
        except Exception as error:  # answered 200: Telegram would only retry the same body
            # python-telegram-bot requires what the Bot API sends today (a user's is_bot, a
            # sticker's type...): an update without it is one the handlers could not use.
            kinds = sorted(k for k in body if k != "update_id") if isinstance(body, dict) else []
            log.warning(
                "ignored an update (%s) that python-telegram-bot could not read: %s",
                ", ".join(kinds) if isinstance(body, dict) else "not an object",
                type(error).__name__,
                extra={"platform": PLATFORM, "update_id": update_id},
            )
            return web.Response(text="ignored")
        self.application.update_queue.put_nowait(update)  # unbounded: never waits
        return web.Response(text="ok")

    async def _close(self) -> None:
        app = self.application
        if app.updater and app.updater.running:
            await app.updater.stop()  # one last getUpdates confirms what was taken
        if app.running:
            await app.stop()  # handles what is queued, waits for replies in flight
        await app.shutdown()

    def _polling_error(self, error: TelegramError) -> None:
        """Errors of PTB's polling loop, which retries them with backoff."""
        self.last_error = {"error": type(error).__name__, "time": time.time()}
        polling_error(error)


class ObservedRequest(AiohttpRequest):
    """PTB's HTTP client (ours, request.py), telling `reachability` how each Bot API call went
    (the adapter's health): a 5xx, a 409 or no answer is a failure, any other answer a success."""

    def __init__(self, reachability: Reachability | None, **options: Any):
        super().__init__(**options)
        self.reachability = reachability

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        if self.reachability is None:
            return await super().do_request(url, method, *args, **kwargs)
        name = url.rsplit("/", 1)[-1]  # the Bot API method: never the token in the URL
        try:
            code, payload = await super().do_request(url, method, *args, **kwargs)
        except Exception as error:  # no answer (network, timeout); a cancel is not a failure
            self.reachability.failed(f"{name}: {type(error).__name__}")
            raise
        if code >= 500 or code == 409:
            self.reachability.failed(f"{name}: HTTP {code}")
        else:
            self.reachability.succeeded()
        return code, payload


def build_application(
    token: str,
    api_url: str,
    rate_limit: float,
    processor: BaseUpdateProcessor,
    reachability: Reachability | None = None,
) -> Application:
    quiet_send_message_advice()
    # With rate_limit 0 the limiter only retries 429s; it throttles nothing.
    limiter = AIORateLimiter(
        overall_max_rate=rate_limit,
        overall_time_period=1 if rate_limit > 0 else 0,
        group_max_rate=FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP if rate_limit > 0 else 0,
        max_retries=RATE_LIMIT_RETRIES,
    )
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .concurrent_updates(processor)
        .rate_limiter(limiter)
        .request(ObservedRequest(reachability, connection_pool_size=256))
        .get_updates_request(ObservedRequest(reachability, connection_pool_size=1))
        .build()
    )


def menu_codes(languages: Languages) -> dict[str | None, str]:
    """Telegram's language_code of each command menu, and the content language it is in: None
    (every user without a menu of their own) for the default language; a two-letter code for
    itself; a code with a region (pt-br) for its language (pt), when the content has no language
    of that code itself and no region of it came first. Telegram names a menu by a two-letter
    ISO 639-1 code only: another code (fil) gets none."""
    menus: dict[str | None, str] = {None: languages.default}
    for language in languages.codes:
        code = language.split("-", 1)[0]
        if language == languages.default or not _TELEGRAM_CODE.fullmatch(code):
            continue
        if code != language and code in languages:
            continue  # pt-br beside pt: the pt menu is pt's own
        menus.setdefault(code, language)
    return menus


def command_menu(services: Services, language: str) -> list[BotCommand]:
    strings = services.answerer.strings
    topics = [
        BotCommand(topic.command, topic.text(language).summary[:256])
        for topic in services.answerer.content.topics
    ]
    built_in = [BotCommand(name, strings.text(key, language)) for name, key in BUILT_IN_COMMANDS]
    if services.handoff is not None and services.handoff.serves("telegram"):
        built_in += [
            BotCommand("staff", strings.text("ask_staff", language)),
            BotCommand("done", strings.text("staff_done_command", language)),
        ]
    return (topics + built_in)[:100]


def polling_error(error: TelegramError) -> None:
    """Say what a polling failure means; a 409 loudly, as it will not go away by itself."""
    if isinstance(error, Conflict):
        log.error(
            "409 Conflict from getUpdates: another process is polling with this bot token, or a "
            "webhook is set. Only one instance may poll; stop the other one (or use "
            "TELEGRAM_WEBHOOK_URL). Retrying.",
            extra={"platform": PLATFORM},
        )
    else:
        log.warning(
            "getUpdates failed (%s); retrying with backoff",
            type(error).__name__,
            extra={"platform": PLATFORM},
        )
