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
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ...core.answerer import Answerer
from ...core.reply import Query, Reply, ReplyKind, plain_text
from ..editors.feedback import parse_vote, thanks, with_feedback
from ..editors.report import render_text
from ..editors.reporting import DEFAULT_SINCE, since_day
from ..flood import Verdict
from ..shared import Services
from .desk import CLOSE_ACTION, report_blocks
from .locales import UserLocales
from .readable import readable
from .render import (
    SHARE_ACTION,
    escape,
    home_view,
    render_messages,
    share_value,
    staff_context,
    thanked,
)

log = logging.getLogger("iombot.slack")

PLATFORM = "slack"
COMMAND = "/iom"
_MENTION = re.compile(r"<[@!][^<>]*>")  # <@U123>, <@U123|name>, <!here>
_LABELLED = re.compile(r"<[^<>|]*\|([^<>]*)>")  # <https://x|label>, <#C1|general>
_BARE = re.compile(r"<([^<>]*)>")  # <https://x>
_BUILT_IN = frozenset({"help", "menu", "lang", "start"})
EVENT_MEMORY_SECONDS = 3600  # Slack retries an event for about five minutes


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


def _share(reply: Reply, text: str, action: str | None) -> str | None:
    """The Share button's value; none for a language choice, which is personal."""
    if reply.kind is ReplyKind.LANGUAGE:
        return None
    return share_value(reply.language, text=text, action=action)


def _text_only(notice: Reply) -> dict:
    # A notice as plain text: if our blocks were what Slack refused, it must not repeat them.
    return {"text": escape(plain_text(notice.blocks[0].spans))}


def _reason(error: BaseException) -> str:
    """The exception's type and Slack's error code: never a message text or a token."""
    code = error.response.get("error") if isinstance(error, SlackApiError) else None
    return f"{type(error).__name__} ({code})" if code else type(error).__name__


