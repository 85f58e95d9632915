"""Telegram updates to core Queries, and the PTB handlers that answer them.

One text handler passes the whole text (commands, aliases, `/start` payloads included) to the
core, after settling Telegram's `/cmd@bot` addressing here; buttons, inline queries and non-text
messages have a handler each; one error handler logs and apologises. Every handler is a plain
coroutine on one small class that holds the shared services (bots/shared.py).
"""

from __future__ import annotations

import logging
import re
import time

from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from ...core.reply import Query, Reply, ReplyKind
from ..editors.feedback import Vote, parse_vote, thanks, with_feedback
from ..flood import Verdict
from ..handoff.asking import Asking
from ..shared import Services
from .render import keyboard_for, render
from .sending import NO_PREVIEW, send, with_retries

log = logging.getLogger("iombot.telegram")

PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "callback_query", "inline_query"]
MAX_INLINE_RESULTS = 50
_ADDRESSED = re.compile(r"(\s*/[^\s@/]+)@(\S+)(.*)", re.DOTALL)  # /cmd@bot args


def chat_kind(chat: Chat) -> str:
    if chat.type == Chat.PRIVATE:
        return "private"
    if chat.type == Chat.CHANNEL:
        return "channel"
    return "group"


def to_query(message: Message, bot_username: str | None, bot_id: int | None) -> Query | None:
    """The Query for a text message, or None when it is not for us (channels; group chatter
    that neither mentions us nor replies to us; our own inline results, sent via us)."""
    text = message.text
    kind = chat_kind(message.chat)
    if text is None or kind == "channel":
        return None
    if message.via_bot is not None and message.via_bot.id == bot_id:
        return None
    text = addressed_to_us(text, bot_username)
    if text is None:
        return None
    if kind == "group" and not text.lstrip().startswith("/"):
        mentioned = _mentions(message, bot_username)
        replied = message.reply_to_message
        to_us = bool(replied and replied.from_user and replied.from_user.id == bot_id)
        if not (mentioned or to_us):
            return None
        if mentioned and bot_username:
            text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return _query(message.from_user, text, kind)


def addressed_to_us(text: str, bot_username: str | None) -> str | None:
    """`/cmd@us args` as `/cmd args`; None for `/cmd@another_bot` (not for us). Other text, and
    any command while our username is unknown, is returned as it is."""
    match = _ADDRESSED.fullmatch(text)
    if match is None:
        return text
    if bot_username and match[2].lower() != bot_username.lower():
        return None
    return match[1] + match[3]


def _query(user: User | None, text: str, kind: str) -> Query:
    return Query(
        text=text,
        user_id=str(user.id) if user else None,
        locale=user.language_code if user else None,
        platform=PLATFORM,
        chat_kind=kind,
    )


def _mentions(message: Message, bot_username: str | None) -> bool:
    if not bot_username:
        return False
    wanted = f"@{bot_username}".lower()
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    return any(mention.lower() == wanted for mention in mentions)


