"""Telegram updates to core Queries, and the PTB handlers that answer them.

One text handler passes the whole text (commands, aliases, `/start` payloads included) to the
core, after settling Telegram's `/cmd@bot` addressing here; buttons, inline queries and non-text
messages have a handler each; one error handler logs and apologises. Every handler is a plain
coroutine on one small class that holds the shared services (bots/shared.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

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
from ..editors.feedback import Vote, parse_vote
from ..handoff.asking import COMMANDS as HANDOFF_COMMANDS
from ..pipeline import Incoming, Pipeline
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


def to_query(
    message: Message,
    bot_username: str | None,
    bot_id: int | None,
    knows: Callable[[str], bool] | None = None,
) -> Query | None:
    """The Query for a text message, or None when it is not for us (channels; group chatter
    that neither mentions us nor replies to us; in a group, a command that is not ours and not
    addressed to us, as `/report` for another bot is; our own inline results, sent via us).
    `knows(name)`: whether /name is one of our commands."""
    text = message.text
    kind = chat_kind(message.chat)
    if text is None or kind == "channel":
        return None
    if message.via_bot is not None and message.via_bot.id == bot_id:
        return None
    explicit = _ADDRESSED.fullmatch(text) is not None  # /cmd@name: to us, if it goes on
    text = addressed_to_us(text, bot_username)
    if text is None:
        return None
    if kind == "group" and text.lstrip().startswith("/"):
        name = (text.lstrip()[1:].split(maxsplit=1) or [""])[0]
        if not explicit and knows is not None and not knows(name):
            return None
    elif kind == "group":
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


class TelegramChat:
    """The pipeline's channel for one chat: rendered messages, the first quoting the question in
    a group; a button under an inline message shows its topic in that message's place."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int | None,
        quote: int | None = None,
        callback: CallbackQuery | None = None,
    ):
        self.bot = bot
        self.chat_id = chat_id
        self.quote = quote
        self.callback = callback

    async def send(self, replies: Sequence[Reply]) -> bool:
        for reply in replies:
            messages = render(reply)
            if self.chat_id is not None:
                await send(self.bot, self.chat_id, messages, self.quote)
            elif self.callback is not None and self.callback.inline_message_id and messages:
                await self._edit_inline(reply, messages[0].text)
            else:
                return False
        return True

    async def _edit_inline(self, reply: Reply, text: str) -> None:
        assert self.callback is not None
        inline_message_id = self.callback.inline_message_id
        await with_retries(
            lambda: self.bot.edit_message_text(
                text,
                inline_message_id=inline_message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard_for(reply.buttons),
                link_preview_options=NO_PREVIEW,
            )
        )

    async def thank(self, vote: Vote, text: str) -> None:
        """In the button's own notice, with no new message."""
        if self.callback is None:
            return
        try:
            await self.callback.answer(text=text)
        except TelegramError as error:
            log.warning(
                "could not thank for a vote: %s", type(error).__name__, extra={"platform": PLATFORM}
            )


class Handlers:
    """The PTB handlers: each turns an update into a pipeline Message and a TelegramChat."""

    def __init__(self, services: Services):
        self.services = services
        self.pipeline = Pipeline(services)

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

    def knows_command(self, name: str) -> bool:
        """Whether /name is ours: a topic's, a built-in, or the handoff's /staff and /done."""
        return self.services.answerer.knows_command(name) or name.lower() in HANDOFF_COMMANDS

    # --- handlers ----------------------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None  # the filter guarantees it
        query = to_query(message, context.bot.username, context.bot.id, self.knows_command)
        if query is None:
            return
        quote = message.message_id if query.chat_kind == "group" else None
        await self.pipeline.process(
            Incoming(query, str(message.chat_id), log={"update_id": update.update_id}),
            TelegramChat(context.bot, message.chat_id, quote),
        )

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice and the like in a private chat: say what we can read."""
        message = update.message
        assert message is not None
        query = _query(message.from_user, "", "private")
        await self.pipeline.process(
            Incoming(query, str(message.chat_id), unsupported=True),
            TelegramChat(context.bot, message.chat_id),
        )

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        callback = update.callback_query
        assert callback is not None
        data = callback.data or ""
        if parse_vote(data) is None:
            await self._stop_spinner(callback, update.update_id)
        chat = callback.message.chat if callback.message else None
        query = _query(callback.from_user, "", chat_kind(chat) if chat else "private")
        message = callback.message
        answer = (
            f"{message.chat.id}:{message.message_id}"
            if message is not None
            else callback.inline_message_id or callback.id
        )
        await self.pipeline.process(
            Incoming(
                query,
                str(chat.id) if chat else f"inline:{callback.inline_message_id}",
                action=data,
                answer=answer,
                log={"update_id": update.update_id},
            ),
            TelegramChat(context.bot, chat.id if chat else None, callback=callback),
        )

    async def _stop_spinner(self, callback: CallbackQuery, update_id: int) -> None:
        """Stop the button's spinner first; an old query may no longer be answerable."""
        try:
            await callback.answer()
        except TelegramError as error:
            log.warning(
                "could not answer a button press: %s",
                type(error).__name__,
                extra={"platform": PLATFORM, "update_id": update_id},
            )

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