class SlackBot:
    """The Bolt listeners, sharing the services, the Web API client and the locale cache."""

    def __init__(self, services: Services, client: AsyncWebClient, locales: UserLocales):
        self.services = services
        self.client = client
        self.locales = locales
        self.in_flight = 0
        self._names_of: tuple[object, frozenset[str]] = (None, frozenset())
        self._names_of: tuple[object, frozenset[str]] = (None, frozenset())

    @property
    def answerer(self) -> Answerer:
        return self.services.answerer  # read each time: a content reload swaps it

    def register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.on_command)
        app.action(SHARE_ACTION)(self.on_share)
        app.action(re.compile(r"^iom_(topic|lang):"))(self.on_button)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.action(CLOSE_ACTION)(self.on_close_ticket)
        app.action(re.compile(r"^iom_fb:"))(self.on_vote)
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

    async def _admit(self, query: Query, channel: str, thread: str | None) -> Query | None:
        """The inbound flood limit: the query (with the user's language) to answer, or None;
        past the budget one notice (in the channel), then silence."""
        sender = query.user_id or f"channel:{channel}"
        verdict, query = await self.services.admit(PLATFORM, sender, query)
        if verdict is Verdict.NOTICE:
            language = await self.services.language_for(query, remembered=True)
            notice = self.services.notice("rate_limited", language)
            await self._post_text(channel, thread, notice, None)
        return query if verdict is Verdict.ALLOW else None

    def _failed(self, what: str, error: BaseException | str, event_id: str | None = None) -> None:
        reason = error if isinstance(error, str) else _reason(error)
        self.services.failed(PLATFORM, what, reason, event_id=event_id)

    async def _language(self, query: Query | None) -> str | None:
        """The language to apologise in, if the query got that far."""
        try:
            return None if query is None else await self.services.language_for(query)
        except Exception:
            return None

    def _apology(self, language: str | None) -> dict:
        return _text_only(self.services.notice("error", language))

    # --- /iom ---------------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, command: dict, respond: AsyncRespond) -> None:
        started = time.perf_counter()
        async with self.busy():
            query = None
            try:
                locale = await self.locales.get(_string(command.get("user_id")))
                query = command_query(command, self._names(), locale)
                sender = query.user_id or "command"
                verdict, query = await self.services.admit(PLATFORM, sender, query)
                if verdict is Verdict.DROP:  # past the notice: an empty ack, silence
                    await ack()
                    return
                if verdict is Verdict.NOTICE:
                    language = await self.services.language_for(query, remembered=True)
                    notice = self.services.notice("rate_limited", language)
                    await ack(response_type="ephemeral", **_text_only(notice))
                    return
                words = query.text.split()
                if words and words[0].lower() == "report":
                    await ack(response_type="ephemeral", **await self._report(words[1:]))
                    return
                if query.text.strip().lower() == "tickets" and self.services.handoff:
                    handoff = self.services.handoff
                    tickets = await handoff.book.open_tickets()
                    listing = handoff.desk.listing(tickets, self.answerer.languages)
                    await ack(response_type="ephemeral", text=listing)
                    return
                reply = with_feedback(await self.services.answer(query, remembered=True))
                action = f"topic:{reply.topic}" if reply.topic else None
                messages = render_messages(
                    reply, self.answerer.strings, share=_share(reply, query.text, action)
                )
                if reply.kind is ReplyKind.HELP:  # what staff have besides the topics
                    staff = self.answerer.strings.text("staff_commands", reply.language)
                    messages[-1].setdefault("blocks", []).append(staff_context(staff))
            except Exception as error:
                self._failed("/iom", error)
                language = await self._language(query)
                await ack(response_type="ephemeral", **self._apology(language))
                return
            await ack(response_type="ephemeral", **messages[0])
            self.services.answered(PLATFORM, reply, started, via="command")
            for message in messages[1:]:
                await self._respond(respond, response_type="ephemeral", **message)

    async def _report(self, args: list[str]) -> dict:
        """`/iom report [7d|30d|YYYY-MM-DD]`: the editors' report, for the asker only."""
        try:
            since = since_day(args[0] if args else DEFAULT_SINCE)
        except ValueError as error:
            return {"text": f"/iom report {escape(str(error))}"}
        report = await self.services.report(since)
        title = f"Editors' report since {since}"
        return {"text": title, "blocks": report_blocks(title, render_text(report, 80))}

    async def _respond(self, respond: AsyncRespond, **message: Any) -> bool:
        try:
            response = await respond(
                replace_original=message.pop("replace_original", False), **message
            )
        except Exception as error:
            self._failed("response_url", error)
            return False
        if response.status_code >= 400:
            self._failed("response_url", f"HTTP {response.status_code}")
            return False
        return True

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
                query = Query(
                    text=str(data.get("q") or ""),
                    user_id=user,
                    platform=PLATFORM,
                    language=language,
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
                if not await self._respond(respond, response_type="in_channel", **message):
                    return
            self.services.answered(PLATFORM, reply, started, via="share")

    async def on_button(
        self, ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond
    ) -> None:
        await ack()
        started = time.perf_counter()
        async with self.busy():
            user = _string((body.get("user") or {}).get("id"))
            value = str(action.get("value") or "")
            locale = await self.locales.get(user)
            query = Query(text="", user_id=user, locale=locale, platform=PLATFORM)
            reply = await self.services.act(query, value)
            container = body.get("container") or {}
            if container.get("type") == "view" or (body.get("view") or {}).get("type") == "home":
                if user:
                    await self.publish_home(user, query, selected=reply)
            elif container.get("is_ephemeral") and body.get("response_url"):
                reply = with_feedback(reply)
                messages = render_messages(
                    reply, self.answerer.strings, share=_share(reply, "", value)
                )
                if messages:
                    messages[0]["replace_original"] = True
                for message in messages:
                    await self._respond(respond, response_type="ephemeral", **message)
            elif body.get("response_url"):
                channel = str((body.get("channel") or {}).get("id") or "")
                direct = channel.startswith("D")
                thread = (body.get("message") or {}).get("thread_ts")
                for message in render_messages(with_feedback(reply), self.answerer.strings):
                    await self._respond(
                        respond,
                        response_type="in_channel" if direct else "ephemeral",
                        thread_ts=thread if direct else None,
                        **message,
                    )
            elif user:  # no response_url: the user's DM with the app
                await self.post(user, reply, None, None)
            self.services.answered(PLATFORM, reply, started, via="button")

    async def on_vote(self, ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond) -> None:
        """👍/👎 under an answer: filed once per person and answer (a second press changes
        it); the answer is updated in place, its vote buttons replaced by a thank-you."""
        await ack()
        vote = parse_vote(str(action.get("value") or ""))
        user = _string((body.get("user") or {}).get("id"))
        if vote is None or user is None:
            return
        container = body.get("container") or {}
        message = body.get("message") or {}
        answer = str(
            container.get("message_ts") or message.get("ts") or body.get("response_url") or ""
        )
        try:
            await self.services.vote(PLATFORM, user, answer, vote)
        except Exception as error:
            self._failed("vote", error)
            return
        if not body.get("response_url"):
            return
        blocks = message.get("blocks")
        if not blocks:  # an ephemeral answer: Slack does not send it back, so build it again
            reply = self.answerer.topic_reply(vote.topic, vote.language)
            if reply is None:
                return
            messages = render_messages(with_feedback(reply), self.answerer.strings)
            blocks = messages[-1].get("blocks", [])
        thank_you = thanks(self.answerer.strings, vote.language)
        await self._respond(
            respond, replace_original=True, text=thank_you, blocks=thanked(blocks, thank_you)
        )

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
        event_id = _string(body.get("event_id"))
        if channel is None or not await self._first_time(event_id):
            return
        started = time.perf_counter()
        async with self.busy():
            thread = event.get("thread_ts") or (event.get("ts") if in_thread else None)
            query = None
            try:
                locale = await self.locales.get(_string(event.get("user")))
                query = event_query(event, locale)
                admitted = await self._admit(query, channel, thread)
                if admitted is None:
                    return
                query = admitted
                reply = with_feedback(await self.services.answer(query, remembered=True))
            except Exception as error:
                self._failed("answer", error, event_id)
                apology = self.services.notice("error", await self._language(query))
                await self._post_text(channel, thread, apology, event_id)
                return
            if await self.post(channel, reply, thread, event_id):
                via = "mention" if in_thread else "dm"
                self.services.answered(PLATFORM, reply, started, event_id=event_id, via=via)

    async def post(
        self, channel: str, reply: Reply, thread: str | None, event_id: str | None
    ) -> bool:
        """chat.postMessage each part of a reply; on failure (after the client's retries) try
        a short apology instead."""
        try:
            for message in render_messages(reply, self.answerer.strings):
                await self.client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread,
                    unfurl_links=False,
                    unfurl_media=False,
                    **message,
                )
            return True
        except Exception as error:
            self._failed("chat.postMessage", error, event_id)
            apology = self.services.notice("error", reply.language)
            await self._post_text(channel, thread, apology, event_id)
            return False

    async def _post_text(
        self, channel: str, thread: str | None, notice: Reply, event_id: str | None
    ) -> None:
        """A short notice (an apology, the flood notice) as plain text; a failure is logged."""
        try:
            await self.client.chat_postMessage(
                channel=channel, thread_ts=thread, **_text_only(notice)
            )
        except Exception as error:
            self._failed("notice", error, event_id)

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

    async def on_error(self, error: Exception, body: dict) -> None:
        event_id = body.get("event_id") if isinstance(body, dict) else None
        self._failed("listener", error, event_id)
