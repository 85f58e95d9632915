"""A platform is one folder (here: one module) plus one registration: `iombot run` serves an
extra platform defined in the tests, with its settings, secrets, routes and health, while the
wiring, the CLI and the settings name no platform."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

import iombot.bots

from testsupport import free_port

SCRIPT = Path(__file__).with_name("echo_platform.py")
TOKEN = "echo-SECRET-token-42"
FIXTURE_CONTENT = Path(__file__).parents[2] / "fixtures" / "good"


def start(*args: str, **env: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "IOMBOT_CONTENT_DIR": str(FIXTURE_CONTENT),
        "IOMBOT_STATE_URL": "memory://",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), *args],
        env=environment,
        cwd=SCRIPT.parent,  # no .env here
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, port


async def wait_healthy(port: int, process: subprocess.Popen) -> dict:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            assert process.poll() is None, process.communicate()[1]
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return await response.json()
            except aiohttp.ClientError:
                pass
            time.sleep(0.05)
    raise AssertionError("never healthy")


async def test_an_extra_platform_runs_through_iombot_run(tmp_path):
    process, port = start("run", ECHO_TOKEN=TOKEN, LOG_LEVEL="DEBUG")
    try:
        health = await wait_healthy(port, process)
        assert health["adapters"]["echo"]["up"] is True
        assert set(health["adapters"]) == {"echo"}  # telegram and slack are not configured
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/echo"
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with http.post(
                url, json={"user": "u1", "text": "/lang ja"}, headers=headers
            ) as r:
                assert (await r.json())["replies"][0]["language"] == "ja"
            async with http.post(url, json={"user": "u1", "text": "/alpha"}, headers=headers) as r:
                answer = (await r.json())["replies"][0]
            assert answer["kind"] == "topic" and answer["language"] == "ja"  # remembered
            async with http.post(url, json={"user": "u1", "text": "/alpha"}) as r:
                assert r.status == 403
            async with http.get(f"http://127.0.0.1:{port}/metrics") as r:
                metrics = await r.text()
            assert (
                'iombot_questions_total{language="ja",platform="echo",topic="alpha"} 1.0' in metrics
            )
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "answered" in stderr and "platform=echo" in stderr
    assert TOKEN not in stderr  # its secret is masked like the built-in platforms' secrets


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({}, ("run", "echo"), "echo is not configured: set ECHO_TOKEN"),
        ({"ECHO_TOKEN": "short"}, ("run", "echo"), "ECHO_TOKEN: must be at least 8 characters"),
        ({}, ("run",), "echo: set ECHO_TOKEN"),
    ],
    ids=["not-configured", "bad-setting", "nothing-configured"],
)
def test_the_extra_platform_s_settings_are_checked_and_named(env, args, expected):
    process, _ = start(*args, **env)
    _, stderr = process.communicate(timeout=15)
    assert process.returncode == 2
    assert expected in stderr


def test_wiring_cli_and_settings_name_no_platform():
    bots = Path(iombot.bots.__file__).resolve().parent
    for module in ("service.py", "cli.py", "settings.py", "shared.py", "logs.py", "env.py"):
        source = (bots / module).read_text(encoding="utf-8").lower()
        assert "telegram" not in source and "slack" not in source, module
