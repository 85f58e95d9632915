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

# The language registry (content/languages.yaml) and the UI string catalogs (content/strings/).
LANGUAGES_FILE = "languages.yaml"
STRINGS_DIR = "strings"
# A language code: ISO 639 (en, ja, fil), optionally with a region or script (pt-br, zh-hant).
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
LANGUAGES_TOP_FIELDS = {
    "default": (True, str, "a language code"),
    "languages": (True, list, "a list of languages"),
}
LANGUAGE_FIELDS = {
    "code": (True, str, "a language code"),
    "name": (True, str, "text"),  # as its speakers write it: the /lang button
    "english_name": (True, str, "text"),  # for IOM Tokyo staff (a ticket's language)
    "script": (True, str, "one of latin, japanese, han, hangul, devanagari"),
    "stemmer": (False, str, "the name of a Snowball stemmer"),
    "words": (False, list, "a list of words"),  # what names the language: /lang <word>
    "help_words": (False, list, "a list of words"),  # a message of one of these is /help
    # Whether a person has checked its texts (true when not given): until then, every reply in
    # it carries the catalog's `unreviewed` note, and `iombot check` names it.
    "reviewed": (False, bool, "true or false"),
}
