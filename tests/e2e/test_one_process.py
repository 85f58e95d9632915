"""`iombot run` with both platforms configured: one process, one HTTP server, both adapters up,
settings problems listed together, secrets never printed, and a clean exit on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from iombot.testing.background import BackgroundLoop
from iombot.testing.slack import FakeSlack
from iombot.testing.telegram import FakeBotApi

from testsupport import ADAPTER_CONTENT, free_port, installed_iombot, wait_healthy

pytestmark = pytest.mark.e2e

TOKEN = "123456:E2E_secret_token_abcdefghijklmnop"
SLACK_TOKEN = "xoxb-e2e-secret-slack-token"
SIGNING_SECRET = "e2e-signing-secret-value"


def clean_env(**values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "SLACK_", "IOMBOT_", "PORT", "HOST"))
    }
    env.update(values)
    return env


@pytest.fixture
def fakes():
    """The fake Bot API and the fake Slack, served from a thread while the test blocks."""
    with BackgroundLoop() as loop:
        telegram, slack = loop.call(FakeBotApi, TOKEN), loop.call(FakeSlack)
        loop.run(telegram.start())
        loop.run(slack.start())
        try:
            yield telegram, slack
        finally:
            loop.run(telegram.stop())
            loop.run(slack.stop())


def test_both_adapters_in_one_process_and_sigterm_exits_zero(fakes, tmp_path):
    telegram, slack = fakes
    port = free_port()
    env = clean_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram.url,
        TELEGRAM_RATE_LIMIT="0",
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        IOMBOT_CONTENT_DIR=str(ADAPTER_CONTENT),
        PORT=str(port),
        HOST="127.0.0.1",
        LOG_LEVEL="DEBUG",
        LOG_FORMAT="json",
    )
    process = subprocess.Popen(
        [installed_iombot(), "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        report = wait_healthy(process, port)
        assert report.get("status") == "ok", report
        assert set(report["adapters"]) == {"telegram", "slack"}
        assert all(state["up"] for state in report["adapters"].values())
        assert telegram.sent("getMe") and slack.calls_to("auth.test")  # each token was checked
        healthcheck = subprocess.run(
            [installed_iombot(), "healthcheck"], env=env, capture_output=True, text=True, timeout=10
        )
        assert healthcheck.returncode == 0, healthcheck.stderr
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert time.monotonic() - started < 10
    output = stdout + stderr + healthcheck.stdout + healthcheck.stderr
    for secret in (TOKEN, SLACK_TOKEN, SIGNING_SECRET):
        assert secret not in output
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and all(json.loads(line)["level"] for line in lines)  # one JSON object a line


def test_healthcheck_fails_when_nothing_listens(tmp_path):
    result = subprocess.run(
        [installed_iombot(), "healthcheck"],
        cwd=tmp_path,
        env=clean_env(PORT=str(free_port())),
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 1
    assert "unhealthy" in result.stderr


def test_nothing_configured_names_the_variables_and_exits_2(tmp_path):
    result = subprocess.run(
        [installed_iombot(), "run"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "SLACK_BOT_TOKEN" in result.stderr


def test_every_settings_problem_in_one_message(tmp_path):
    result = subprocess.run(
        [installed_iombot(), "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=20,
        env=clean_env(TELEGRAM_BOT_TOKEN="not-a-token", PORT="http", LOG_FORMAT="xml"),
    )
    assert result.returncode == 2
    for variable in ("TELEGRAM_BOT_TOKEN:", "PORT:", "LOG_FORMAT:"):
        assert variable in result.stderr
    assert "not-a-token" not in result.stderr
