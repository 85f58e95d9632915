"""Proof that the image and compose file run: build, start the three services against fake
platforms, wait until healthy, ask each a question, pass a question to staff and their reply
back across two services, edit content live, stop with SIGTERM.

Called by scripts/compose-smoke, which installs podman and podman-compose first and runs this
with PYTHONPATH=src: the fakes are iombot.testing's (FakeBotApi, FakeSlack, FakeLine), served from a
thread of this process, and need only aiohttp. The services serve a copy of the adapter tests'
fixture content (tests/fixtures/adapter_content), so rewording content/ cannot break this.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp

from iombot.testing import line as fake_line
from iombot.testing import telegram as tg
from iombot.testing.background import BackgroundLoop
from iombot.testing.line import FakeLine
from iombot.testing.slack import FakeSlack, command_body, event_payload, signed_headers
from iombot.testing.telegram import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "tests" / "fixtures" / "adapter_content"
EDITED_TITLE = "Reach the smoke-tested office"
TELEGRAM_PORT, SLACK_PORT, LINE_PORT, WEBCHAT_PORT = 8080, 8081, 8082, 8083
PROJECT = "iombot-smoke"
TOKEN = "123456:SMOKE_token_abcdefghijklmnopqrstu"
SIGNING_SECRET = "smoke-signing-secret"
GRACE_SECONDS = 10
HANDOFF_CHANNEL = "C0SMOKE001"


def log(message: str) -> None:
    print(f"[compose-smoke] {message}", flush=True)


def compose(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    command = [
        os.environ.get("PODMAN_COMPOSE", "podman-compose"),
        "-p",
        PROJECT,
        "-f",
        "docker-compose.yml",
        "-f",
        "scripts/compose.smoke.yml",
        # Which services start comes from COMPOSE_PROFILES, as it does for operators.
        *args,
    ]
    return subprocess.run(command, cwd=ROOT, check=check, text=True, capture_output=True)


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait(what: str, predicate, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            log(f"ok: {what}")
            return
        time.sleep(0.5)
    raise SystemExit(f"[compose-smoke] FAILED: {what} (waited {seconds:.0f} s)")


def container(service: str) -> str:
    return f"{PROJECT}_{service}_1"


def healthy(service: str) -> bool:
    # podman 4.3 without systemd never runs health checks by itself: run one now.
    result = subprocess.run(
        ["podman", "healthcheck", "run", container(service)], capture_output=True, text=True
    )
    return result.returncode == 0


class Fakes:
    """The fake Bot API and the fake Slack, running in a thread while this script blocks."""

    def __init__(self, loop: BackgroundLoop):
        self.loop = loop
        self.telegram = loop.call(FakeBotApi, TOKEN)
        self.slack = loop.call(FakeSlack)
        self.line = loop.call(FakeLine)
        loop.run(self.telegram.start())
        loop.run(self.slack.start())
        loop.run(self.line.start())

    def stop(self) -> None:
        self.loop.run(self.telegram.stop())
        self.loop.run(self.slack.stop())
        self.loop.run(self.line.stop())

    def send_line(self, text: str, user: str) -> None:
        body = fake_line.webhook_body(fake_line.text_event(text, user_id=user))
        url = f"http://127.0.0.1:{LINE_PORT}/line/webhook"
        status, _ = http("POST", url, body, fake_line.signed_headers(body))
        if status != 200:
            raise SystemExit(f"[compose-smoke] FAILED: LINE webhook: HTTP {status}")

    def line_answer_contains(self, text: str) -> bool:
        replies = self.loop.call(self.line.calls_to, "reply")
        return any(text in "\n".join(FakeLine.texts(call)) for call in replies)

    def send_telegram(self, text: str, chat_id: int) -> None:
        self.loop.call(self.telegram.push, tg.message(text, user_id=chat_id))

    def telegram_answer_contains(self, text: str, chat_id: int) -> bool:
        sent = self.loop.call(self.telegram.sent_to, chat_id)
        return any(text in call.text for call in sent)

    def slack_command(self, text: str) -> tuple[int, str]:
        body = command_body(text, self.loop.call(self.slack.response_url))
        headers = signed_headers(body, SIGNING_SECRET)
        return http("POST", f"http://127.0.0.1:{SLACK_PORT}/slack/events", body.encode(), headers)


class Contact:
    """What the fixture's contact topic says (read from its file, so that it can change)."""

    def __init__(self, path: Path):
        self.path = path
        text = path.read_text(encoding="utf-8")
        self.title, self.title_ja = re.findall(r"^  title: (.+)$", text, re.MULTILINE)[:2]
        phone = re.search(r"\[([0-9-]+)\]\(tel:", text)
        assert phone, f"{path}: no phone number"
        self.phone = phone[1]

    def retitle(self, title: str) -> None:
        text = self.path.read_text(encoding="utf-8")
        text = text.replace(f"  title: {self.title}\n", f"  title: {title}\n", 1)
        self.path.write_text(text, encoding="utf-8")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="iombot-smoke-"))
    work.chmod(0o755)  # the containers run as an unprivileged user and read the content here
    content = work / "content"
    shutil.copytree(CONTENT, content)
    with BackgroundLoop() as loop:
        fakes = Fakes(loop)
        try:
            return smoke(fakes, work, content)
        finally:
            fakes.stop()


