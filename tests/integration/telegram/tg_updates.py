"""Telegram update payloads as the Bot API sends them, for the fake server's queue."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

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
                "from": {"id": 123, "is_bot": True, "first_name": "Test"},
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
