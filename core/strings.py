"""The bot's own words (help, fallbacks, errors) in every language, in the body markup."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

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
    "feedback_thanks": {
        "en": "Thank you for your feedback!",
        "ja": "ご意見ありがとうございます。",
    },
    # Asking a person (the handoff to IOM Tokyo staff).
    "ask_staff": {"en": "Ask IOM Tokyo staff", "ja": "IOM駐日事務所のスタッフに質問"},
    "cancel": {"en": "Cancel", "ja": "キャンセル"},
    "staff_title": {"en": "Ask IOM Tokyo staff", "ja": "スタッフへの質問"},
    "staff_consent": {
        "en": "Write your question in your next message and I will pass it to IOM Tokyo staff. "
        "They will see **the text of your question and your language**, not your name, username "
        "or phone number. Their reply will come here.",
        "ja": "次のメッセージで質問を書いてください。IOM駐日事務所のスタッフにお送りします。スタッフに伝わるのは"
        "**質問の文面と使用言語**だけで、お名前・ユーザー名・電話番号は伝わりません。返信はこのチャットに届きます。",
    },
    "staff_cancelled": {
        "en": "Cancelled: nothing was sent.",
        "ja": "キャンセルしました。何も送信していません。",
    },
    "staff_sent": {
        "en": "Sent to IOM Tokyo staff as ticket **#{number}**. Their reply will come here. "
        "What you write now goes to the same ticket; `/done` closes it.",
        "ja": "IOM駐日事務所のスタッフに送信しました（受付番号 **#{number}**）。返信はこのチャットに届きます。"
        "続けて書いたメッセージも同じ受付番号で届きます。終えるときは `/done` を送ってください。",
    },
    "staff_limit": {
        "en": "You have sent many messages to staff this hour. Please wait for their reply.",
        "ja": "この1時間にスタッフへ送ったメッセージが多すぎます。返信をお待ちください。",
    },
    "staff_reply": {"en": "IOM Tokyo staff", "ja": "IOM駐日事務所スタッフ"},
    "staff_closed": {
        "en": "Ticket #{number} is closed. Your messages go to the bot again.",
        "ja": "受付番号 #{number} を終了しました。これからのメッセージにはボットがお答えします。",
    },
    # Under Slack's /iom menu: the commands for staff.
    "staff_commands": {
        "en": "For staff: `/iom report [7d|30d]` what people asked that the content could not "
        "answer · `/iom tickets` the public's open questions",
        "ja": "スタッフ向け: `/iom report [7d|30d]` コンテンツで答えられなかった質問 · "
        "`/iom tickets` 受付中の質問",
    },
    "staff_done_command": {
        "en": "Close your question to staff",
        "ja": "スタッフへの質問を終える",
    },
    "staff_none_open": {
        "en": "You have no open question with staff.",
        "ja": "スタッフへの質問は受け付けていません。",
    },
    "staff_unavailable": {
        "en": "Staff can't be reached through this bot. You can contact IOM Tokyo directly:",
        "ja": "このボットからスタッフに質問することはできません。IOM駐日事務所へ直接ご連絡ください。",
    },
    "staff_in_group": {
        "en": "To ask staff, please write to me in a private chat. Or contact IOM Tokyo directly:",
        "ja": "スタッフへの質問は、私との個別のチャットでお送りください。IOM駐日事務所へ直接ご連絡いただくこともできます。",
    },
    "staff_failed": {
        "en": "Sorry, your question could not be passed to staff just now. "
        "Please try again later, or contact IOM Tokyo directly:",
        "ja": "申し訳ありません。ただいま質問をスタッフに送れませんでした。後でもう一度お試しいただくか、"
        "IOM駐日事務所へ直接ご連絡ください。",
    },
}

LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}


def text(key: str, language: str) -> str:
    """One UI string in a language, as plain text without markup."""
    return "".join(span.text for span in spans(key, language))


def spans(key: str, language: str, **values: str) -> tuple[Span, ...]:
    """One UI string parsed into spans, {placeholders} filled in after parsing, so that a value
    (which may be what a user typed) is always plain text and never markup."""
    parsed = _parsed(key, language)
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


@lru_cache(maxsize=512)
def _parsed(key: str, language: str) -> tuple[Span, ...]:
    # The strings never change while the bot runs: parsed once (spans are immutable).
    return parse_spans(STRINGS[key][language])


def missing_translations() -> list[str]:
    """Keys that lack a language; a test keeps this empty."""
    return [
        f"{key}:{lang}"
        for key, texts in STRINGS.items()
        for lang in LANGUAGES
        if not texts.get(lang)
    ]
