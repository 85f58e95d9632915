"""Proof that the image and compose file run: build, start both services against fake
platforms, wait until healthy, ask each a question, edit content live, stop with SIGTERM.

Called by scripts/compose-smoke, which installs podman and podman-compose first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAKE_PORT = 18099
TELEGRAM_PORT, SLACK_PORT = 8080, 8081
PROJECT = "iombot-smoke"
TOKEN = "123456:SMOKE_token_abcdefghijklmnopqrstu"
SIGNING_SECRET = "smoke-signing-secret"
GRACE_SECONDS = 10


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


def calls() -> list[dict]:
    return json.loads(http("GET", f"http://127.0.0.1:{FAKE_PORT}/control/calls")[1])


def telegram_answer_contains(text: str, chat_id: int) -> bool:
    return any(
        c["method"] == "sendMessage"
        and str(c["params"].get("chat_id")) == str(chat_id)
        and text in c["params"].get("text", "")
        for c in calls()
    )


def send_telegram(update_id: int, text: str, chat_id: int) -> None:
    update = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Smoke", "language_code": "en"},
            **(
                {"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
                if text.startswith("/")
                else {}
            ),
        },
    }
    http(
        "POST",
        f"http://127.0.0.1:{FAKE_PORT}/control/telegram/update",
        json.dumps(update).encode(),
        {"Content-Type": "application/json"},
    )


def slack_command(text: str) -> tuple[int, str]:
    body = urllib.parse.urlencode(
        {
            "command": "/iom",
            "text": text,
            "user_id": "U1",
            "user_name": "smoke",
            "channel_id": "C1",
            "team_id": "T1",
            "trigger_id": "1.2.3",
            "response_url": f"http://127.0.0.1:{FAKE_PORT}/response",
        }
    ).encode()
    timestamp = str(int(time.time()))
    signature = (
        "v0="
        + hmac.new(
            SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256
        ).hexdigest()
    )
    return http(
        "POST",
        f"http://127.0.0.1:{SLACK_PORT}/slack/events",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
        },
    )


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="iombot-smoke-"))
    work.chmod(0o755)  # the containers run as an unprivileged user and read the content here
    content = work / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("__*"))
    env_file = work / "smoke.env"
    env_file.write_text(
        "\n".join(
            [
                f"TELEGRAM_BOT_TOKEN={TOKEN}",
                f"TELEGRAM_API_URL=http://127.0.0.1:{FAKE_PORT}",
                "TELEGRAM_RATE_LIMIT=0",
                "SLACK_BOT_TOKEN=xoxb-smoke",
                f"SLACK_SIGNING_SECRET={SIGNING_SECRET}",
                f"SLACK_API_URL=http://127.0.0.1:{FAKE_PORT}/api/",
                "HOST=127.0.0.1",
                "IOMBOT_RELOAD_SECONDS=1",
                "",
            ]
        )
    )
    os.environ.update(IOMBOT_ENV_FILE=str(env_file), IOMBOT_CONTENT_HOST_DIR=str(content))
    fake = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "fake_platforms.py"), str(FAKE_PORT)]
    )
    try:
        wait(
            "fake platforms listening",
            lambda: _quiet(lambda: http("GET", f"http://127.0.0.1:{FAKE_PORT}/control/calls")),
            10,
        )
        log("building the image and starting the stack")
        compose("up", "-d", "--build")
        wait("both containers healthy", lambda: healthy("telegram") and healthy("slack"), 90)

        send_telegram(1, "/contact", 501)
        wait(
            "Telegram /contact answered with the phone number",
            lambda: telegram_answer_contains("03-3595-2487", 501),
            20,
        )
        send_telegram(2, "電話番号は？", 502)
        wait(
            "Telegram Japanese question answered in Japanese",
            lambda: telegram_answer_contains("連絡先", 502),
            20,
        )

        status, body = slack_command("contact")
        if status != 200 or "03-3595-2487" not in body:
            raise SystemExit(f"[compose-smoke] FAILED: Slack /iom contact: {status} {body[:300]}")
        log("ok: Slack /iom contact answered with the phone number")

        contact = content / "contact.yaml"
        contact.write_text(
            contact.read_text(encoding="utf-8").replace(
                "title: Contact IOM Tokyo", "title: Reach IOM Tokyo"
            ),
            encoding="utf-8",
        )
        wait(
            "content edit picked up by Slack",
            lambda: "Reach IOM Tokyo" in slack_command("contact")[1],
            30,
        )
        send_telegram(3, "/contact", 503)
        wait(
            "content edit picked up by Telegram",
            lambda: telegram_answer_contains("Reach IOM Tokyo", 503),
            30,
        )

        for service in ("telegram", "slack"):
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
        compose("down", "-t", "2", check=False)
        fake.terminate()
        fake.wait(5)
        log(f"container logs: {work / 'compose.log'}")
    if TOKEN in output or SIGNING_SECRET in output:
        log("FAILED: a secret appears in the container logs")
        return 1
    log("PASSED")
    return 0


def _quiet(function) -> bool:
    try:
        function()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
