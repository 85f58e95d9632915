"""The editors' report and the weekly digest in every language of the content (issue 24): what
Vietnamese and Portuguese users ask on Telegram and Slack is counted per topic and language,
every language of the content has its lines (zeros included), and an unanswered question
carries its language, in `iombot report` (text, CSV, JSON), `/iom report` and the digest posted
to Slack. The real PTB Application and Bolt app under serve(), against the fake platforms; the
content is tests/fixtures/adapter_content_langs (en, ja, vi, pt)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from both_platforms import handoff_settings, running, tmp_sqlite, wait

from iombot.core.content import load_content
from iombot.testing.slack import command_body
from iombot.testing.telegram import callback, message

from testsupport import ADAPTER_CONTENT_LANGS, iombot_report

CONTENT = load_content(ADAPTER_CONTENT_LANGS)
DIGEST_CHANNEL = "C0DIGEST02"
UNANSWERED_VI = "Thời tiết ở Tokyo ngày mai thế nào?"  # not in the content


def settings_for(telegram, slack, state_url: str, **more):
    settings = handoff_settings(telegram, slack, state_url=state_url)
    return replace(settings, handoff=None, content_dir=ADAPTER_CONTENT_LANGS, **more)


def report_of(state_url: str, *args: str) -> str:
    return iombot_report(state_url, *args, content_dir=ADAPTER_CONTENT_LANGS)


def topic_row(text: str, topic: str, language: str) -> tuple[int, int, int]:
    """(asked, 👍, 👎) of a topic and language in the text report's "Topics asked" table."""
    match = re.search(rf"^\s*{topic}\s+{language}\s+(\d+)\s+(\d+)\s+(\d+)\s*$", text, re.M)
    assert match, f"no line for {topic} ({language})"
    return int(match[1]), int(match[2]), int(match[3])


async def ask_in_both_languages(telegram, slack, bot) -> None:
    """Contact asked twice in Portuguese (Telegram, Slack) and once in Vietnamese, voted 👎 in
    Vietnamese; a question the content cannot answer, in Vietnamese."""
    slack.locales["U55"] = "pt-BR"
    telegram.push(message("/contact", user_id=51, language_code="vi"))
    telegram.push(
        message("Qual é o número de telefone de vocês?", user_id=52, language_code="pt-br")
    )
    telegram.push(message(UNANSWERED_VI, user_id=53, language_code="vi"))
    await telegram.wait_sent(3)
    telegram.push(callback("fb:down:contact:vi", user_id=51, language_code="vi"))
    await telegram.wait_for(lambda: telegram.sent("answerCallbackQuery"))
    assert telegram.sent("answerCallbackQuery")[0].params["text"] == "Cảm ơn bạn đã góp ý!"
    answer = await bot.slack_command(command_body("contact", slack.response_url(), user="U55"))
    assert answer["blocks"][0]["text"]["text"] == CONTENT.by_command()["contact"].text("pt").title


async def test_the_report_counts_each_language_and_lists_them_all(fakes, tmp_path):
    telegram, slack = fakes
    state = tmp_sqlite(tmp_path / "state.db")
    async with running(settings_for(telegram, slack, state)) as bot:
        await ask_in_both_languages(telegram, slack, bot)

    report = json.loads(report_of(state, "--format", "json"))
    lines = {(t["topic"], t["language"]): t for t in report["topics"]}
    topics = [topic.command for topic in CONTENT.topics]
    assert set(lines) == {(t, lang) for t in topics for lang in ("en", "ja", "vi", "pt")}
    assert lines["contact", "pt"]["asked"] == 2  # Telegram and Slack
    assert (lines["contact", "vi"]["asked"], lines["contact", "vi"]["not_helpful"]) == (1, 1)
    assert lines["contact", "en"]["asked"] == 0
    [unanswered] = report["unanswered"]
    assert unanswered["text"] == UNANSWERED_VI and unanswered["languages"] == ["vi"]

    rows = list(csv.DictReader(io.StringIO(report_of(state, "--format", "csv"))))
    counted = {
        row["language"]: int(row["asked"])
        for row in rows
        if row["section"] == "topic" and row["topic"] == "contact"
    }
    assert counted == {"en": 0, "ja": 0, "vi": 1, "pt": 2}
    assert [row["languages"] for row in rows if row["section"] == "unanswered"] == ["vi"]

    text = report_of(state)
    assert topic_row(text, "contact", "pt") == (2, 0, 0)
    assert topic_row(text, "contact", "vi") == (1, 0, 1)
    assert topic_row(text, "about", "vi") == (0, 0, 0)
    assert "Next step: reread the topics with more 👎 than 👍 first (contact (vi))" in text


async def test_the_digest_and_iom_report_have_every_languages_lines(fakes, tmp_path):
    telegram, slack = fakes
    state = tmp_sqlite(tmp_path / "state.db")
    async with running(settings_for(telegram, slack, state)) as bot:
        await ask_in_both_languages(telegram, slack, bot)
    # The week's digest, posted by the next start (its time has come).
    now = datetime.now(ZoneInfo("Asia/Tokyo"))
    digest = settings_for(
        telegram,
        slack,
        state,
        digest_channel=DIGEST_CHANNEL,
        digest_day=now.weekday(),
        digest_time="00:00",
        digest_check_seconds=0.1,
    )
    async with running(digest, only="slack") as bot:

        def digests() -> list:
            posts = slack.calls_to("chat.postMessage")
            return [c for c in posts if c.args.get("channel") == DIGEST_CHANNEL]

        await wait(digests)
        [post] = digests()
        ack = await bot.slack_command(command_body("report", slack.response_url(), user="U1"))
    for blocks in (post.args["blocks"], ack["blocks"]):
        text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
        assert topic_row(text, "contact", "pt") == (2, 0, 0)
        assert topic_row(text, "contact", "vi") == (1, 0, 1)
        assert topic_row(text, "work", "pt") == (0, 0, 0)
        assert re.search(r"^\s*1\s+vi\s+\S+\s+\S+\s+Thời tiết ở Tokyo", text, re.M), text
