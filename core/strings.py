"""The bot's own words (help, fallbacks, errors) in every language, in the body markup."""

from __future__ import annotations

from dataclasses import replace

from .markup import parse_spans
from .reply import LANGUAGES, Bold, Command, Span, Text

STRINGS: dict[str, dict[str, str]] = {
    "welcome_title": {
        "en": "Welcome to IOM Tokyo",
        "ja": "IOM駐日事務所へようこそ",
    },
    "welcome": {
        "en": "I answer questions about the International Organization for Migration (IOM) and its "
        "Tokyo office. Choose a topic below, or just ask, for example: "
        "**What is your phone number?**",
        "ja": "国際移住機関（IOM）とIOM駐日事務所（東京）についてのご質問にお答えします。下のトピックを選ぶか、"
        "「**電話番号は？**」のように自由に質問してください。",
    },
    "help_title": {"en": "What I can tell you", "ja": "ご案内できること"},
    "help": {
        "en": "Pick a topic, or ask a question in English or Japanese.",
        "ja": "トピックを選ぶか、日本語または英語で質問してください。",
    },
    "help_footer": {
        "en": "Change language: `/lang ja` (日本語) or `/lang en`.",
        "ja": "言語の切り替え: `/lang en`（English）または `/lang ja`。",
    },
    "suggest_title": {"en": "I'm not sure what you mean", "ja": "ご質問の意味がはっきりしません"},
    "suggest": {
        "en": "I couldn't find a confident answer to that. Did you mean one of these?",
        "ja": "はっきりした答えが見つかりませんでした。次のどれかでしょうか？",
    },
    "nothing_found": {
        "en": "I can only answer questions about IOM and IOM Tokyo, and I have no answer to this one.",
        "ja": "IOMとIOM駐日事務所についてのご質問にのみお答えできます。このご質問への答えは見つかりませんでした。",
    },
    "menu_intro": {"en": "What I can tell you about:", "ja": "ご案内できるトピック:"},
    "unknown_command_title": {"en": "Unknown command", "ja": "不明なコマンド"},
    "unknown_command": {
        "en": "I don't know the command {command}.",
        "ja": "{command} というコマンドはありません。",
    },
    "did_you_mean": {"en": "Did you mean `/{command}`?", "ja": "`/{command}` のことでしょうか？"},
    "empty": {
        "en": "Please type a question, or choose a topic:",
        "ja": "質問を入力するか、トピックを選んでください:",
    },
    "lang_title": {"en": "Language", "ja": "言語"},
    "lang_choose": {"en": "Choose your language:", "ja": "言語を選んでください:"},
    "lang_set": {
        "en": "I will answer in English from now on.",
        "ja": "これからは日本語でお答えします。",
    },
    "lang_unknown": {
        "en": "I speak English (en) and Japanese (ja). Choose one:",
        "ja": "対応している言語は日本語（ja）と英語（en）です。選んでください:",
    },
    "related": {"en": "Related", "ja": "関連トピック"},
    "error": {
        "en": "Sorry, something went wrong on our side. Please try again in a moment.",
        "ja": "申し訳ありません。問題が発生しました。しばらくしてからもう一度お試しください。",
    },
    "rate_limited": {
        "en": "You are sending messages very quickly. Please wait a minute before asking again.",
        "ja": "メッセージの送信が多すぎます。1分ほど待ってから、もう一度お試しください。",
    },
    "unsupported": {
        "en": "I can only read text messages. Please type your question.",
        "ja": "テキストのメッセージのみ読み取れます。質問を入力してください。",
    },
    # Platforms with a slash command (Slack's /iom) show these under an answer.
    "command_hint": {
        "en": "IOM Tokyo · `/help` for the topics, or ask `/{question}`",
        "ja": "IOM駐日事務所 · トピック一覧は `/help`、質問は `/{question}`",
    },
    "question_placeholder": {"en": "<question>", "ja": "<質問>"},
    "share": {"en": "Share in channel", "ja": "チャンネルに共有"},
    "shared_by": {"en": "Shared by {user}", "ja": "{user} さんが共有"},
    "home_topic": {"en": "You asked about", "ja": "選択したトピック"},
}

LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}


def text(key: str, language: str) -> str:
    """One UI string in a language, as plain text without markup."""
    return "".join(span.text for span in spans(key, language))


def spans(key: str, language: str, **values: str) -> tuple[Span, ...]:
    """One UI string parsed into spans, {placeholders} filled in after parsing, so that a value
    (which may be what a user typed) is always plain text and never markup."""
    parsed = parse_spans(STRINGS[key][language])
    if not values:
        return parsed
    filled: list[Span] = []
    for span in parsed:
        if isinstance(span, (Text, Bold)):
            filled.append(replace(span, text=span.text.format_map(values)))
        elif isinstance(span, Command):
            filled.append(Command(span.name.format_map(values)))
        else:
            filled.append(span)
    return tuple(filled)


def missing_translations() -> list[str]:
    """Keys that lack a language; a test keeps this empty."""
    return [
        f"{key}:{lang}"
        for key, texts in STRINGS.items()
        for lang in LANGUAGES
        if not texts.get(lang)
    ]
