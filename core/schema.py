"""The rules a topic file must follow, in one place, with the limits the platforms impose."""

from __future__ import annotations

import datetime
import re

COMMAND_PATTERN = re.compile(r"[a-z0-9_]{1,32}")  # Telegram's rule for bot commands
ALIAS_PATTERN = re.compile(r"[^\s/@A-Z]{1,32}")  # one word; Japanese allowed; lowercase
RESERVED_COMMANDS = frozenset({"start", "help", "lang", "menu", "settings"})

TOP_FIELDS = {
    # name: (required, type, description for messages)
    "command": (True, str, "text"),
    "aliases": (False, list, "a list of words"),
    "order": (False, int, "a whole number"),
    "related": (False, list, "a list of topic commands"),
    # Content governance: who answers for the topic (a unit or a role), and when it was last
    # checked against its source. `iombot check` warns about topics never or long ago reviewed.
    "owner": (False, str, "text"),
    "reviewed": (False, datetime.date, "a date YYYY-MM-DD"),
}
TEXT_FIELDS = {
    "title": (True, str, "text"),
    "summary": (True, str, "text"),
    "keywords": (False, list, "a list of words or phrases"),
    "questions": (False, list, "a list of questions"),
    "body": (True, str, "text"),
    # How to reach IOM Tokyo people, in a line or two (phone, website): every reply that is not
    # a confident answer ends with it. One topic (contact) gives it, in every language.
    "reach_us": (False, str, "text"),
}
MAX_REACH_US = 400

# Limits: a Slack header holds 150 characters; a Telegram command description 256;
# a Slack section 3,000 (escaping can grow text, hence the margin); bodies are split by the adapters.
MAX_TITLE = 100
MAX_SUMMARY = 200
MAX_BLOCK = 2500
MAX_BODY = 8000
MAX_LIST_ITEM = 200
DEFAULT_ORDER = 1000
DEFAULT_REVIEW_DAYS = 365  # a topic last reviewed longer ago than this is due for review
# `reviewed:` may be up to a day ahead of the checking machine's date: an editor in Tokyo
# writes today's date while a server on UTC may still be on yesterday.
REVIEWED_AHEAD_DAYS = 1
