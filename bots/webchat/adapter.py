"""The web chat adapter: GET /chat (the page), its scripts, and the WebSocket (GET /chat/ws)
carrying JSON messages, all on the bot's own server.

The page says hello with the session id it keeps in localStorage (opaque, made here; no cookie)
and gets back the conversation so far; each message or button press then goes through the
pipeline like any platform's, and the replies come back as JSON (render.py) to every open page
of that session. The WebSocket is refused (403) unless it is opened from the bot's own address
or a site WEBCHAT_ORIGINS lists. A message over the size limit, and messages past the flood
limits (per session: the pipeline's; per address: here), get a polite notice.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from aiohttp import WSMsgType, web

from ...core.reply import Paragraph, Query, Reply, ReplyKind, Text
from ..bounded import BoundedMap
from ..editors.feedback import PREFIX as FEEDBACK_PREFIX
from ..editors.feedback import Vote
from ..flood import FloodGate, Verdict
from ..periodic import Periodic
from ..pipeline import Incoming, Pipeline
from ..shared import Services
from .deliver import (
    OUTBOX,
    OUTBOX_SECONDS,
    WebchatDeliverer,
    bot_entry,
    post,
    waiting_seconds,
)
from .page import Page, labels
from .render import user_entry
from .settings import WebchatSettings, normal_origin
from .transcripts import Entry, Transcripts, entry_json

log = logging.getLogger("iombot.webchat")

PLATFORM = "webchat"
SESSION = re.compile(r"[A-Za-z0-9_-]{24}")
MAX_FRAME = 16 * 1024  # a larger WebSocket message closes the connection (1009)
MAX_LABEL = 100  # a pressed button's label, shown as what the person chose
ADDRESS_WINDOW = 60.0
HEARTBEAT = 30.0  # pings keep idle connections through proxies and find dead ones
OUTBOX_POLL = 2.0  # how often staff replies posted by another process are looked for
SEEN = 512  # entry ids a page remembers having shown (so that none is shown twice)
KEPT = 4096  # posted entries this process knows are in their conversations
FEEDBACK_NAMES = ("webchat_helpful", "webchat_not_helpful")  # 👍 and 👎 for screen readers


class Connection:
    """One open page: its socket, its session, the browser's language."""

    __slots__ = ("address", "locale", "seen", "session", "socket")

    def __init__(self, socket: web.WebSocketResponse, address: str):
        self.socket = socket
        self.address = address
        self.session = ""
        self.locale: str | None = None
        # The ids of the entries this page has: the least recently seen forgotten first (not
        # all at once: the outbox is read again).
        self.seen: BoundedMap[str, bool] = BoundedMap(SEEN)

    def saw(self, entry: Entry) -> bool:
        """Note an entry shown; False when the page had it already."""
        ident = entry.get("id")
        if not isinstance(ident, str):
            return True
        if ident in self.seen:
            return False
        self.seen.set(ident, True)
        return True


class WebchatChannel:
    """The pipeline's channel for one message: the replies go to the session's conversation
    and to every page of the session that is open in this process."""

    def __init__(self, adapter: WebchatAdapter, session: str):
        self.adapter = adapter
        self.session = session

    async def send(self, replies: Sequence[Reply]) -> bool:
        for reply in replies:
            await self.adapter.push(self.session, reply)
        return True

    async def thank(self, vote: Vote, text: str) -> None:
        await self.send((_notice(text, vote.language),))


