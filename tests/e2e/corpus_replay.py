"""Replaying the vendors' webhook payload corpus against one `iombot run` (for
test_payload_corpus.py, which says what the bot must do with each file).

`Bot` runs the installed `iombot run` with the Telegram (webhook), Slack (HTTP) and LINE
adapters on the fake platform servers of iombot.testing, and reads its stderr as it comes.
`Freshener` gives each file fresh ids where the bot dedupes or counts (update_id, event_id,
webhookEventId, reply tokens, the users and chats): each file is then handled as new, and what
the fakes receive can be told apart by file. `request_for` signs a payload as its platform
does. `replay` sends the files one after the other and gathers an `Outcome` for each.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from iombot.testing import line as fake_line
from iombot.testing import slack as fake_slack
from iombot.testing import telegram as fake_telegram
from iombot.testing.background import BackgroundLoop
from iombot.testing.line import FakeLine
from iombot.testing.slack import FakeSlack
from iombot.testing.telegram import FakeBotApi

from testsupport import ADAPTER_CONTENT, free_port, installed_iombot

CORPUS_VARIABLE = "IOMBOT_PAYLOADS_DIR"
PLATFORMS = ("telegram", "slack", "line")
TELEGRAM_TOKEN = "123:CORPUS_token_abcdefghijklmnopqrstuv"
TELEGRAM_SECRET = "corpus-webhook-secret"
TELEGRAM_PATH = "/telegram/webhook"
SETTLE_SECONDS = 0.05  # nothing received or logged for this long: the bot is done with a file
QUIET_SECONDS = 0.5  # the same, once every file was sent
ANSWER_SECONDS = 5.0  # the longest a wanted reply is waited for

# What the bot must say for a payload: {target: "answer" | "notice"} (test_payload_corpus.py).
Wanted = Callable[[str, dict], dict[str, str]]


def corpus_dir() -> Path:
    """`$IOMBOT_PAYLOADS_DIR`, else `shared/payloads` beside the checkout (in CI, a copy of the
    steering repository's shared/ next to the clone), else beside the local checkout this one
    was cloned from (a clone made anywhere for a trial run of CI)."""
    given = os.environ.get(CORPUS_VARIABLE)
    if given:
        return Path(given)
    checkout = Path(__file__).resolve().parents[2]
    candidates = [checkout.parent / "shared" / "payloads"]
    origin = subprocess.run(
        ["git", "-C", str(checkout), "remote", "get-url", "origin"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared" / "payloads")
    return next((path for path in candidates if path.is_dir()), candidates[0])


def corpus_files() -> list[Path]:
    """Every payload file, platform by platform: whatever the folder holds."""
    folder = corpus_dir()
    return [path for name in PLATFORMS for path in sorted((folder / name).glob("*.json"))]


@dataclass
class Outcome:
    """What happened to one file."""

    platform: str
    sent: dict  # the payload as sent (fresh ids)
    wanted: dict[str, str]  # what the rule wants said, by target
    status: int = 0
    seconds: float = 0.0
    answer: str = ""  # the HTTP response's body
    healthz: int = 0  # /healthz right after
    log: list[str] = field(default_factory=list)  # stderr lines while it was handled
    replies: list[tuple[str, str]] = field(default_factory=list)  # (target, what was said)


# --- fresh ids --------------------------------------------------------------------------------


class Freshener:
    """Fresh ids for each file: where the bot dedupes (update_id, event_id, webhookEventId), the
    reply tokens, and the users and chats (the flood limit counts per user; replies are told
    apart by chat). The same id within a file stays the same. Each method gives the payload to
    send and its targets: the ids a reply about this file may go to."""

    def __init__(self, response_url: Callable[[], str]):
        self.files = itertools.count(1)
        self.response_url = response_url  # a fresh URL on the fake Slack

    def telegram(self, update: dict) -> tuple[dict, set[str]]:
        n, update = next(self.files), copy.deepcopy(update)
        update["update_id"] = 10_000 + n
        ids: dict[int, int] = {}
        inline: set[str] = set()

        def change(key: str, value: Any) -> Any:
            if key == "inline_message_id" and isinstance(value, str):
                inline.add(value)
            if key != "id" or type(value) is not int or value == fake_telegram.BOT_ID:
                return value
            number = ids.setdefault(value, 7_000_000_000 + n * 100 + len(ids))
            return number if value >= 0 else -number  # a group's id stays negative

        _rewrite(update, change)
        return update, {str(v if k >= 0 else -v) for k, v in ids.items()} | inline

    def slack(self, payload: dict) -> tuple[dict, set[str]]:
        n, payload = next(self.files), copy.deepcopy(payload)
        if "event_id" in payload:
            payload["event_id"] = f"EvCORPUS{n:05d}"
        ids: dict[str, str] = {}
        urls: set[str] = set()

        def fresh(value: str) -> str:  # the first letter says what it is: U, W, C, D, G
            return ids.setdefault(value, f"{value[:1].upper()}CORPUS{n:04d}X{len(ids)}")

        def change(key: str, value: Any) -> Any:
            if key in ("user", "user_id", "channel", "channel_id"):
                if isinstance(value, str) and value:
                    return fresh(value)
                if isinstance(value, dict) and isinstance(value.get("id"), str):
                    return {**value, "id": fresh(value["id"])}
            if isinstance(value, str) and value.startswith("https://hooks.slack.com/"):
                url = self.response_url()  # Slack's own response URLs, on the fake
                urls.add(url)
                return url
            return value

        _rewrite(payload, change)
        return payload, set(ids.values()) | urls

    def line(self, body: dict) -> tuple[dict, set[str]]:
        n, body = next(self.files), copy.deepcopy(body)
        ids: dict[str, str] = {}
        tokens: set[str] = set()

        def change(key: str, value: Any) -> Any:
            if key in ("userId", "groupId", "roomId") and isinstance(value, str):
                return ids.setdefault(value, f"{value[:1] or 'U'}{n:08x}{len(ids):024x}")
            if key == "webhookEventId":
                return fake_line.new_event_id()
            if key == "replyToken":
                token = fake_line.new_reply_token()
                tokens.add(token)
                return token
            return value

        _rewrite(body, change)
        return body, set(ids.values()) | tokens


def _rewrite(node: Any, change: Callable[[str, Any], Any]) -> None:
    """Replace, anywhere in a JSON tree, each value that `change(key, value)` gives anew; the
    values it keeps (returns as they are) are looked into."""
    if isinstance(node, dict):
        for key, value in node.items():
            new = change(key, value)
            if new is value:
                _rewrite(value, change)
            else:
                node[key] = new
    elif isinstance(node, list):
        for item in node:
            _rewrite(item, change)


# --- signed requests, as each platform sends them ---------------------------------------------


def request_for(platform: str, payload: dict) -> tuple[str, bytes, dict[str, str]]:
    """(path, body, headers) for a payload, signed as its platform signs."""
    if platform == "telegram":
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        }
        return TELEGRAM_PATH, body, headers
    if platform == "slack":
        if "command" in payload:  # a slash command: its fields, form-encoded
            body = urlencode(payload).encode()
        elif payload.get("type") in ("event_callback", "url_verification", "app_rate_limited"):
            body = json.dumps(payload).encode()
        else:  # an interaction: payload=<json>, form-encoded
            body = urlencode({"payload": json.dumps(payload)}).encode()
        return "/slack/events", body, fake_slack.signed_headers(body)
    body = json.dumps(payload, ensure_ascii=False).encode()
    return "/line/webhook", body, fake_line.signed_headers(body)


# --- the process and the replay ---------------------------------------------------------------


class Bot:
    """`iombot run` with the three adapters on the fakes; its stderr read as it comes."""

    def __init__(self, loop: BackgroundLoop, tmp: Path):
        self.loop = loop
        self.telegram = loop.call(FakeBotApi, TELEGRAM_TOKEN)
        self.slack = loop.call(FakeSlack)
        self.line = loop.call(FakeLine)
        for fake in (self.telegram, self.slack, self.line):
            loop.run(fake.start())
        self.port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "SLACK_", "LINE_", "IOMBOT_", "PORT", "HOST"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
            TELEGRAM_API_URL=self.telegram.url,
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{self.port}{TELEGRAM_PATH}",
            TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
            TELEGRAM_RATE_LIMIT="0",
            SLACK_BOT_TOKEN=fake_slack.BOT_TOKEN,
            SLACK_SIGNING_SECRET=fake_slack.SECRET,
            SLACK_API_URL=self.slack.api_url,
            LINE_CHANNEL_SECRET=fake_line.CHANNEL_SECRET,
            LINE_CHANNEL_ACCESS_TOKEN=fake_line.ACCESS_TOKEN,
            LINE_API_URL=self.line.url,
            IOMBOT_CONTENT_DIR=str(ADAPTER_CONTENT),
            IOMBOT_DATA_DIR=str(tmp),
            PORT=str(self.port),
            HOST="127.0.0.1",
            LOG_FORMAT="json",
        )
        self.process = subprocess.Popen(
            [installed_iombot(), "run"],
            cwd=tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []  # stderr, appended by the reader thread
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def activity(self) -> tuple[int, ...]:
        """Grows with anything the fakes receive or the bot logs."""
        return (
            len(self.telegram.calls),
            len(self.slack.calls),
            len(self.slack.responses),
            len(self.line.calls),
            len(self.lines),
        )

    async def settle(self, quiet: float, until: float) -> None:
        """Until nothing has moved for `quiet` seconds (or the time `until`)."""
        last, since = self.activity(), time.monotonic()
        while time.monotonic() < until:
            await asyncio.sleep(quiet / 5)
            now = self.activity()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def replies(self, platform: str, targets: set[str] | None = None) -> list[tuple[str, str]]:
        """What the fakes were asked to say, as (target, text): to a file's targets (its chats,
        users, reply tokens, response URLs), or everything."""
        found: list[tuple[str, str]] = []
        if platform == "telegram":
            for call in self.telegram.calls:
                if call.method in ("sendMessage", "editMessageText", "sendSticker", "sendPhoto"):
                    to = call.params.get("chat_id") or call.params.get("inline_message_id")
                    found.append((str(to), call.text))
        elif platform == "slack":
            for call in self.slack.calls:
                if call.method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
                    found.append((str(call.args.get("channel")), str(call.args.get("text"))))
            for response in self.slack.responses:
                found.append((f"{self.slack.base}{response.method}", json.dumps(response.args)))
        else:
            for call in self.line.calls:
                if call.method in ("reply", "push") and call.status == 200:
                    body = call.body or {}
                    to = str(body.get("replyToken") or body.get("to"))
                    found.append((to, " ".join(FakeLine.texts(call))))
        return [(to, text) for to, text in found if targets is None or to in targets]

    async def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, "\n".join(self.lines)
                try:
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("iombot run did not become healthy:\n" + "\n".join(self.lines))

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(5)
        for fake in (self.telegram, self.slack, self.line):
            self.loop.run(fake.stop())
        return self.process.returncode


@dataclass
class Replay:
    bot: Bot
    outcomes: dict[Path, Outcome]
    seconds: float  # sending every file and waiting for its replies
    stray: list[tuple[str, str]]  # replies to no file's chat


async def replay(bot: Bot, files: list[Path], wanted: Wanted) -> Replay:
    """Send each file, signed, and wait until the bot is done with it (the replies it wants,
    then a moment without anything received or logged); then until nothing moves at all."""
    freshen = Freshener(bot.slack.response_url)
    await bot.wait_healthy()
    await bot.settle(QUIET_SECONDS, time.monotonic() + 10)  # start-up's own calls and lines
    outcomes: dict[Path, Outcome] = {}
    targets: dict[Path, set[str]] = {}
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        for path in files:
            platform = path.parent.name
            payload, targets[path] = getattr(freshen, platform)(json.loads(path.read_bytes()))
            outcome = Outcome(platform, payload, wanted(platform, payload))
            first_line = len(bot.lines)
            where, body, headers = request_for(platform, payload)
            sent = time.monotonic()
            async with session.post(bot.url + where, data=body, headers=headers) as response:
                outcome.answer = await response.text()
                outcome.status, outcome.seconds = response.status, time.monotonic() - sent
            async with session.get(f"{bot.url}/healthz") as health:
                outcome.healthz = health.status
            deadline = time.monotonic() + ANSWER_SECONDS
            while time.monotonic() < deadline and not _answered(bot, path, outcome, targets):
                await asyncio.sleep(0.01)
            await bot.settle(SETTLE_SECONDS, time.monotonic() + ANSWER_SECONDS)
            outcome.log = bot.lines[first_line:]
            outcomes[path] = outcome
        seconds = time.monotonic() - started
        await bot.settle(QUIET_SECONDS, time.monotonic() + 10)  # anything late is counted too
    for path, outcome in outcomes.items():  # late replies are counted too
        outcome.replies = bot.replies(outcome.platform, targets[path])
        if outcome.platform == "slack" and _said(outcome.answer):
            outcome.replies.append(("ack", outcome.answer))
    every_target = set().union(*targets.values())
    stray = [
        (to, text[:80])
        for platform in PLATFORMS
        for to, text in bot.replies(platform)
        if to not in every_target
    ]
    return Replay(bot, outcomes, seconds, stray)


def _answered(bot: Bot, path: Path, outcome: Outcome, targets: dict[Path, set[str]]) -> bool:
    wanted = {t for t in outcome.wanted if t != "ack"}
    said = {to for to, _ in bot.replies(outcome.platform, targets[path])}
    return wanted <= said


def _said(answer: str) -> bool:
    """Whether an HTTP answer to Slack says something (a command's reply in its ack)."""
    try:
        body = json.loads(answer)
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("text") or body.get("blocks"))
