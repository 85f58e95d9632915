"""Resident memory of `iombot run` with both adapters (Telegram polling, Slack over HTTP),
against the fake Bot API and the fake Slack on loopback: after start-up, and after traffic on
both (questions in every language of the content, buttons, Slack commands). Prints figures; asserts nothing.

Run: `python bench/memory_both.py [--questions 2000]`. The target and past figures:
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from process_stats import answers_health, free_port, memory_mb

from iombot.testing import telegram as tg
from iombot.testing.background import BackgroundLoop
from iombot.testing.slack import FakeSlack, command_body, signed_headers
from iombot.testing.telegram import FakeBotApi

TOKEN = "123456:BENCH_MEMORY_abcdefghijklmnopqrstuvw"
SLACK_TOKEN = "xoxb-bench-memory"
SIGNING_SECRET = "bench-memory-signing-secret"
QUESTIONS = [
    "/contact",
    "what is your phone number?",
    "電話番号を教えてください",
    "/history",
    "/help",
    # Each language searched apart has its index made on its first question (issue 24).
    "IOM东京的电话号码是多少？",
    "Số điện thoại của IOM Tokyo là gì?",
    "IOM 도쿄 전화번호가 뭐예요?",
    "Ano ang phone number ng IOM Tokyo?",
    "IOM टोकियोको फोन नम्बर के हो?",
    "Qual é o telefone da IOM Tokyo?",
    "Berapa nomor telepon IOM Tokyo?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=2000)
    args = parser.parse_args()
    with BackgroundLoop() as loop:
        telegram, slack = loop.call(FakeBotApi, TOKEN, check=False), loop.call(FakeSlack)
        loop.run(telegram.start())
        loop.run(slack.start())
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "SLACK_", "IOMBOT_"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=telegram.url,
            TELEGRAM_RATE_LIMIT="0",
            SLACK_BOT_TOKEN=SLACK_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            IOMBOT_DATA_DIR=tempfile.mkdtemp(prefix="iombot-bench-"),
            HOST="127.0.0.1",
            PORT=str(port),
        )
        iombot = str(Path(sys.executable).parent / "iombot")
        process = subprocess.Popen([iombot, "run"], env=env, stderr=subprocess.DEVNULL)
        try:
            answers_health(port, 20)
            time.sleep(1)
            started, _ = memory_mb(process.pid)
            for n in range(args.questions):
                loop.call(telegram.push, tg.message(QUESTIONS[n % len(QUESTIONS)], user_id=10 + n))
                if n % 10 == 0:
                    body = command_body("contact", loop.call(slack.response_url), user=f"U{n}")
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/slack/events",
                        data=body.encode(),
                        headers=signed_headers(body, SIGNING_SECRET),
                    )
                    urllib.request.urlopen(request, timeout=10).read()
            deadline = time.monotonic() + 120
            while loop.call(lambda: len(telegram.sent())) < args.questions:
                assert time.monotonic() < deadline, "not every question was answered"
                time.sleep(0.2)
            after, peak = memory_mb(process.pid)
        finally:
            process.terminate()
            process.wait(15)
            loop.run(telegram.stop())
            loop.run(slack.stop())
    print(f"iombot run, Telegram and Slack: RSS {started:.1f} MB after start-up")
    print(
        f"after {args.questions} Telegram questions and {args.questions // 10} Slack commands: "
        f"RSS {after:.1f} MB (peak {peak:.1f} MB); target under 100 MB (issue 24, nine "
        "languages; issue 13's 80 MB was for two)"
    )


if __name__ == "__main__":
    main()
