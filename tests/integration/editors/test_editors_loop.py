"""The editors' loop, end to end: people ask on Telegram and Slack (the real PTB Application and
Bolt app, against the fake platforms); what the content could not answer, the votes and the
topics due for review come out of `iombot report` (text, CSV, JSON), `/iom report` and the weekly
digest, from the state store the bots wrote."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from both_platforms import handoff_settings, running, tmp_sqlite

from iombot.bots.editors.ledger import Ledger
from iombot.bots.editors.reporting import build_report
from iombot.bots.state import open_state
from iombot.core.content import load_content
from iombot.core.reply import Query, Reply, ReplyKind
from iombot.testing.slack import action_body, action_payload, command_body, direct_message
from iombot.testing.telegram import callback, message

from testsupport import ADAPTER_CONTENT, free_port, installed_iombot, iombot_report

PRIVATE = "zxcvq plmkn visa? call me on 090-1234-5678 or write to taro.yamada@example.com"
DIGEST_CHANNEL = "C0DIGEST01"


def editors_settings(telegram, slack, state_url: str, **more):
    settings = handoff_settings(telegram, slack, state_url=state_url)
    return replace(settings, handoff=None, **more)


def line(report: dict, topic: str, language: str) -> dict:
    return next(t for t in report["topics"] if t["topic"] == topic and t["language"] == language)


async def test_questions_and_votes_from_both_platforms_make_the_report(fakes, tmp_path):
    telegram, slack = fakes
    state = tmp_sqlite(tmp_path / "state.db")
    async with running(editors_settings(telegram, slack, state)) as bot:
        # Unanswered: the same question twice (near-duplicates), once more on Slack, in Japanese once.
        telegram.push(message(PRIVATE, user_id=11))
        telegram.push(message(PRIVATE.replace("?", "??"), user_id=12))
        telegram.push(message("ぴょこぴょこ ぴょこ はどこ？", user_id=13, language_code="ja"))
        telegram.push(message("/contact", user_id=14))
        await telegram.wait_sent(4)
        assert await bot.slack_event(direct_message("zxcvq plmkn visa? 03 5555 1234"), "EvQ") == 200
        # Votes on Telegram: a person changes their mind on the same answer; another agrees.
        answer = telegram.sent_to(14)[-1]
        keyboard = answer.params["reply_markup"]["inline_keyboard"]
        assert [b["text"] for b in keyboard[-1]] == ["👍", "👎"]  # one row, under the answer
        telegram.push(callback("fb:up:contact:en", user_id=14))
        telegram.push(callback("fb:down:contact:en", user_id=15))
        await telegram.wait_for(lambda: len(telegram.sent("answerCallbackQuery")) == 2)
        thanked = telegram.sent("answerCallbackQuery")[0].params
        assert thanked["text"] == "Thank you for your feedback!"
        sent_before = len(telegram.sent())
        # Slack: /iom contact, then 👍 on it: updated in place, thanked.
        body = command_body("contact", slack.response_url(), user="U77")
        async with bot.http.post(f"{bot.base}/slack/events", data=body, headers=_signed(body)) as r:
            assert r.status == 200
        payload = action_payload(
            "fb:up:contact:en",
            "iom_fb:up:contact:en",
            slack.response_url(),
            container={"type": "message", "message_ts": "1700000100.000100", "is_ephemeral": True},
            user="U77",
        )
        assert await bot.slack_action(action_body(payload)) == 200
        await slack.wait_responses(1)
        update = slack.responses[-1].args
        assert update["replace_original"] is True
        assert "Thank you for your feedback" in json.dumps(update["blocks"], ensure_ascii=False)
        assert "iom_fb:" not in json.dumps(update["blocks"])
        await asyncio.sleep(0.3)
        assert len(telegram.sent()) == sent_before  # a vote is no new message

    report = json.loads(iombot_report(state, "--format", "json", "--since", "7d"))
    assert set(report) == {
        "since",
        "unanswered",
        "topics",
        "review_due",
        "talk",
        "unreviewed_languages",
    }
    assert report["unreviewed_languages"] == []  # the fixture's en and ja are reviewed
    texts = [u["text"] for u in report["unanswered"]]
    assert len(report["unanswered"]) == 3, texts  # the two near-duplicates merged
    top = report["unanswered"][0]
    assert top["count"] == 2 and top["languages"] == ["en"]
    assert set(top) == {"text", "count", "languages", "last_seen", "closest_topic"}
    everything = json.dumps(report, ensure_ascii=False)
    for private in ("090-1234-5678", "taro.yamada", "example.com", "5555 1234"):
        assert private not in everything
    assert "[phone]" in top["text"] and "[email]" in top["text"]
    assert any(u["languages"] == ["ja"] for u in report["unanswered"])
    contact = line(report, "contact", "en")
    assert contact["asked"] == 2  # Telegram /contact and Slack /iom contact
    assert (contact["helpful"], contact["not_helpful"]) == (2, 1)  # Telegram 👍 👎, Slack 👍
    # The fixture topics were never checked against the source: every one is due.
    never_reviewed = {t.command for t in load_content(ADAPTER_CONTENT).topics if not t.reviewed}
    assert never_reviewed and {r["topic"] for r in report["review_due"]} == never_reviewed

    rows = list(csv.DictReader(io.StringIO(iombot_report(state, "--format", "csv"))))
    assert {row["section"] for row in rows} >= {"unanswered", "topic", "review_due"}
    assert sum(1 for row in rows if row["section"] == "unanswered") == 3
    text = iombot_report(state)
    assert "Unanswered questions (3)" in text and "Next step" in text
    assert "090-1234-5678" not in text


async def test_a_second_press_on_the_same_answer_changes_the_vote(fakes, tmp_path):
    telegram, slack = fakes
    state = tmp_sqlite(tmp_path / "state.db")
    async with running(editors_settings(telegram, slack, state)) as bot:
        telegram.push(message("/contact", user_id=21))
        await telegram.wait_sent(1)
        message_id = 4242
        for data in ("fb:up:contact:en", "fb:up:contact:en", "fb:down:contact:en"):
            update = callback(data, user_id=21)
            update["callback_query"]["message"]["message_id"] = message_id
            telegram.push(update)
        await telegram.wait_for(lambda: len(telegram.sent("answerCallbackQuery")) == 3)
        metrics = await bot.metrics()
    # The metric counts votes cast: 👍 once (the second press is the same vote), then 👎.
    for vote in ("up", "down"):
        assert f'iombot_feedback_total{{language="en",platform="telegram",vote="{vote}"}} 1.0' in (
            metrics
        )
    report = json.loads(iombot_report(state, "--format", "json"))
    assert (
        line(report, "contact", "en")["helpful"],
        line(report, "contact", "en")["not_helpful"],
    ) == (0, 1)


async def test_the_question_log_can_be_off_and_entries_expire(tmp_path):
    content = load_content(ADAPTER_CONTENT)
    store = await open_state(tmp_sqlite(tmp_path / "state.db"))
    try:
        unanswered = Reply(kind=ReplyKind.SUGGESTIONS, language="en", closest="contact", score=0.2)
        shown = Reply(kind=ReplyKind.TOPIC, language="en", topic="contact")
        off = Ledger(store, question_days=0)
        await off.note(Query(text="a question nobody answers", platform="telegram"), unanswered)
        await off.note(Query(text="/contact", platform="telegram"), shown)
        await off.flush()  # topic counts go to the store every few seconds
        report = await build_report(store, content, "2000-01-01")
        assert report.unanswered == () and line_of(report, "contact", "en").asked == 1
        # Kept `question_days` days: here half a second.
        brief = Ledger(store, question_days=0.5 / 86400)  # type: ignore[arg-type]
        await brief.note(Query(text="gone soon", platform="slack"), unanswered)
        assert len((await build_report(store, content, "2000-01-01")).unanswered) == 1
        await asyncio.sleep(0.7)
        assert (await build_report(store, content, "2000-01-01")).unanswered == ()
    finally:
        await store.close()


def line_of(report, topic: str, language: str):
    return next(t for t in report.topics if t.topic == topic and t.language == language)


async def test_two_replicas_on_redis_write_one_report_and_post_one_digest(
    fakes, redis_server, tmp_path
):
    telegram, slack = fakes
    now = datetime.now(ZoneInfo("Asia/Tokyo"))
    settings = editors_settings(
        telegram,
        slack,
        redis_server.url,
        digest_channel=DIGEST_CHANNEL,
        digest_day=now.weekday(),
        digest_time="00:00",
        digest_check_seconds=0.1,
    )
    other = replace(settings, port=free_port())
    async with running(settings, only="slack") as one, running(other, only="slack") as two:
        await one.slack_event(direct_message("zxcvq plmkn first replica"), "EvR1")
        await two.slack_event(
            direct_message("qwxzv mnbvc second replica", ts="1700000009.000100"), "EvR2"
        )
        await asyncio.sleep(1.0)  # ten digest ticks each
        digests = [
            c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == DIGEST_CHANNEL
        ]
        assert len(digests) == 1
        posted = json.dumps(digests[0].args, ensure_ascii=False)
        assert "Unanswered questions" in posted
        # /iom report: the same report, for the staff member who asked only.
        body = command_body("report 30d", slack.response_url(), user="U1")
        async with one.http.post(f"{one.base}/slack/events", data=body, headers=_signed(body)) as r:
            ack = await r.json()
        assert ack["response_type"] == "ephemeral" and "Editors' report since" in ack["text"]
        assert "first replica" in json.dumps(ack) and "second replica" in json.dumps(ack)
    report = json.loads(iombot_report(redis_server.url, "--format", "json"))
    assert {u["text"] for u in report["unanswered"]} >= {
        "zxcvq plmkn first replica",
        "qwxzv mnbvc second replica",
    }


def _signed(body: str) -> dict:
    from iombot.testing.slack import signed_headers

    return signed_headers(body)


@pytest.mark.parametrize("since", ["yesterday", "7 days"])
def test_report_says_what_since_takes(since, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOMBOT_")}
    env["IOMBOT_STATE_URL"] = tmp_sqlite(tmp_path / "s.db")
    result = subprocess.run(
        [installed_iombot(), "report", "--since", since],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "7d, 30d or a date" in result.stderr
