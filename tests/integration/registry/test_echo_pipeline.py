"""A fourth platform gets the whole conversation from the pipeline (bots/pipeline.py): the echo
platform (echo_platform.py, defined outside bots/, with no code for any of it) under serve()
beside Slack as the staff desk, with the fake Slack on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import ClientSession
from both_platforms import CHANNEL, staff_reply
from echo_platform import ECHO, INBOX, EchoSettings

from iombot.bots.handoff import HandoffSettings
from iombot.bots.service import serve
from iombot.bots.settings import Secret, Settings
from iombot.bots.slack import PLATFORM as SLACK
from iombot.bots.slack.settings import SlackSettings
from iombot.testing.slack import BOT_TOKEN, SECRET, FakeSlack, event_payload, signed_headers

from testsupport import ADAPTER_CONTENT, free_port

TOKEN = "echo-pipeline-token"


class Echo:
    def __init__(self, http: ClientSession, base: str, services) -> None:
        self.http = http
        self.base = base
        self.services = services

    async def say(self, user: str, text: str = "", **more) -> list[dict]:
        body = {"user": user, "text": text, **more}
        async with self.http.post(
            f"{self.base}/echo", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as response:
            assert response.status == 200
            return (await response.json())["replies"]

    async def metrics(self) -> str:
        async with self.http.get(f"{self.base}/metrics") as response:
            return await response.text()

    async def slack_event(self, event: dict, event_id: str) -> int:
        body = json.dumps(event_payload(event, event_id))
        async with self.http.post(
            f"{self.base}/slack/events", data=body, headers=signed_headers(body)
        ) as response:
            return response.status


@contextlib.asynccontextmanager
async def running_echo(slack: FakeSlack) -> AsyncIterator[Echo]:
    settings = Settings(
        content_dir=ADAPTER_CONTENT,
        state_url=Secret("memory://"),
        host="127.0.0.1",
        port=free_port(),
        reload_seconds=60,
        platforms={
            "echo": EchoSettings(Secret(TOKEN)),
            "slack": SlackSettings(
                bot_token=Secret(BOT_TOKEN), signing_secret=Secret(SECRET), api_url=slack.api_url
            ),
        },
        handoff=HandoffSettings(channel=CHANNEL),
    )
    adapters: list = []

    def keep(make):
        def made(services, options):
            adapters.append(make(services, options))
            return adapters[-1]

        return made

    registry = [
        ECHO.__class__(**{**ECHO.__dict__, "make_adapter": keep(ECHO.make_adapter)}),
        SLACK.__class__(**{**SLACK.__dict__, "make_adapter": keep(SLACK.make_adapter)}),
    ]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, registry, stop, registry=registry))
    for _ in range(300):
        if task.done() or (len(adapters) == 2 and all(a.health()["up"] for a in adapters)):
            break
        await asyncio.sleep(0.02)
    assert not task.done(), task.result()
    async with ClientSession() as http:
        try:
            yield Echo(http, f"http://127.0.0.1:{settings.port}", adapters[0].pipeline.services)
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 15) == 0


async def test_the_echo_platform_gets_the_conversation_from_the_pipeline(slack):
    INBOX.clear()
    async with running_echo(slack) as echo:
        # Answering, with the feedback buttons, counted in the metrics.
        [answer] = await echo.say("u1", "/contact", event_id="ev-1")
        assert answer["kind"] == "topic" and answer["topic"] == "contact"
        assert "fb:up:contact:en" in answer["buttons"]
        # Dedupe: the same event again (a redelivery) gets nothing.
        assert await echo.say("u1", "/contact", event_id="ev-1") == []
        metrics = await echo.metrics()
        assert (
            'iombot_questions_total{language="en",platform="echo",topic="contact"} 1.0' in metrics
        )

        # A vote is filed, thanked and counted.
        [thanks] = await echo.say("u1", action="fb:up:contact:en")
        assert thanks["kind"] == "thanks"
        metrics = await echo.metrics()
        assert 'iombot_feedback_total{language="en",platform="echo",vote="up"} 1.0' in metrics

        # A question without an answer offers a person, and goes to the question log.
        [unsure] = await echo.say("u1", "zxcvq qwrty plmkn?")
        assert unsure["kind"] == "suggestions" and unsure["buttons"][0] == "staff:ask"
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        report = await echo.services.report(today)
        assert [u.text for u in report.unanswered] == ["zxcvq qwrty plmkn?"]

        # Asking a person: a ticket in the staff channel in Slack, and the reply comes back.
        [consent] = await echo.say("u1", action="staff:ask")
        assert "staff:cancel" in consent["buttons"]
        [sent] = await echo.say("u1", "Where do I renew my visa?")
        assert "#1" in sent["text"]
        tickets = [
            c
            for c in slack.calls_to("chat.postMessage")
            if c.args.get("channel") == CHANNEL and not c.args.get("thread_ts")
        ]
        assert len(tickets) == 1 and "renew my visa" in json.dumps(tickets[0].args)
        thread = tickets[0].result["ts"]
        reply = staff_reply("At the immigration bureau.", thread, "1800000000.000001")
        assert await echo.slack_event(reply, "EvS1") == 200
        for _ in range(100):
            if INBOX.get("u1"):
                break
            await asyncio.sleep(0.02)
        assert "At the immigration bureau." in INBOX["u1"][0]["text"]

        # The flood limit: 20 a minute, then one notice, then silence.
        replies = [await echo.say("u2", "/about") for _ in range(22)]
        assert all(r and r[0]["kind"] == "topic" for r in replies[:20])
        assert "quickly" in replies[20][0]["text"] and replies[21] == []
