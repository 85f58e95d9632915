"""Where the pipeline's replies go in Slack (bots/pipeline.py `Channel`), one class per way:

- `Post`: chat.postMessage to a channel or DM (a mention's thread), the apology if that fails;
- `CommandReply`: /iom, the first message in the command's ack (which Slack needs within 3
  seconds), the rest through its response_url, all visible to the caller only;
- `ButtonReply`: a button pressed under a message, answered through the action's response_url;
- `HomeTab`: a topic button in App Home, the tab published again with the topic shown.

A notice (an apology, the flood notice) is sent as plain text: if our blocks were what Slack
refused, it must not repeat them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ...core.catalog import Catalog
from ...core.reply import Reply, ReplyKind, plain_text
from ..editors.feedback import PREFIX as FEEDBACK_PREFIX
from ..editors.feedback import Vote
from .render import escape, render_messages, share_value, staff_context, thanked

Failed = Callable[[str, BaseException | str], None]  # what failed, and why: counted and logged


def is_notice(reply: Reply) -> bool:
    """One of the bot's own short messages: a single paragraph, no title, no buttons."""
    return not reply.title and not reply.buttons and len(reply.blocks) == 1


def text_only(notice: Reply) -> dict:
    block = notice.blocks[0]
    return {"text": escape(plain_text(block.spans) if hasattr(block, "spans") else "")}


def reason(error: BaseException) -> str:
    """The exception's type and Slack's error code: never a message text or a token."""
    code = error.response.get("error") if isinstance(error, SlackApiError) else None
    return f"{type(error).__name__} ({code})" if code else type(error).__name__


def share(reply: Reply, text: str, action: str | None) -> str | None:
    """The Share button's value; none for a language choice, which is personal."""
    if reply.kind is ReplyKind.LANGUAGE:
        return None
    return share_value(reply.language, text=text, action=action)


async def respond_with(respond: AsyncRespond, failed: Failed, **message: Any) -> bool:
    """One message through a response_url; a failure is counted and logged, never raised."""
    try:
        response = await respond(replace_original=message.pop("replace_original", False), **message)
    except Exception as error:
        failed("response_url", error)
        return False
    if response.status_code >= 400:
        failed("response_url", f"HTTP {response.status_code}")
        return False
    return True


class Post:
    def __init__(
        self,
        client: AsyncWebClient,
        channel: str,
        thread: str | None,
        failed: Failed,
        apology: Callable[[str], Reply],
        strings: Catalog,
    ) -> None:
        self.strings = strings
        self.client = client
        self.channel = channel
        self.thread = thread
        self.failed = failed
        self.apology = apology

    async def send(self, replies: Sequence[Reply]) -> bool:
        for reply in replies:
            if is_notice(reply):
                await self.notice(reply)
                continue
            try:
                for message in render_messages(reply, self.strings):
                    await self.client.chat_postMessage(
                        channel=self.channel,
                        thread_ts=self.thread,
                        unfurl_links=False,
                        unfurl_media=False,
                        **message,
                    )
            except Exception as error:  # after the client's own retries: apologise instead
                self.failed("chat.postMessage", error)
                await self.notice(self.apology(reply.language))
                return False
        return True

    async def notice(self, notice: Reply) -> None:
        """A short notice as plain text; a failure is logged."""
        try:
            await self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread, **text_only(notice)
            )
        except Exception as error:
            self.failed("notice", error)

    async def thank(self, vote: Vote, text: str) -> None:
        return None  # votes come from buttons, which ButtonReply thanks


class CommandReply:
    def __init__(
        self,
        ack: AsyncAck,
        respond: AsyncRespond,
        failed: Failed,
        question: str,
        strings: Catalog,
    ) -> None:
        self._ack = ack
        self.respond = respond
        self.failed = failed
        self.question = question
        self.strings = strings
        self.acked = False

    async def ack(self, **message: Any) -> None:
        """Slack's ack, once: the first message goes with it, later ones through respond."""
        if self.acked:
            if message:
                await respond_with(self.respond, self.failed, response_type="ephemeral", **message)
            return
        self.acked = True
        await self._ack(response_type="ephemeral", **message) if message else await self._ack()

    async def send(self, replies: Sequence[Reply]) -> bool:
        for reply in replies:
            if is_notice(reply):
                await self.ack(**text_only(reply))
                continue
            action = f"topic:{reply.topic}" if reply.topic else None
            messages = render_messages(
                reply, self.strings, share=share(reply, self.question, action)
            )
            if reply.kind is ReplyKind.HELP:  # what staff have besides the topics
                staff = staff_context(self.strings.text("staff_commands", reply.language))
                messages[-1].setdefault("blocks", []).append(staff)
            for message in messages:
                await self.ack(**message)
        return True

    async def thank(self, vote: Vote, text: str) -> None:
        await self.ack(text=escape(text))


class ButtonReply:
    """A topic or vote button under a message: through the action's response_url, replacing an
    ephemeral answer (Slack lets no one else see it), in the thread of a DM, or else to the
    presser alone. With no response_url, a new message in the user's DM with the app."""

    def __init__(
        self,
        body: dict,
        respond: AsyncRespond,
        failed: Failed,
        post: Post | None,
        answer_again: Callable[[Vote], Reply | None],
        strings: Catalog,
    ) -> None:
        self.strings = strings
        self.body = body
        self.respond = respond
        self.failed = failed
        self.post = post
        self.answer_again = answer_again

    async def send(self, replies: Sequence[Reply]) -> bool:
        body = self.body
        if not body.get("response_url"):
            return await self.post.send(replies) if self.post is not None else False
        container = body.get("container") or {}
        channel = str((body.get("channel") or {}).get("id") or "")
        direct = channel.startswith("D")
        thread = (body.get("message") or {}).get("thread_ts")
        for reply in replies:
            if container.get("is_ephemeral"):
                value = next(iter(_actions(body)), None)
                messages = render_messages(reply, self.strings, share=share(reply, "", value))
                if messages:
                    messages[0]["replace_original"] = True
                options: dict[str, Any] = {"response_type": "ephemeral"}
            else:
                messages = render_messages(reply, self.strings)
                options = {
                    "response_type": "in_channel" if direct else "ephemeral",
                    "thread_ts": thread if direct else None,
                }
            for message in messages:
                await respond_with(self.respond, self.failed, **options, **message)
        return True

    async def thank(self, vote: Vote, text: str) -> None:
        """The answer updated in place, its vote buttons replaced by a thank-you."""
        if not self.body.get("response_url"):
            return
        blocks = (self.body.get("message") or {}).get("blocks")
        if not blocks:  # an ephemeral answer: Slack does not send it back, so build it again
            reply = self.answer_again(vote)
            if reply is None:
                return
            blocks = render_messages(reply, self.strings)[-1].get("blocks", [])
        await respond_with(
            self.respond,
            self.failed,
            replace_original=True,
            text=text,
            blocks=thanked(blocks, text),
        )


class HomeTab:
    def __init__(self, publish: Callable[[Reply], Awaitable[None]]) -> None:
        self.publish = publish

    async def send(self, replies: Sequence[Reply]) -> bool:
        for reply in replies:
            # The Home tab is no answer in a conversation: no 👍/👎 there.
            buttons = tuple(b for b in reply.buttons if not b.action.startswith(FEEDBACK_PREFIX))
            await self.publish(replace(reply, buttons=buttons))
        return True

    async def thank(self, vote: Vote, text: str) -> None:
        return None


def _actions(body: dict) -> list[str]:
    return [str(a.get("value") or "") for a in body.get("actions") or []]
