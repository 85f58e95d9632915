"""The installed `iombot run slack` as a subprocess, against a fake Slack on loopback: a signed
/iom contact gets the contact answer, and SIGTERM stops it with exit status 0."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import aiohttp
import pytest

from iombot.core.content import load_content
from iombot.testing.slack import BOT_TOKEN, SECRET, FakeSlack, command_body, signed_headers

from testsupport import ADAPTER_CONTENT, free_port, installed_iombot

pytestmark = pytest.mark.e2e

CONTACT_EN = load_content(ADAPTER_CONTENT).by_command()["contact"].text("en").title
PHONE_LINK = "<tel:+81355550123|03-5555-0123>"  # the fixture's made-up number


def environment(**values: str) -> dict[str, str]:
    """This environment without platform or iombot settings, serving the fixture content."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "IOMBOT_"))
    }
    env.update(IOMBOT_CONTENT_DIR=str(ADAPTER_CONTENT), **values)
    return env


async def test_missing_signing_secret_stops_start_up_with_a_clear_message(tmp_path):
    process = await asyncio.create_subprocess_exec(
        installed_iombot(),
        "run",
        "slack",
        cwd=tmp_path,
        env=environment(SLACK_BOT_TOKEN=BOT_TOKEN, PORT=str(free_port())),
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    assert "SLACK_SIGNING_SECRET: required in HTTP mode" in stderr.decode()
    assert BOT_TOKEN not in stderr.decode()


@pytest.mark.parametrize("command", [["run", "slack"], ["run"]], ids=["run-slack", "run"])
async def test_iombot_run_slack_answers_a_signed_command_and_stops_on_sigterm(tmp_path, command):
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    env = environment(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        PORT=str(port),
        HOST="127.0.0.1",
        LOG_FORMAT="json",
    )
    process = await asyncio.create_subprocess_exec(
        installed_iombot(),
        *command,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            deadline = time.monotonic() + 20
            while True:
                assert process.returncode is None, await process.stderr.read()  # type: ignore[union-attr]
                try:
                    async with http.get(f"{base}/healthz") as response:
                        if response.status == 200:
                            report = await response.json()
                            break
                except aiohttp.ClientConnectionError:
                    pass
                assert time.monotonic() < deadline, "the service did not come up"
                await asyncio.sleep(0.1)
            assert report["adapters"]["slack"] == {**report["adapters"]["slack"], "up": True}
            assert fake.calls_to("auth.test")  # the token was checked at start

            body = command_body("contact", fake.response_url())
            async with http.post(
                f"{base}/slack/events", data=body, headers=signed_headers(body)
            ) as response:
                assert response.status == 200
                answer = await response.json()
            assert answer["response_type"] == "ephemeral"
            assert answer["blocks"][0]["text"]["text"] == CONTACT_EN
            assert PHONE_LINK in answer["text"]

            async with http.post(
                f"{base}/slack/events", data=body, headers=signed_headers(body, "wrong")
            ) as response:
                assert response.status == 401

        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
        assert process.returncode == 0, stderr.decode()
        log = stderr.decode()
        assert BOT_TOKEN not in log and SECRET not in log
        assert '"platform": "slack"' in log
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()
