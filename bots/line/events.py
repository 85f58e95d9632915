"""LINE webhook events, read from the JSON that LINE posts: only the fields the bot uses, into
small frozen dataclasses.

line-bot-sdk's models (`linebot.v3.webhooks`, what `WebhookParser` makes) require fields the bot
never reads: an event without `webhookEventId` or `deliveryContext`, or a text message without
`quoteToken` (as LINE sent them before 2021 and 2023), makes the SDK give up on the event: it
becomes an `UnknownEvent`, or, when even that fails, the whole body raises and every event in
it is lost. Here each event is read on its own, an event type or message type the bot does not
know is kept for the handlers to ignore, and only an event that is not an object with a `type`
cannot be read (the caller logs it and goes on with the others).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    kind: str  # "user", "group" or "room"
    user_id: str | None  # who spoke (absent in a group for a user who has not agreed to share it)
    chat: str  # where the conversation is: the group, the room, or the user


@dataclass(frozen=True)
class Mention:
    index: int
    length: int
    is_self: bool  # the bot itself is mentioned


@dataclass(frozen=True)
class LineEvent:
    kind: str  # "message", "postback", "follow", "unfollow", "join", … as LINE names it
    source: Source | None  # none for some events about the channel itself (botSuspended, module)
    reply_token: str | None
    event_id: str | None  # webhookEventId: the same for a redelivery
    standby: bool = False  # mode "standby": another channel answers (module channels)
    message_type: str | None = None  # "text", "sticker", "image", … for a message event
    text: str | None = None  # a text message's text
    mentions: tuple[Mention, ...] = ()
    postback: str | None = None  # a postback's data


class UnreadableEvent(ValueError):
    """An event that is not an object with a type: what is wrong, never its content."""


def read_events(body: Any) -> tuple[list[LineEvent], list[str]]:
    """The events of a webhook body (parsed JSON), and a line for each one that could not be
    read. The console's verification sends no events."""
    if not isinstance(body, dict) or not isinstance(body.get("events", []), list):
        return [], ["not a webhook body (no list of events)"]
    events, problems = [], []
    for event in body.get("events", []):
        try:
            events.append(read_event(event))
        except UnreadableEvent as problem:
            problems.append(str(problem))
    return events, problems


def read_event(data: Any) -> LineEvent:
    if not isinstance(data, dict):
        raise UnreadableEvent(f"an event that is not an object ({type(data).__name__})")
    kind = data.get("type")
    if not isinstance(kind, str) or not kind:
        raise UnreadableEvent("an event without a type")
    message = _object(data.get("message"))
    postback = _object(data.get("postback"))
    message_type = _string(message.get("type")) if kind == "message" else None
    return LineEvent(
        kind=kind,
        source=_source(data.get("source")),
        reply_token=_string(data.get("replyToken")),
        event_id=_string(data.get("webhookEventId")),
        standby=data.get("mode") == "standby",
        message_type=message_type,
        text=_text(message.get("text")) if message_type == "text" else None,
        mentions=_mentions(message.get("mention")) if message_type == "text" else (),
        postback=_text(postback.get("data")) if kind == "postback" else None,
    )


def _source(data: Any) -> Source | None:
    source = _object(data)
    kind, user = _string(source.get("type")), _string(source.get("userId"))
    chat = {"user": user, "group": source.get("groupId"), "room": source.get("roomId")}
    where = _string(chat.get(kind or ""))
    if kind is None or where is None:
        return None
    return Source(kind, user, where)


def _mentions(data: Any) -> tuple[Mention, ...]:
    found = []
    for mentionee in _object(data).get("mentionees") or []:
        if not isinstance(mentionee, dict):
            continue
        index, length = mentionee.get("index"), mentionee.get("length")
        if isinstance(index, int) and isinstance(length, int):
            found.append(Mention(index, length, mentionee.get("isSelf") is True))
    return tuple(found)


def _object(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