class Handlers:
    """The PTB handlers, sharing the services."""

    def __init__(self, services: Services):
        self.services = services
        self.asking = Asking(services)

    def register(self, application: Application) -> None:
        application.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.on_text)
        )
        application.add_handler(
            MessageHandler(
                filters.UpdateType.MESSAGE
                & filters.ChatType.PRIVATE
                & ~filters.TEXT
                & ~filters.StatusUpdate.ALL,
                self.on_unsupported,
            )
        )
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(InlineQueryHandler(self.on_inline_query))
        application.add_error_handler(self.on_error)

    # --- handlers ----------------------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        started = time.perf_counter()
        message = update.message
        assert message is not None  # the filter guarantees it
        query = to_query(message, context.bot.username, context.bot.id)
        if query is not None:
            query = await self._admit(context.bot, query, message.chat_id)
        if query is None:
            return
        handled = await self.asking.message(PLATFORM, str(message.chat_id), query)
        if handled is not None:
            await self._send_all(context.bot, message.chat_id, handled)
            return
        reply = await self.services.answer(query, remembered=True)
        reply = with_feedback(self.asking.offer(PLATFORM, reply, query))
        quote = message.message_id if query.chat_kind == "group" else None
        await send(context.bot, message.chat_id, render(reply), quote)
        self.services.answered(PLATFORM, reply, started, update_id=update.update_id)

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice and the like in a private chat: say what we can read."""
        message = update.message
        assert message is not None
        query = await self._admit(
            context.bot, _query(message.from_user, "", "private"), message.chat_id
        )
        if query is None:
            return
        language = await self.services.language_for(query, remembered=True)
        reply = self.services.notice("unsupported", language)
        await send(context.bot, message.chat_id, render(reply))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        started = time.perf_counter()
        callback = update.callback_query
        assert callback is not None
        vote = parse_vote(callback.data or "")
        if vote is not None:
            await self._vote(callback, vote, update.update_id)
            return
        try:  # stop the button's spinner first; an old query may no longer be answerable
            await callback.answer()
        except TelegramError as error:
            log.warning(
                "could not answer a button press: %s",
                type(error).__name__,
                extra={"platform": PLATFORM, "update_id": update.update_id},
            )
        chat = callback.message.chat if callback.message else None
        kind = chat_kind(chat) if chat else "private"
        query = await self._admit(
            context.bot, _query(callback.from_user, "", kind), chat.id if chat else None
        )
        if query is None:
            return
        if chat is not None:
            handled = await self.asking.button(PLATFORM, str(chat.id), query, callback.data or "")
            if handled is not None:
                await self._send_all(context.bot, chat.id, handled)
                return
        reply = await self.services.act(query, callback.data or "", remembered=True)
        reply = with_feedback(self.asking.offer(PLATFORM, reply, query))
        messages = render(reply)
        if chat is not None:
            await send(context.bot, chat.id, messages)
        elif callback.inline_message_id and messages:
            # A button under a message sent through inline mode: show the topic in its place.
            first = messages[0]
            await with_retries(
                lambda: context.bot.edit_message_text(
                    first.text,
                    inline_message_id=callback.inline_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard_for(reply.buttons),
                    link_preview_options=NO_PREVIEW,
                )
            )
        self.services.answered(PLATFORM, reply, started, update_id=update.update_id)

    async def on_inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot contact` in any chat: the matching topics as articles, in the user's language."""
        inline = update.inline_query
        assert inline is not None
        # The answer goes only to this user (who then sends it anywhere): a private question.
        query = _query(inline.from_user, inline.query, "private")
        language = await self.services.language_for(query)
        answerer = self.services.answerer
        topics = answerer.content.by_command()
        results = []
        for command in self._inline_topics(inline.query, language)[:MAX_INLINE_RESULTS]:
            reply = answerer.topic_reply(command, language)
            if reply is None:
                continue
            messages = render(reply)  # a topic too long for one message is cut to its first part
            topic_text = topics[command].text(language)
            results.append(
                InlineQueryResultArticle(
                    id=command,
                    title=topic_text.title,
                    description=topic_text.summary,
                    input_message_content=InputTextMessageContent(
                        messages[0].text,
                        parse_mode=ParseMode.HTML,
                        link_preview_options=NO_PREVIEW,
                    ),
                    reply_markup=keyboard_for(reply.buttons),
                )
            )
        # is_personal: the language (and so the answer) depends on who asks.
        await with_retries(lambda: inline.answer(results, cache_time=60, is_personal=True))

    def _inline_topics(self, text: str, language: str) -> list[str]:
        answerer = self.services.answerer
        every = [topic.command for topic in answerer.content.topics]
        if not text.strip():
            return every
        # The core itself: a typed "/lang ja" here only searches, it changes no preference.
        reply = answerer.answer(Query(text=text, language=language, platform=PLATFORM))
        if reply.kind is ReplyKind.TOPIC and reply.topic:
            return [reply.topic]
        return list(reply.suggestions) or every

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a failed update (its id, never its text) and apologise to the user."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error or "unknown error"
        self.services.failed(
            PLATFORM, "handling an update", error, traceback=True, update_id=update_id
        )
        if not isinstance(update, Update) or update.inline_query is not None:
            return
        chat = update.effective_chat
        if chat is None or chat.type == Chat.CHANNEL:
            return
        text = (update.message.text or "") if update.message else ""
        query = _query(update.effective_user, text, chat_kind(chat))
        try:
            language = await self.services.language_for(query)
        except Exception:  # the apology must not fail with what failed
            language = None
        apology = self.services.notice("error", language)
        try:
            await send(context.bot, chat.id, render(apology), attempts=2)
        except TelegramError as failure:
            log.warning(
                "could not send the apology: %s",
                type(failure).__name__,
                extra={"platform": PLATFORM, "update_id": update_id},
            )

    async def _vote(self, callback: CallbackQuery, vote: Vote, update_id: int) -> None:
        """👍/👎: filed once per person and answer (a second press changes it), thanked in the
        button's own notice, with no new message."""
        message = callback.message
        answer = (
            f"{message.chat.id}:{message.message_id}"
            if message is not None
            else callback.inline_message_id or callback.id
        )
        await self.services.vote(PLATFORM, str(callback.from_user.id), answer, vote)
        try:
            await callback.answer(text=thanks(self.services.answerer.strings, vote.language))
        except TelegramError as error:
            log.warning(
                "could not thank for a vote: %s",
                type(error).__name__,
                extra={"platform": PLATFORM, "update_id": update_id},
            )

    # --- asking a person (bots/handoff/asking.py) ---------------------------------------------

    async def _send_all(self, bot: Bot, chat_id: int, replies: tuple[Reply, ...]) -> None:
        for reply in replies:
            await send(bot, chat_id, render(reply))

    # --- helpers -----------------------------------------------------------------------------

    async def _admit(self, bot: Bot, query: Query, chat_id: int | None) -> Query | None:
        """The inbound flood limit: the query (with the user's language) to answer, or None;
        past the budget, one notice then silence."""
        sender = query.user_id or f"chat:{chat_id}"
        verdict, query = await self.services.admit(PLATFORM, sender, query)
        if verdict is Verdict.NOTICE and chat_id is not None:
            language = await self.services.language_for(query, remembered=True)
            await send(bot, chat_id, render(self.services.notice("rate_limited", language)))
        return query if verdict is Verdict.ALLOW else None
