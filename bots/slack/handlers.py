"""Slack in, core out: `to_query` for each kind of Slack input, and the Bolt listeners.

Where each answer goes:
- /iom: acked at once with the answer, visible only to the caller, with a "Share in channel"
  button that posts the same answer for everyone (through the command's response_url).
- @mention in a channel: a reply in the thread; a direct message: a reply in the DM.
- App Home: the Home tab is published on app_home_opened; a topic button pressed there publishes
  the tab again with that topic shown under the introduction.
- A topic button in a message: a new message to whoever pressed it (it replaces an ephemeral one).
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from ...core.answerer import Answerer
from ...core.reply import Query, Reply
from ..editors.feedback import Vote, with_feedback
from ..editors.report import render_text
from ..editors.reporting import DEFAULT_SINCE, since_day
from ..pipeline import Incoming, Pipeline
from ..shared import Services
from .channels import ButtonReply, CommandReply, HomeTab, Post, reason, respond_with
from .desk import CLOSE_ACTION, report_blocks
from .locales import UserLocales
from .readable import readable
from .render import SHARE_ACTION, home_view, render_messages

log = logging.getLogger("iombot.slack")

PLATFORM = "slack"
COMMAND = "/iom"
_MENTION = re.compile(r"<[@!][^<>]*>")  # <@U123>, <@U123|name>, <!here>
_LABELLED = re.compile(r"<[^<>|]*\|([^<>]*)>")  # <https://x|label>, <#C1|general>
_BARE = re.compile(r"<([^<>]*)>")  # <https://x>
_BUILT_IN = frozenset({"help", "menu", "lang", "start"})
EVENT_MEMORY_SECONDS = 3600  # Slack retries an event for about five minutes
REPORT_USAGE = (
    "`/iom report` takes how far back to look: days back from today, such as `7d` or `30d`, or "
    "a date as `YYYY-MM-DD`, such as `2026-11-01`. With nothing after it: the last 7 days."
)


def slack_text(text: Any) -> str:
    """What a person typed, from Slack's escaped message text: mentions dropped, links as their
    label, entities decoded."""
    if not isinstance(text, str):
        return ""
    text = _MENTION.sub(" ", text)
    text = _LABELLED.sub(r"\1", text)
    text = _BARE.sub(r"\1", text)
    return html.unescape(text).strip()


def command_query(command: dict, names: frozenset[str], locale: str | None = None) -> Query:
    """/iom <text> as a Query. Empty is the menu; `/iom lang ja`, `/iom help` and a single word
    naming a topic (`/iom contact`, `/iom 連絡先`) are that command; anything else is a question
    (so "/iom about the director general" is searched, not taken as /about)."""
    text = slack_text(command.get("text"))
    words = text.split()
    first = words[0].lower().lstrip("/") if words else ""
    if not words:
        text = "/help"
    elif first in _BUILT_IN or (len(words) == 1 and first in names):
        text = "/" + text.lstrip("/")
    channel = str(command.get("channel_id") or "")
    return Query(
        text=text,
        user_id=_string(command.get("user_id")),
        locale=locale,
        platform=PLATFORM,
        chat_kind="private" if channel.startswith("D") else "group",
    )


def event_query(event: dict, locale: str | None = None) -> Query:
    """An app_mention or a direct message as a Query."""
    private = event.get("channel_type") == "im"
    return Query(
        text=slack_text(event.get("text")),
        user_id=_string(event.get("user")),
        locale=locale,
        platform=PLATFORM,
        chat_kind="private" if private else "group",
    )


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class SlackBot:
    """The Bolt listeners, sharing the services, the Web API client and the locale cache."""

    def __init__(self, services: Services, client: AsyncWebClient, locales: UserLocales):
        self.services = services
        self.client = client
        self.locales = locales
        self.in_flight = 0
        self.pipeline = Pipeline(services)
        self._names_of: tuple[object, frozenset[str]] = (None, frozenset())

    @property
    def answerer(self) -> Answerer:
        return self.services.answerer  # read each time: a content reload swaps it

    def register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.on_command)
        app.action(SHARE_ACTION)(self.on_share)
        app.action(re.compile(r"^iom_(topic|lang|fb):"))(self.on_button)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.action(CLOSE_ACTION)(self.on_close_ticket)
        app.event("app_home_opened")(self.on_home_opened)
        app.error(self.on_error)

    # --- bookkeeping --------------------------------------------------------------------------

    @asynccontextmanager
    async def busy(self) -> AsyncIterator[None]:
        """Counts work in flight, so that stop() can let it finish."""
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1

    def _names(self) -> frozenset[str]:
        """Every topic command and alias, worked out again only when the content changes."""
        content = self.answerer.content
        if self._names_of[0] is not content:
            names = (n.lower() for t in content.topics for n in (t.command, *t.aliases))
            self._names_of = (content, frozenset(names))
        return self._names_of[1]

    async def _first_time(self, event_id: str | None) -> bool:
        """False for an event already taken (Slack retries one that was slow to be acked)."""
        if not event_id:
            return True
        return await self.services.state.first_time(f"slack:event:{event_id}", EVENT_MEMORY_SECONDS)

    def _failed(self, what: str, error: BaseException | str, event_id: str | None = None) -> None:
        why = error if isinstance(error, str) else reason(error)
        self.services.failed(PLATFORM, what, why, event_id=event_id)

    def _post(self, channel: str, thread: str | None) -> Post:
        return Post(
            self.client, channel, thread, self._failed, self._apology, self.answerer.strings
        )

    def _apology(self, language: str) -> Reply:
        return self.services.notice("error", language)

    def _incoming(self, query: Query, chat: str, **options: Any) -> Incoming:
        """The pipeline's message, with the user's Slack locale as a hint asked only if needed."""
        user = query.user_id
        return Incoming(query, chat, locale=lambda: self.locales.get(user), **options)

    # --- /iom ---------------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, command: dict, respond: AsyncRespond) -> None:
        async with self.busy():
            query = command_query(command, self._names())
            reply = CommandReply(ack, respond, self._failed, query.text, self.answerer.strings)

            async def staff_commands(query: Query) -> bool:
                """`/iom report …` and `/iom tickets`: for staff, Slack's own."""
                words = query.text.split()
                if words and words[0].lower() == "report":
                    await reply.ack(**await self._report(words[1:]))
                    return True
                if query.text.strip().lower() == "tickets" and self.services.handoff:
                    handoff = self.services.handoff
                    listing = handoff.desk.listing(
                        await handoff.book.open_tickets(), self.answerer.languages
                    )
                    await reply.ack(text=listing)
                    return True
                return False

            incoming = self._incoming(query, query.user_id or "command", log={"via": "command"})
            await self.pipeline.process(incoming, reply, own=staff_commands)
            if not reply.acked:  # past the flood notice: an empty ack, and silence
                await reply.ack()

    async def _report(self, args: list[str]) -> dict:
        """`/iom report [7d|30d|YYYY-MM-DD]`: the editors' report, for the asker only."""
        try:
            since = since_day(args[0] if args else DEFAULT_SINCE)
        except ValueError:
            return {"text": REPORT_USAGE}
        report = await self.services.report(since)
        title = f"Editors' report since {since}"
        return {"text": title, "blocks": report_blocks(title, render_text(report, 80))}

    # --- buttons ------------------------------------------------------------------------------

    async def on_share(
        self, ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond
    ) -> None:
        await ack()
        started = time.perf_counter()
        async with self.busy():
            user = _string((body.get("user") or {}).get("id"))
            try:
                data = json.loads(action.get("value") or "{}")
                if not isinstance(data, dict):
                    raise ValueError("share value is not an object")
                language = data.get("l") if data.get("l") in self.answerer.languages else None
                query = await self.services.with_profile(
                    Query(
                        text=str(data.get("q") or ""),
                        user_id=user,
                        platform=PLATFORM,
                        language=language,
                    )
                )
                act = data.get("a")
                reply = await (
                    self.services.act(query, act)
                    if isinstance(act, str)
                    else self.services.answer(query)
                )
            except Exception as error:
                self._failed("share", error)
                return
            messages = render_messages(reply, self.answerer.strings, shared_by=user)
            for message in messages:
                if not await respond_with(
                    respond, self._failed, response_type="in_channel", **message
                ):
                    return
            self.services.answered(PLATFORM, reply, started, via="share")

    async def on_button(
        self, ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond
    ) -> None:
        """A topic or language button, and 👍/👎 under an answer."""
        await ack()
        user = _string((body.get("user") or {}).get("id"))
        value = str(action.get("value") or "")
        if user is None:
            return
        query = Query(text="", user_id=user, platform=PLATFORM)
        container = body.get("container") or {}
        if container.get("type") == "view" or (body.get("view") or {}).get("type") == "home":
            channel: Any = HomeTab(lambda reply: self.publish_home(user, query, selected=reply))
        else:
            channel = ButtonReply(
                body,
                respond,
                self._failed,
                self._post(user, None),
                self._answer_again,
                self.answerer.strings,
            )
        message = body.get("message") or {}
        answer = str(
            container.get("message_ts") or message.get("ts") or body.get("response_url") or ""
        )
        async with self.busy():
            await self.pipeline.process(
                self._incoming(query, user, action=value, answer=answer, log={"via": "button"}),
                channel,
            )

    def _answer_again(self, vote: Vote) -> Reply | None:
        reply = self.answerer.topic_reply(vote.topic, vote.language)
        return None if reply is None else with_feedback(reply)

    # --- mentions and direct messages ---------------------------------------------------------

    async def on_mention(self, event: dict, body: dict) -> None:
        await self._answer_event(event, body, in_thread=True)

    async def on_message(self, event: dict, body: dict) -> None:
        handoff = self.services.handoff
        if handoff is not None and event.get("channel") == handoff.desk.channel:
            await self._staff_message(event, body)
            return
        if event.get("channel_type") != "im":
            return
        await self._answer_event(event, body, in_thread=False)

    # --- asking a person: the staff side (bots/handoff/) --------------------------------------

    async def _staff_message(self, event: dict, body: dict) -> None:
        """A message in the handoff channel: a person's reply in a ticket's thread goes to the
        asker; bots (ourselves included), edits, and messages outside a thread do not. A file
        gets a note: only text is passed on."""
        handoff = self.services.handoff
        assert handoff is not None
        thread, ts = _string(event.get("thread_ts")), _string(event.get("ts"))
        subtype = event.get("subtype")
        if (
            thread is None
            or ts is None
            or thread == ts
            or event.get("bot_id")
            or not event.get("user")
            or subtype not in (None, "file_share", "thread_broadcast")
        ):
            return
        channel = handoff.desk.channel
        try:
            ticket = await handoff.book.by_thread(channel, thread)
            if ticket is None:
                return
            raw = event.get("text")
            text = readable(raw) if isinstance(raw, str) else ""
            has_file = subtype == "file_share" or bool(event.get("files"))
            if has_file and await self.services.state.first_time(f"file:{channel}:{ts}", 86400):
                await handoff.desk.note(ticket, "only_text")
            if text:
                await handoff.staff_reply(channel, thread, ts, text)
        except Exception as error:
            self._failed("staff reply", error, _string(body.get("event_id")))

    async def on_close_ticket(self, ack: AsyncAck, body: dict) -> None:
        await ack()
        handoff = self.services.handoff
        actions = body.get("actions") or [{}]
        value = _string(actions[0].get("value"))
        if handoff is None or value is None or not value.isdigit():
            return
        try:
            await handoff.close_number(int(value), "staff")
        except Exception as error:
            self._failed("closing a ticket", error)

    async def _answer_event(self, event: dict, body: dict, in_thread: bool) -> None:
        # Other bots, edits, joins and the like are not questions; our own messages never are.
        if event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return
        channel = _string(event.get("channel"))
        if channel is None:
            return
        thread = event.get("thread_ts") or (event.get("ts") if in_thread else None)
        incoming = self._incoming(
            event_query(event),
            channel,
            event_id=_string(body.get("event_id")),
            log={"via": "mention" if in_thread else "dm"},
        )
        async with self.busy():
            await self.pipeline.process(incoming, self._post(channel, thread))

    # --- App Home -----------------------------------------------------------------------------

    async def on_home_opened(self, event: dict, body: dict) -> None:
        user = _string(event.get("user"))
        if event.get("tab", "home") != "home" or user is None:
            return
        if not await self._first_time(_string(body.get("event_id"))):
            return
        async with self.busy():
            locale = await self.locales.get(user)
            await self.publish_home(
                user, Query(text="", user_id=user, locale=locale, platform=PLATFORM)
            )

    async def publish_home(self, user: str, query: Query, selected: Reply | None = None) -> None:
        language = selected.language if selected else await self.services.language_for(query)
        welcome = self.answerer.answer(replace(query, text="/start", language=language))
        contact = self.answerer.topic_reply("contact", language)
        try:
            await self.client.views_publish(
                user_id=user, view=home_view(self.answerer.strings, welcome, contact, selected)
            )
        except Exception as error:
            self._failed("views.publish", error)

    # --- the last resort ----------------------------------------------------------------------

    async def on_error(self, error: Exception, body: dict) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return unhandled(body)
        event_id = body.get("event_id") if isinstance(body, dict) else None
        self._failed("listener", error, event_id)
        return None


def unhandled(body: Any) -> BoltResponse:
    """What no listener takes is acknowledged with an empty 200 (Slack would retry an error, and
    a command or button would show the user one), and said in the log: an event at INFO (Slack
    sends app_uninstalled or tokens_revoked to every app), a command or interaction at WARNING
    (the app's manifest sends what the code does not serve)."""
    body = body if isinstance(body, dict) else {}
    if body.get("command"):
        kind, level = f"command {body['command']}", logging.WARNING
    elif body.get("type") == "event_callback":
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        kind, level = f"event {event.get('type')}", logging.INFO
    else:
        actions = body.get("actions") if isinstance(body.get("actions"), list) else []
        first = actions[0] if actions and isinstance(actions[0], dict) else {}
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        name = (
            first.get("action_id")
            or body.get("action_id")
            or body.get("callback_id")
            or view.get("callback_id")
        )
        kind, level = f"{body.get('type')} {name or ''}".strip(), logging.WARNING
    log.log(level, "nothing handles Slack %s: acknowledged", kind, extra={"platform": PLATFORM})
    return BoltResponse(status=200, body="")
