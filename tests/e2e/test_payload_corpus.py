"""Every real webhook the platforms send is handled: the vendors' payload corpus, replayed.

`shared/payloads/<platform>/*.json` beside the checkout (or `$IOMBOT_PAYLOADS_DIR`) holds 157
webhook bodies written by Telegram, Slack and LINE or by their SDKs' maintainers (its SOURCES.md
says where each comes from; the files stay out of this repository). Every file found there is
a test of its own, judged by the one rule below (`judge`, with `wanted_replies`): a new file is
replayed and judged with no edit here. Without the folder the tests are skipped, saying why;
under CI (`$CI` set) they fail, as CI must replay them.

One `iombot run` serves them all (corpus_replay.py): the three adapters on the fake platform
servers, each payload signed as its platform signs it (Telegram's secret-token header, Slack's
v0 signature over the exact bytes, JSON for events and form-encoded for slash commands and
`payload=` interactions, LINE's X-Line-Signature), with fresh ids so that each is new.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus_replay import (
    CORPUS_VARIABLE,
    PLATFORMS,
    Bot,
    Outcome,
    Replay,
    corpus_dir,
    corpus_files,
    replay,
)

from iombot.core.content import load_content
from iombot.testing import telegram as fake_telegram
from iombot.testing.background import BackgroundLoop

from testsupport import ADAPTER_CONTENT

pytestmark = pytest.mark.e2e

SLACK_COMMAND = "/iom"
ACK_SECONDS = 3.0  # Slack's limit, asked of every platform
# Telegram message fields of content a person sends (not a service message: a member joined,
# a chat created, a pinned message...): in a private chat they get "text only, please".
TELEGRAM_CONTENT = frozenset(
    "animation audio contact dice document game invoice location paid_media photo poll "
    "sticker story venue video video_note voice".split()
)
# The bot's built-in commands, besides a topic's command or alias (core/answerer.py;
# /staff and /done: bots/handoff/asking.py).
BUILT_IN_COMMANDS = frozenset({"start", "help", "menu", "lang", "staff", "done"})
# What the bot's own buttons carry (core Answerer.act, bots/editors/feedback.py, handoff).
OUR_ACTIONS = ("topic:", "lang:", "fb:", "staff:")


def corpus_params() -> list:
    """One test per file, named platform/file; one that skips (or fails in CI) without any."""
    files = corpus_files()
    if not files:
        return [pytest.param(None, id="corpus-missing")]
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in files]


def missing_corpus() -> None:
    why = (
        f"no payload corpus at {corpus_dir()} (the steering repository's shared/payloads "
        f"beside the checkout, or ${CORPUS_VARIABLE})"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{why}: CI must replay it")
    pytest.skip(why)


# --- what the bot must do with a file: the one rule -------------------------------------------


def known_commands() -> frozenset[str]:
    content = load_content(ADAPTER_CONTENT)
    names = {name.lower() for topic in content.topics for name in (topic.command, *topic.aliases)}
    return BUILT_IN_COMMANDS | names


def wanted_replies(platform: str, body: dict, commands: frozenset[str]) -> dict[str, str]:
    """What must be answered, from the payload's shape alone: {target: "answer" | "notice"}
    (a notice: the one "text only, please"). Any other reply to the file is wrong."""
    if platform == "telegram":
        return telegram_wanted(body, commands)
    if platform == "slack":
        return slack_wanted(body)
    return line_wanted(body)


def telegram_wanted(update: dict, commands: frozenset[str]) -> dict[str, str]:
    """A message (the update's only kind) from a person (is_bot false, as the Bot API has sent
    since 2017; the 2015 samples without it are not read): in a private chat, text is answered
    and other content gets the notice; in a group, text from a person or an anonymous admin
    that is addressed to the bot (a mention, a reply to it, one of its commands, a command
    naming it) is answered. Edits, channel posts, member updates, reactions, buttons and
    queries get no reply."""
    if set(update) != {"update_id", "message"}:
        return {}
    message = update["message"]
    chat, sender = message.get("chat") or {}, message.get("from") or {}
    target, text = str(chat.get("id")), message.get("text")
    person = sender.get("is_bot") is False
    if chat.get("type") == "private" and person:
        if isinstance(text, str):
            return {target: "answer"}
        return {target: "notice"} if TELEGRAM_CONTENT & set(message) else {}
    anonymous_admin = (message.get("sender_chat") or {}).get("id") == chat.get("id")
    if (
        chat.get("type") in ("group", "supergroup")
        and isinstance(text, str)
        and (person or anonymous_admin)
    ):
        username = f"@{fake_telegram.BOT_USERNAME}".lower()
        replied = ((message.get("reply_to_message") or {}).get("from") or {}).get("id")
        command = text.split()[0][1:].lower() if text.startswith("/") and text.split() else None
        name, _, to = (command or "").partition("@")
        if (
            username in text.lower()
            or replied == fake_telegram.BOT_ID
            or (command and (to == username[1:] or (not to and name in commands)))
        ):
            return {target: "answer"}
    return {}


def slack_wanted(payload: dict) -> dict[str, str]:
    """/iom is answered in its ack; a direct message or a mention from a person (no subtype,
    no bot_id) in the conversation. Other events, commands and interactions: nothing said."""
    if "command" in payload:
        return {"ack": "answer"} if payload["command"] == SLACK_COMMAND else {}
    if payload.get("type") == "event_callback":
        event = payload.get("event") or {}
        person = event.get("user") and not event.get("bot_id") and not event.get("subtype")
        direct = event.get("type") == "message" and event.get("channel_type") == "im"
        if person and (direct or event.get("type") == "app_mention"):
            return {str(event.get("channel")): "answer"}
    return {}


def line_wanted(body: dict) -> dict[str, str]:
    """Per event (its reply token): in a 1:1 chat (a `user` source) a text message is answered,
    other messages get the notice, a follow the welcome, and a postback of the bot's own buttons
    its answer; in a group or room, text that mentions the bot or is a command. Nothing in
    standby mode (another channel answers), and nothing for any other event type."""
    wanted: dict[str, str] = {}
    for event in body.get("events") or []:
        token, source = event.get("replyToken"), event.get("source") or {}
        if not token or event.get("mode") == "standby":
            continue
        kind, message = event.get("type"), event.get("message") or {}
        text = message.get("text") if message.get("type") == "text" else None
        if source.get("type") == "user":
            if kind == "message":
                wanted[token] = "answer" if isinstance(text, str) else "notice"
            elif kind == "follow" or (
                kind == "postback"
                and str((event.get("postback") or {}).get("data", "")).startswith(OUR_ACTIONS)
            ):
                wanted[token] = "answer"
        elif kind == "message" and isinstance(text, str):
            mentionees = (message.get("mention") or {}).get("mentionees") or []
            if text.lstrip().startswith("/") or any(m.get("isSelf") for m in mentionees):
                wanted[token] = "answer"
    return wanted


def judge(outcome: Outcome) -> None:
    """The rule every file is judged by."""
    assert 200 <= outcome.status < 300, f"HTTP {outcome.status}: {outcome.answer[:200]}"
    assert outcome.seconds < ACK_SECONDS, f"answered in {outcome.seconds:.2f} s"
    assert outcome.healthz == 200, "the process stopped serving"
    problems = [line for line in outcome.log if log_problem(line)]
    assert not problems, "\n".join(problems)
    if outcome.sent.get("type") == "url_verification":
        assert outcome.sent["challenge"] in outcome.answer, "the challenge was not echoed"
    for target, kind in outcome.wanted.items():
        said = [text for to, text in outcome.replies if to == target]
        assert said, f"{target}: no {kind}"
        if kind == "notice":
            assert len(said) == 1, f"{target}: {len(said)} replies, one notice expected"
    unwanted = [(to, text[:80]) for to, text in outcome.replies if to not in outcome.wanted]
    assert not unwanted, f"replies nobody should get: {unwanted}"


def log_problem(line: str) -> bool:
    """An ERROR (or worse), a traceback, or a line that is not the bot's JSON log."""
    try:
        entry = json.loads(line)
    except ValueError:
        return bool(line.strip())
    return entry.get("level") not in ("DEBUG", "INFO", "WARNING") or "error" in entry


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> Iterator[Replay]:
    files = corpus_files()
    if not files:
        missing_corpus()
    commands = known_commands()
    with BackgroundLoop() as loop:
        bot = Bot(loop, tmp_path_factory.mktemp("corpus"))
        try:
            wanted = functools.partial(wanted_replies, commands=commands)
            yield loop.run(replay(bot, files, wanted), timeout=600)
        finally:
            bot.stop()


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus_params())
def test_payload_is_handled(path: Path | None, replayed: Replay) -> None:
    if path is None:
        missing_corpus()
    judge(replayed.outcomes[path])


def test_the_whole_corpus_in_one_process(replayed: Replay) -> None:
    """Nothing logged at ERROR and no traceback in the whole run; every reply went to a file's
    chat; the process still serving. Prints how long the replay took (`pytest -s`)."""
    bot = replayed.bot
    problems = [line for line in bot.lines if log_problem(line)]
    assert not problems, "\n".join(problems[:20])
    assert not replayed.stray, f"replies to no file's chat: {replayed.stray[:10]}"
    assert bot.process.poll() is None
    counts = {p: sum(o.platform == p for o in replayed.outcomes.values()) for p in PLATFORMS}
    print(f"\nreplayed {counts} in {replayed.seconds:.1f} s")