def smoke(fakes: Fakes, work: Path, content: Path) -> int:
    env_file = work / "smoke.env"
    env_file.write_text(
        "\n".join(
            [
                f"TELEGRAM_BOT_TOKEN={TOKEN}",
                f"TELEGRAM_API_URL={fakes.telegram.url}",
                "TELEGRAM_RATE_LIMIT=0",
                "SLACK_BOT_TOKEN=xoxb-smoke",
                f"SLACK_SIGNING_SECRET={SIGNING_SECRET}",
                f"SLACK_API_URL={fakes.slack.api_url}",
                f"LINE_CHANNEL_SECRET={fake_line.CHANNEL_SECRET}",
                f"LINE_CHANNEL_ACCESS_TOKEN={fake_line.ACCESS_TOKEN}",
                f"LINE_API_URL={fakes.line.url}",
                "HOST=127.0.0.1",
                "IOMBOT_RELOAD_SECONDS=1",
                f"IOMBOT_HANDOFF_CHANNEL={HANDOFF_CHANNEL}",
                # Every service knows the web chat (the Slack one delivers staff replies to it).
                "WEBCHAT_ENABLED=1",
                "",
            ]
        )
    )
    os.environ.update(
        IOMBOT_ENV_FILE=str(env_file),
        IOMBOT_CONTENT_HOST_DIR=str(content),
        COMPOSE_PROFILES="telegram,slack,line,webchat",
    )
    contact = Contact(content / "contact.yaml")
    output = ""
    try:
        log("building the image and starting the stack")
        compose("up", "-d", "--build")
        wait(
            "the four containers healthy",
            lambda: all(healthy(s) for s in ("telegram", "slack", "line", "webchat")),
            90,
        )

        fakes.send_telegram("/contact", 501)
        wait(
            "Telegram /contact answered with the phone number",
            lambda: fakes.telegram_answer_contains(contact.phone, 501),
            20,
        )
        fakes.send_telegram("電話番号は？", 502)
        wait(
            "Telegram Japanese question answered in Japanese",
            lambda: fakes.telegram_answer_contains(contact.title_ja, 502),
            20,
        )

        status, body = fakes.slack_command("contact")
        if status != 200 or contact.phone not in body:
            raise SystemExit(f"[compose-smoke] FAILED: Slack /iom contact: {status} {body[:300]}")
        log("ok: Slack /iom contact answered with the phone number")

        handoff(fakes)

        fakes.send_line("電話番号は？", "U" + "7" * 32)
        wait(
            "LINE question answered with the phone number",
            lambda: fakes.line_answer_contains(contact.phone),
            20,
        )

        webchat(fakes, contact)

        contact.retitle(EDITED_TITLE)
        wait(
            "content edit picked up by Slack",
            lambda: EDITED_TITLE in fakes.slack_command("contact")[1],
            30,
        )
        # Each service reloads on its own clock: ask again (as a new user) until the edit shows.
        asked = iter(range(503, 603))

        def telegram_has_the_edit() -> bool:
            chat = next(asked)
            fakes.send_telegram("/contact", chat)
            time.sleep(0.5)
            return fakes.telegram_answer_contains(EDITED_TITLE, chat)

        wait("content edit picked up by Telegram", telegram_has_the_edit, 30)
        problems = fakes.loop.call(lambda: list(fakes.telegram.problems))
        if problems:  # the fake Bot API checks every text it is sent, as Telegram would
            raise SystemExit(f"[compose-smoke] FAILED: Telegram rejected: {problems}")

        for service in ("telegram", "slack", "line", "webchat"):
            started = time.monotonic()
            subprocess.run(
                ["podman", "stop", "-t", str(GRACE_SECONDS), container(service)],
                check=True,
                capture_output=True,
            )
            seconds = time.monotonic() - started
            code = subprocess.run(
                ["podman", "inspect", "--format", "{{.State.ExitCode}}", container(service)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            if code != "0" or seconds >= GRACE_SECONDS:
                raise SystemExit(
                    f"[compose-smoke] FAILED: {service} stop: exit {code} after {seconds:.1f} s"
                )
            log(f"ok: {service} stopped on SIGTERM in {seconds:.1f} s with exit code 0")
    finally:
        logs = compose("logs", check=False)
        output = logs.stdout + logs.stderr
        (work / "compose.log").write_text(output)
        compose("down", "-v", "-t", "2", check=False)
        log(f"container logs: {work / 'compose.log'}")
    if any(
        s in output
        for s in (TOKEN, SIGNING_SECRET, fake_line.ACCESS_TOKEN, fake_line.CHANNEL_SECRET)
    ):
        log("FAILED: a secret appears in the container logs")
        return 1
    only_telegram(env_file)
    log("PASSED")
    return 0


def handoff(fakes: Fakes) -> None:
    """Asking a person across the two services: the Telegram container posts the ticket to
    Slack, the Slack container receives the staff reply and delivers it to Telegram."""
    asker = 700
    fakes.send_telegram("/staff a question from the smoke test", asker)

    def ticket() -> dict | None:
        calls = fakes.loop.call(fakes.slack.calls_to, "chat.postMessage")
        posted = [c for c in calls if c.args.get("channel") == HANDOFF_CHANNEL]
        return posted[0].result if posted else None

    wait("the Telegram service posted a ticket to the Slack channel", lambda: ticket(), 20)
    staff_reply((ticket() or {})["ts"], "Hello from IOM Tokyo staff (smoke)", "1800000000.000001")
    wait(
        "the Slack service delivered the staff reply to the Telegram asker",
        lambda: fakes.telegram_answer_contains("Hello from IOM Tokyo staff (smoke)", asker),
        20,
    )


def staff_reply(thread: str, text: str, ts: str) -> None:
    """A staff member's reply in a ticket's thread, as Slack sends it to the Slack service."""
    event = {
        "type": "message",
        "channel": HANDOFF_CHANNEL,
        "channel_type": "channel",
        "user": "U0STAFF01",
        "text": text,
        "ts": ts,
        "thread_ts": thread,
    }
    body = json.dumps(event_payload(event, f"EvSmoke{ts}")).encode()
    headers = signed_headers(body, SIGNING_SECRET)
    status, _ = http("POST", f"http://127.0.0.1:{SLACK_PORT}/slack/events", body, headers)
    if status != 200:
        raise SystemExit(f"[compose-smoke] FAILED: staff reply event: HTTP {status}")


def webchat(fakes: Fakes, contact: Contact) -> None:
    """The web chat service: its page, a question over its WebSocket, and asking staff across
    services: the web chat container posts the ticket, the Slack container receives the staff
    reply and it reaches the open page through the shared state store."""
    status, page = http("GET", f"http://127.0.0.1:{WEBCHAT_PORT}/chat")
    if status != 200 or "/chat/chat.js" not in page:
        raise SystemExit(f"[compose-smoke] FAILED: GET /chat: HTTP {status}")
    question = "a question from the web chat smoke test"
    answer = "Hello from IOM Tokyo staff (web chat smoke)"

    def ticket() -> dict | None:
        calls = fakes.loop.call(fakes.slack.calls_to, "chat.postMessage")
        posted = [c for c in calls if question in json.dumps(c.args)]
        return posted[0].result if posted else None

    async def converse() -> None:
        base = f"http://127.0.0.1:{WEBCHAT_PORT}"
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{base}/chat/ws", headers={"Origin": base}) as socket,
        ):

            async def until(text: str) -> None:
                said = ""
                while text not in said:
                    said += (await socket.receive(timeout=30)).data

            await socket.send_str(json.dumps({"type": "hello", "session": None}))
            await socket.send_str(json.dumps({"type": "message", "text": "/contact"}))
            await until(contact.phone)
            log("ok: web chat /contact answered with the phone number over its WebSocket")
            await socket.send_str(json.dumps({"type": "message", "text": f"/staff {question}"}))
            await until("#")
            await asyncio.to_thread(wait, "the web chat service posted a ticket", ticket, 20)
            thread = (ticket() or {})["ts"]
            await asyncio.to_thread(staff_reply, thread, answer, "1800000001.000001")
            await until(answer)
            log("ok: the Slack service's staff reply reached the open web chat page")

    asyncio.run(converse())


def only_telegram(env_file: Path) -> None:
    """An operator with only a Telegram token: COMPOSE_PROFILES=telegram starts that service
    alone, so no Slack service exits for want of settings and restarts for ever."""
    lines = env_file.read_text().splitlines()
    slack = ("SLACK_", "IOMBOT_HANDOFF_", "LINE_")  # the handoff needs Slack
    env_file.write_text("\n".join(x for x in lines if not x.startswith(slack)) + "\n")
    os.environ["COMPOSE_PROFILES"] = "telegram"
    try:
        compose("up", "-d")
        wait("the telegram container healthy on its own", lambda: healthy("telegram"), 60)
        exists = subprocess.run(["podman", "container", "exists", container("slack")])
        if exists.returncode == 0:
            raise SystemExit("[compose-smoke] FAILED: COMPOSE_PROFILES=telegram started slack")
        log("ok: COMPOSE_PROFILES=telegram started the telegram service alone")
    finally:
        compose("down", "-v", "-t", "2", check=False)


if __name__ == "__main__":
    sys.exit(main())
