"""Durable, shared state, with the installed `iombot run slack` as real processes: a /lang choice
survives a restart (SQLite by default, and Redis); two replicas sharing one store (a SQLite file,
or a real redis-server) answer a retried event once and share language choices; Redis lost while
running; and the start-up errors."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from iombot.core.content import load_content
from iombot.testing.redis_server import RedisServer
from iombot.testing.slack import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    command_body,
    event_payload,
    mention,
    signed_headers,
)

from testsupport import ADAPTER_CONTENT, free_port, installed_iombot

pytestmark = pytest.mark.e2e

TITLES = {
    lang: load_content(ADAPTER_CONTENT).by_command()["contact"].text(lang).title
    for lang in ("en", "ja")
}


def environment(**values: str) -> dict[str, str]:
    import os

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "IOMBOT_"))
    }
    env.update(IOMBOT_CONTENT_DIR=str(ADAPTER_CONTENT), **values)
    return env


@dataclass
class Replica:
    """One `iombot run slack` process."""

    fake: FakeSlack
    cwd: Path
    extra: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    stderr: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Replica:
        env = environment(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=self.fake.api_url,
            PORT=str(self.port),
            HOST="127.0.0.1",
            **self.extra,
        )
        self.process = await asyncio.create_subprocess_exec(
            installed_iombot(),
            "run",
            "slack",
            cwd=self.cwd,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        async with aiohttp.ClientSession() as http:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(await self.stop())
                try:
                    async with http.get(f"{self.base}/healthz") as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientConnectionError:
                    pass
                assert time.monotonic() < deadline, "the replica did not come up"
                await asyncio.sleep(0.05)

    async def stop(self) -> str:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(self.process.communicate(), 15)
        self.stderr = err.decode()
        return self.stderr

    async def post(self, body: str, **headers: str) -> tuple[int, dict | None]:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{self.base}/slack/events", data=body, headers={**signed_headers(body), **headers}
            ) as response,
        ):
            text = await response.text()
            return response.status, json.loads(text) if text else None

    async def command(self, text: str, user: str = "U1") -> dict:
        status, body = await self.post(command_body(text, self.fake.response_url(), user_id=user))
        assert status == 200 and body is not None
        return body

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.base}{path}") as response:
            return response.status, await response.text()


def header(body: dict) -> str:
    return body["blocks"][0]["text"]["text"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@asynccontextmanager
async def replicas(*members: Replica) -> AsyncIterator[tuple[Replica, ...]]:
    started = []
    try:
        for member in members:
            started.append(await member.start())
        yield members
    finally:
        for member in started:
            if member.process and member.process.returncode is None:
                await member.stop()


@pytest.mark.parametrize("store", ["sqlite-default", "redis"])
async def test_a_language_choice_survives_a_restart(fake, tmp_path, redis_server, store):
    extra = {"IOMBOT_STATE_URL": redis_server.url} if store == "redis" else {}
    async with replicas(Replica(fake, tmp_path, extra)) as (first,):
        assert (await first.command("lang ja"))["text"]
        assert header(await first.command("contact")) == TITLES["ja"]
    if store == "sqlite-default":
        assert (tmp_path / "data" / "state.db").is_file()  # ./data/state.db, the default
    async with replicas(Replica(fake, tmp_path, extra)) as (again,):
        assert header(await again.command("contact")) == TITLES["ja"]  # asked in English
        assert header(await again.command("contact", user="U2")) == TITLES["en"]


@pytest.mark.parametrize("store", ["sqlite-file", "redis"])
async def test_two_replicas_share_choices_and_answer_a_retried_event_once(
    fake, tmp_path, redis_server, store
):
    url = redis_server.url if store == "redis" else f"sqlite:///{tmp_path / 'shared.db'}"
    a = Replica(fake, tmp_path, {"IOMBOT_STATE_URL": url})
    b = Replica(fake, tmp_path, {"IOMBOT_STATE_URL": url})
    async with replicas(a, b):
        await a.command("lang ja", user="UREPLICA")
        assert header(await b.command("contact", user="UREPLICA")) == TITLES["ja"]
        body = json.dumps(event_payload(mention("contact", ts="1700000000.000777"), "EvShared"))
        assert (await a.post(body))[0] == 200
        assert (
            await b.post(body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        )[0] == 200
        await fake.wait_for("chat.postMessage", 1)
        await asyncio.sleep(0.5)  # time for a second answer, were there one
        posted = [
            c
            for c in fake.calls_to("chat.postMessage")
            if c.args.get("thread_ts") == "1700000000.000777"
        ]
        assert len(posted) == 1
        # The flood budget is shared too: 20 a minute per user, whichever replica counts.
        for n in range(20):
            await (a if n % 2 else b).command("contact", user="UFLOOD")
        notice = await a.command("contact", user="UFLOOD")
        assert "sending messages very quickly" in notice["text"]


async def test_redis_lost_while_running_then_back(fake, tmp_path):
    with RedisServer(password="lost-and-found") as redis_server:
        await redis_lost_and_back(fake, tmp_path, redis_server)


async def redis_lost_and_back(fake, tmp_path, redis_server):
    async with replicas(Replica(fake, tmp_path, {"IOMBOT_STATE_URL": redis_server.url})) as (bot,):
        await bot.command("lang ja", user="UKEEP")
        redis_server.stop()
        # Still answering: Japanese was also kept in memory; a user not seen here gets the default.
        assert header(await bot.command("contact", user="UKEEP")) == TITLES["ja"]
        assert header(await bot.command("contact", user="UNEW")) == TITLES["en"]
        status, text = await bot.get("/healthz")
        report = json.loads(text)
        assert status == 200 and report["status"] == "degraded"
        assert report["state"]["up"] is False and report["state"]["backend"] == "redis"
        _, metrics = await bot.get("/metrics")
        errors = float(
            next(
                x for x in metrics.splitlines() if x.startswith("iombot_state_errors_total")
            ).split()[-1]
        )
        assert errors >= 1
        redis_server.start()
        deadline = time.monotonic() + 10
        while True:  # the store is tried again after a short pause, on the next call
            await bot.command("contact", user="UNEW")
            report = json.loads((await bot.get("/healthz"))[1])
            if report["state"]["up"]:
                break
            assert time.monotonic() < deadline, report
            await asyncio.sleep(0.3)
        assert report["status"] == "ok"
        await bot.command("lang ja", user="UAFTER")  # written to Redis again
    log = bot.stderr
    assert log.count("failed (") == 1 and "is back" in log  # logged once per outage
    assert "lost-and-found" not in log


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "redis://:the-password@127.0.0.1:{port}/0",
            "IOMBOT_STATE_URL: cannot reach Redis at 127.0.0.1",
        ),
        ("sqlite:///{blocked}/state.db", "cannot open the state file {blocked}/state.db"),
        ("sqlite:///{garbage}", "cannot use the state file {garbage}: file is not a database"),
    ],
    ids=["redis-unreachable", "sqlite-not-writable", "sqlite-not-a-database"],
)
async def test_a_store_that_cannot_be_used_stops_start_up_with_exit_2(
    fake, tmp_path, url, expected
):
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    garbage = tmp_path / "garbage.db"
    garbage.write_text("not a database\n" * 200)
    values = {"port": free_port(), "blocked": blocked, "garbage": garbage}
    replica = Replica(fake, tmp_path, {"IOMBOT_STATE_URL": url.format(**values)})
    with pytest.raises(AssertionError) as failed:
        await replica.start()
    assert replica.process is not None and replica.process.returncode == 2
    assert expected.format(**values) in str(failed.value)
    assert "the-password" not in str(failed.value)


async def test_redis_refusing_the_password_stops_start_up(fake, tmp_path):
    with RedisServer(password="right-password") as server:
        url = server.url.replace("right-password", "wrong-password")
        replica = Replica(fake, tmp_path, {"IOMBOT_STATE_URL": url})
        with pytest.raises(AssertionError) as failed:
            await replica.start()
    assert replica.process is not None and replica.process.returncode == 2
    message = str(failed.value)
    assert (
        "IOMBOT_STATE_URL: Redis at 127.0.0.1" in message and "refused the credentials" in message
    )
    assert "wrong-password" not in message and "right-password" not in message