class WebchatAdapter:
    name = PLATFORM

    def __init__(self, services: Services, settings: WebchatSettings):
        self.services = services
        self.settings = settings
        self.pipeline = Pipeline(services)
        self.page = Page(settings.origins)
        self.address_gate = FloodGate(settings.address_limit, ADDRESS_WINDOW)
        self.open: dict[str, set[Connection]] = {}  # session -> its open pages here
        self.outbox = Periodic(self.read_outbox, OUTBOX_POLL, "webchat outbox")
        self.kept: BoundedMap[str, bool] = BoundedMap(KEPT)  # outbox entries handled here
        self.state = "starting"
        self.last_update: float | None = None
        self.transcripts = Transcripts(services.state, services.settings.question_log_days)
        deliverer = services.handoff.deliverers.get(PLATFORM) if services.handoff else None
        if isinstance(deliverer, WebchatDeliverer):
            deliverer.attach(self)  # staff replies reach this process's pages at once (push)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/chat", self.chat_page),
            web.get("/chat/ws", self.socket),
            *(web.get(f"/chat/{name}", self._file(name)) for name in self.page.files),
        ]

    async def start(self) -> None:
        self.outbox.start()
        self.transcripts.start()  # written behind while serving
        self.state = "serving"
        log.info("web chat at /chat", extra={"platform": PLATFORM})

    async def stop(self) -> None:
        self.state = "stopping"
        await self.outbox.stop()
        for connections in list(self.open.values()):
            for connection in list(connections):
                await connection.socket.close(code=1001, message=b"server stopping")
        await self.transcripts.stop()  # what waits is written; later turns are written at once
        self.state = "down"

    def health(self) -> dict:
        return {
            "up": self.state == "serving",
            "state": self.state,
            "last_update": self.last_update,
            "open_pages": sum(len(pages) for pages in self.open.values()),
        }

    async def content_changed(self) -> None:
        return None  # nothing cached from the content

    # --- HTTP ---------------------------------------------------------------------------------

    async def chat_page(self, request: web.Request) -> web.Response:
        answerer = self.services.answerer
        return self.page.html(request, answerer.strings, answerer.languages)

    def _file(self, name: str):
        async def serve(request: web.Request) -> web.Response:
            if name == "widget.js":
                answerer = self.services.answerer
                return self.page.widget(answerer.strings, answerer.languages)
            return self.page.file(name)

        return serve

    def allowed(self, request: web.Request) -> bool:
        """The page's own address (over http or https: behind a proxy the scheme may differ)
        or a site WEBCHAT_ORIGINS lists."""
        origin = normal_origin(request.headers.get("Origin", ""))
        if origin is None:
            return False
        own = {normal_origin(f"{scheme}://{request.host}") for scheme in ("http", "https")}
        return origin in own or origin in self.settings.origins

    def address(self, request: web.Request) -> str:
        """Who is writing, for the flood limit per address: the peer, or behind a trusted
        reverse proxy the last address of X-Forwarded-For (the one the proxy saw)."""
        forwarded = request.headers.get("X-Forwarded-For", "")
        if self.settings.trust_forwarded and forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
        return request.remote or "unknown"

    # --- the WebSocket ------------------------------------------------------------------------

    async def socket(self, request: web.Request) -> web.StreamResponse:
        if not self.allowed(request):
            log.info("web chat refused an origin", extra={"platform": PLATFORM})
            return web.Response(status=403, text="origin not allowed")
        socket = web.WebSocketResponse(max_msg_size=MAX_FRAME, heartbeat=HEARTBEAT)
        await socket.prepare(request)
        connection = Connection(socket, self.address(request))
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                try:
                    message = json.loads(frame.data)
                except ValueError:
                    continue
                if isinstance(message, dict):
                    await self.on_message(connection, message)
        finally:
            if connection.session:
                pages = self.open.get(connection.session)
                if pages is not None:
                    pages.discard(connection)
                    if not pages:
                        del self.open[connection.session]
        return socket

    async def on_message(self, connection: Connection, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "hello":
            await self.hello(connection, message)
            return
        if not connection.session:
            return  # nothing before hello
        self.last_update = time.time()
        if kind == "message":
            text = message.get("text")
            if isinstance(text, str):
                await self.on_text(connection, text)
        elif kind == "button":
            action, label = message.get("action"), message.get("label")
            answer = message.get("answer")
            if isinstance(action, str) and action:
                await self.on_button(
                    connection,
                    action,
                    label if isinstance(label, str) else "",
                    answer if isinstance(answer, str) else None,
                )

    async def hello(self, connection: Connection, message: dict[str, Any]) -> None:
        """The session the page keeps (or a new one) and its conversation so far; a new
        session starts with the welcome."""
        if connection.session:
            return
        locale = message.get("locale")
        connection.locale = locale[:35] if isinstance(locale, str) and locale else None
        asked = message.get("session")
        known = isinstance(asked, str) and SESSION.fullmatch(asked) is not None
        session = asked if known else secrets.token_urlsafe(18)
        assert isinstance(session, str)
        connection.session = session
        history = await self.transcripts.load(session) if known else []
        for entry in history:
            connection.saw(entry)
        self.open.setdefault(session, set()).add(connection)
        language = await self.services.language_for(self._query(connection, ""))
        await self._send(
            connection,
            {
                "type": "session",
                "session": session,
                "language": language,
                "labels": labels(self.services.answerer.strings, language),
                "max_chars": self.settings.max_chars,
                "history": history,
            },
        )
        if not history:
            await self.pipeline.process(
                self._incoming(connection, "/start"), self._channel(connection)
            )

    async def on_text(self, connection: Connection, text: str) -> None:
        text = text.strip()
        if not await self._admit_address(connection):
            return
        entry = user_entry(text[: self.settings.max_chars])
        self.transcripts.note(connection.session, entry)
        await self._echo(connection, entry)
        if len(text) > self.settings.max_chars:
            language = await self.services.language_for(self._query(connection, ""))
            notice = self.services.notice(
                "webchat_too_long", language, limit=str(self.settings.max_chars)
            )
            # Its kind stays "notice", as the page has always been sent it.
            await self.push(connection.session, replace(notice, kind=ReplyKind.NOTICE))
            return
        await self.pipeline.process(self._incoming(connection, text), self._channel(connection))

    async def on_button(
        self, connection: Connection, action: str, label: str, answer: str | None
    ) -> None:
        if not await self._admit_address(connection):
            return
        if label and not action.startswith(FEEDBACK_PREFIX):
            entry = user_entry(label[:MAX_LABEL])
            self.transcripts.note(connection.session, entry)
            await self._echo(connection, entry)
        incoming = replace(
            self._incoming(connection, ""), action=action[:200], answer=answer and answer[:64]
        )
        await self.pipeline.process(incoming, self._channel(connection))

    # --- sending ------------------------------------------------------------------------------

    async def push(self, session: str, reply: Reply) -> None:
        """A reply into the session's conversation, and to its pages open here (or, with none
        open here, to those another web chat process may have, through the outbox)."""
        strings = self.services.answerer.strings
        names = tuple(strings.text(key, reply.language) for key in FEEDBACK_NAMES)
        entry = bot_entry(reply, (names[0], names[1]))
        pages = list(self.open.get(session, ()))
        await self.transcripts.append(session, entry)
        if not pages:
            await post(self.services.state, session, entry, kept=True, seconds=OUTBOX_SECONDS)
            return
        text = _entry_message(entry)
        for connection in pages:
            if connection.saw(entry):
                await self._send_text(connection, text)

    async def read_outbox(self) -> None:
        """Staff replies that another process posted: into their conversations (by the first
        web chat process to claim each), and to the pages open here."""
        state = self.services.state
        try:
            records = await state.list_records(OUTBOX)
            for record in records:
                session, text = record.get("session"), record.get("entry")
                if not isinstance(session, str) or not isinstance(text, str):
                    continue
                try:
                    entry = json.loads(text)
                except ValueError:
                    continue
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                    continue
                if not record.get("kept"):
                    await self._keep(session, entry)
                for connection in list(self.open.get(session, ())):
                    if connection.saw(entry):
                        await self._send_text(connection, _entry_message(entry))
        except Exception as error:  # the next reading tries again
            log.warning("web chat outbox: %s", type(error).__name__, extra={"platform": PLATFORM})

    async def _keep(self, session: str, entry: Entry) -> None:
        """A posted entry into the session's conversation, once across the web chat processes;
        then marked kept, for this long only."""
        key = f"{session}.{entry['id']}"
        if key in self.kept:
            return
        seconds = waiting_seconds(self.transcripts.seconds)
        if await self.services.state.first_time(f"webchat-kept:{key}", seconds):
            await self.transcripts.append(session, entry)
            await post(self.services.state, session, entry, kept=True, seconds=OUTBOX_SECONDS)
        self.kept.set(key, True)  # a None value would read as missing

    async def _echo(self, sender: Connection, entry: Entry) -> None:
        """What the person wrote, to the session's other open pages (the sender shows it)."""
        for connection in list(self.open.get(sender.session, ())):
            if connection is not sender:
                await self._send_text(connection, _entry_message(entry))

    async def _send(self, connection: Connection, data: dict[str, Any]) -> None:
        await self._send_text(connection, json.dumps(data, ensure_ascii=False))

    async def _send_text(self, connection: Connection, text: str) -> None:
        if connection.socket.closed:
            return
        # A page that went away: the conversation keeps the entry.
        with contextlib.suppress(ConnectionError, RuntimeError):
            await connection.socket.send_str(text)

    async def _admit_address(self, connection: Connection) -> bool:
        """The flood limit per address (several people may share one): one notice, then
        silence until the window has passed."""
        count = await self.services.state.count_in_window(
            f"flood:webchat-address:{connection.address}", ADDRESS_WINDOW
        )
        verdict = self.address_gate.verdict(count)
        if verdict is Verdict.ALLOW:
            return True
        self.services.metrics.rate_limited.labels(PLATFORM).inc()
        if verdict is Verdict.NOTICE:
            language = await self.services.language_for(self._query(connection, ""))
            await self.push(connection.session, self.services.notice("rate_limited", language))
        return False

    # --- helpers ------------------------------------------------------------------------------

    def _query(self, connection: Connection, text: str) -> Query:
        return Query(
            text=text,
            user_id=connection.session,
            locale=connection.locale,
            platform=PLATFORM,
            chat_kind="private",
        )

    def _incoming(self, connection: Connection, text: str) -> Incoming:
        return Incoming(self._query(connection, text), connection.session)

    def _channel(self, connection: Connection) -> WebchatChannel:
        return WebchatChannel(self, connection.session)


def _entry_message(entry: Entry) -> str:
    """{"type": "entry", "entry": …} as JSON, a bot's reply as the text made with its render."""
    return f'{{"type":"entry","entry":{entry_json(entry)}}}'


def _notice(text: str, language: str) -> Reply:
    return Reply(kind=ReplyKind.NOTICE, language=language, blocks=(Paragraph((Text(text),)),))
