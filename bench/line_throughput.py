"""LINE throughput: signed text webhooks to POST /line/webhook at concurrency 16, for our bot
(`iombot run line`, state in SQLite, the default) and for a bare line-bot-sdk echo app, both
replying through the same fake LINE Messaging API on loopback, in one run.

Each bot runs in its own subprocess (so CPU time and resident memory are its own, read from
/proc); runs are interleaved (ours, bare, ours, bare, …) so that machine noise hits both alike.
Each run sends N webhooks, one text event each, from N distinct users with unique reply tokens,
and times until the fake has recorded N successful replies to those tokens. The bare app is the
SDK's async echo: WebhookParser, then AsyncMessagingApi.reply_message with the same text, in a
background task after acking at once (as ours does).

Distinct users are the hard case for ours: English text makes it ask LINE for each user's
profile (its language), a second API call per event that the echo never makes. A second figure,
not the target, runs ours again on the same number of webhooks from returning users (a pool of
N/8 + 1, each writing about 8 times, as people with a question do), where the profile is asked
once per user and then cached. The fake runs in this process: its share of those profile calls
counts against ours whenever the machine's two CPUs are busy with anything else.

Run: `python bench/line_throughput.py [--events 2000] [--rounds 3]`. Prints events/s, CPU
microseconds per event, resident memory, and the ratios ours/bare (median and best round).
Asserts nothing. The target and past figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from process_stats import Run, cpu_seconds, free_port, memory_mb

from iombot.testing.line import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    FakeLine,
    signed_headers,
    text_event,
    webhook_body,
)

BOTS = ("ours", "bare", "bare-session")
# bare-session: the bare app with the fix ours makes to the SDK's HTTP session (bots/line/client.py:
# no per-request look-up of ~/.netrc and the proxy variables), so that what is left of our own
# cost shows apart from that fix. A diagnostic: the target is against "bare".
RETURNING = "ours-ret"  # ours again, the webhooks from returning users: the second figure
MESSAGES_PER_USER = 8
CONCURRENCY = 16
TARGET = 0.9
QUESTIONS = [
    "/contact",
    "what is your phone number?",
    "電話番号を教えてください",
    "/history",
    "when did IOM join the UN",
    "who is the director general",
    "/help",
    "/start",
]


def command(bot: str, api_url: str, port: int, data_dir: str) -> tuple[list[str], dict[str, str]]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "SLACK_", "LINE_", "IOMBOT_"))
    }
    if bot == "ours":
        env.update(
            LINE_CHANNEL_SECRET=CHANNEL_SECRET,
            LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
            LINE_API_URL=api_url,
            HOST="127.0.0.1",
            PORT=str(port),
            IOMBOT_DATA_DIR=data_dir,  # the default state, a SQLite file there: a new one per run
        )
        return [str(Path(sys.executable).parent / "iombot"), "run", "line"], env
    return [sys.executable, __file__, "--echo-app", str(port), api_url, bot], env


# --- the load, and counting the replies the fake recorded ---------------------------------------


class Replies:
    """Counts the fake's successful replies to a set of reply tokens, looking at each recorded
    call once (a call is recorded before it is answered: it waits in `pending` until then)."""

    def __init__(self, fake: FakeLine, tokens: set[str]):
        self.fake = fake
        self.tokens = tokens
        self.seen = len(fake.calls)
        self.pending: list = []
        self.ok = 0
        self.failed = 0

    def count(self) -> int:
        calls = self.fake.calls
        self.pending.extend(calls[self.seen :])
        self.seen = len(calls)
        waiting = []
        for call in self.pending:
            if call.method != "reply":
                continue
            if call.status == 0:
                waiting.append(call)
            elif isinstance(call.body, dict) and call.body.get("replyToken") in self.tokens:
                if call.status == 200:
                    self.ok += 1
                else:
                    self.failed += 1
        self.pending = waiting
        return self.ok


def returning_users(events: int) -> int:
    """The pool for the returning-users figure: each user writes about MESSAGES_PER_USER times
    (one more than a multiple of 8, so that a user's messages are not all one question)."""
    return events // MESSAGES_PER_USER + 1


def webhooks(
    events: int, first_user: int, users: int | None = None
) -> tuple[list[tuple[bytes, dict]], set[str]]:
    """N signed webhook requests, one text event each, from distinct users (or, given `users`,
    from that many users in turn); their reply tokens."""
    requests, tokens = [], set()
    for n in range(events):
        token = uuid.uuid4().hex
        user = f"U{first_user + (n % users if users else n):032x}"
        body = webhook_body(
            text_event(QUESTIONS[n % len(QUESTIONS)], user_id=user, reply_token=token)
        )
        requests.append((body, signed_headers(body, CHANNEL_SECRET)))
        tokens.add(token)
    return requests, tokens


async def wait_healthy(http: aiohttp.ClientSession, base: str, process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"exited with {process.returncode} before answering /healthz")
        try:
            async with http.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no 200 from {base}/healthz in {timeout:g} s")


async def one_run(
    fake: FakeLine, bot: str, events: int, first_user: int, users: int | None = None
) -> Run:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data_dir = tempfile.mkdtemp(prefix="iombot-bench-line-")
    requests, tokens = webhooks(events, first_user, users)
    args, env = command(bot, fake.url, port, data_dir)
    with open(Path(data_dir) / "stderr.log", "wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *args, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
        )
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            try:
                await wait_healthy(http, base, process, 60)
            except RuntimeError as error:
                tail = (Path(data_dir) / "stderr.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{bot}: {error}\n{tail}") from None
            await asyncio.sleep(0.3)  # let start-up settle
            replies = Replies(fake, tokens)
            refused = 0
            gate = asyncio.Semaphore(CONCURRENCY)

            async def post(body: bytes, headers: dict) -> None:
                nonlocal refused
                async with gate, http.post(f"{base}/line/webhook", data=body, headers=headers) as r:
                    await r.read()
                    refused += r.status != 200

            cpu_before = cpu_seconds(process.pid)
            started = time.perf_counter()
            sending = asyncio.gather(*(post(body, headers) for body, headers in requests))
            deadline = time.monotonic() + 300
            while replies.count() < events and time.monotonic() < deadline:
                if sending.done() and sending.exception() is not None:
                    break
                await asyncio.sleep(0.002)
            seconds = time.perf_counter() - started
            cpu = cpu_seconds(process.pid) - cpu_before
            rss, peak = memory_mb(process.pid)
            await sending
            if replies.ok < events:
                raise RuntimeError(
                    f"{bot}: {replies.ok} of {events} replies ({replies.failed} refused by the "
                    f"fake, {refused} webhooks not acked with 200)"
                )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 15)
        shutil.rmtree(data_dir, ignore_errors=True)
    return Run(RETURNING if users else bot, seconds, cpu, rss, peak, events)


def report(run: Run, label: str) -> None:
    print(
        f"{label} {run.bot:<8} {run.per_second:8.0f} events/s {run.cpu_us:7.0f} µs CPU/event  "
        f"RSS {run.rss_mb:5.1f} MB (peak {run.peak_rss_mb:5.1f})",
        flush=True,
    )


async def bench(events: int, rounds: int) -> None:
    fake = FakeLine()
    await fake.start()
    runs: list[Run] = []
    user = 1
    users = returning_users(events)
    ratios: dict[str, list[tuple[float, float]]] = {"ours": [], RETURNING: []}
    try:
        for round_number in range(1, rounds + 1):
            mine = {}
            for bot in BOTS:
                mine[bot] = await one_run(fake, bot, events, user)
                user += events
            mine[RETURNING] = await one_run(fake, "ours", events, user, users)
            user += users
            for run in mine.values():
                runs.append(run)
                report(run, f"round {round_number}")
            bare = mine["bare"]
            for name in ratios:
                ours = mine[name]
                ratios[name].append((ours.per_second / bare.per_second, ours.cpu_us / bare.cpu_us))
                print(
                    f"round {round_number} {name}/bare throughput ratio "
                    f"{ratios[name][-1][0]:.2f}  CPU/event ratio {ratios[name][-1][1]:.2f}",
                    flush=True,
                )
    finally:
        await fake.stop()
    throughput, cpu = {}, {}
    for bot in (*BOTS, RETURNING):
        mine = [r for r in runs if r.bot == bot]
        throughput[bot] = statistics.median(r.per_second for r in mine)
        cpu[bot] = statistics.median(r.cpu_us for r in mine)

    def summary(bot: str) -> None:
        mine = [r for r in runs if r.bot == bot]
        print(
            f"  {bot:<12} {throughput[bot]:8.0f} events/s {cpu[bot]:7.0f} µs CPU/event  "
            f"RSS {max(r.rss_mb for r in mine):5.1f} MB (peak {max(r.peak_rss_mb for r in mine):5.1f})"
        )

    def ratio_lines(name: str) -> float:
        ratio = throughput[name] / throughput["bare"]
        best = max(ratios[name])  # the round with the best throughput ratio
        print(
            f"  {name}/bare throughput ratio {ratio:.2f}  CPU/event ratio "
            f"{cpu[name] / cpu['bare']:.2f} (medians; the best round: {best[0]:.2f} and "
            f"{best[1]:.2f})"
        )
        return ratio

    print(
        f"\nmedians over {rounds} rounds of {events} signed text webhooks from distinct users, "
        f"concurrency {CONCURRENCY}:"
    )
    summary("ours")
    summary("bare")
    summary("bare-session")
    ratio = ratio_lines("ours")
    print(
        f"  (against bare-session, the bare app with ours' session fix: throughput ratio "
        f"{throughput['ours'] / throughput['bare-session']:.2f}, CPU/event ratio "
        f"{cpu['ours'] / cpu['bare-session']:.2f})"
    )
    print(
        f"target: throughput >= {TARGET}x the bare app ({'met' if ratio >= TARGET else 'not met'})"
    )
    print(
        f"\nsecond figure, not the target: the same number of webhooks from {users} returning "
        f"users (about {MESSAGES_PER_USER} each; ours asks each profile once), against the bare "
        "runs above:"
    )
    summary(RETURNING)
    ratio_lines(RETURNING)


# --- the baseline: line-bot-sdk's async echo, run as `--echo-app PORT URL` ---------------------


def run_echo_app(port: int, api_url: str, kind: str = "bare") -> None:
    """A bare aiohttp app with line-bot-sdk v3: parse and check the webhook, ack at once, echo
    each text message with the reply API in a background task (bare-session: on an HTTP session
    that does not trust the environment, as ours)."""
    from aiohttp import web
    from linebot.v3.exceptions import InvalidSignatureError
    from linebot.v3.messaging import (
        AsyncApiClient,
        AsyncMessagingApi,
        Configuration,
        ReplyMessageRequest,
        TextMessage,
    )
    from linebot.v3.webhook import WebhookParser
    from linebot.v3.webhooks import MessageEvent, TextMessageContent

    parser = WebhookParser(CHANNEL_SECRET)
    configuration = Configuration(host=api_url, access_token=ACCESS_TOKEN)
    tasks: set[asyncio.Task] = set()
    api: dict[str, AsyncMessagingApi] = {}

    async def echo(event: MessageEvent) -> None:
        await api["line"].reply_message(
            ReplyMessageRequest(
                reply_token=event.reply_token, messages=[TextMessage(text=event.message.text)]
            )
        )

    async def webhook(request: web.Request) -> web.Response:
        signature = request.headers.get("X-Line-Signature")
        if not signature:
            return web.Response(status=400, text="missing signature")
        body = await request.text()
        try:
            events = parser.parse(body, signature)
        except InvalidSignatureError:
            return web.Response(status=401, text="invalid signature")
        except Exception:
            return web.Response(status=400, text="malformed request")
        for event in events:
            if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
                task = asyncio.create_task(echo(event))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        return web.Response(text="OK")

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def client(_: web.Application):
        line = AsyncApiClient(configuration)
        if kind == "bare-session":
            await line.rest_client.pool_manager.close()
            line.rest_client.pool_manager = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=configuration.connection_pool_maxsize),
                trust_env=False,
            )
        api["line"] = AsyncMessagingApi(line)
        yield
        if tasks:
            await asyncio.wait(list(tasks), timeout=5)
        await line.close()

    app = web.Application()
    app.router.add_post("/line/webhook", webhook)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(client)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--echo-app", nargs=3, metavar=("PORT", "URL", "KIND"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.echo_app:
        run_echo_app(int(args.echo_app[0]), args.echo_app[1], args.echo_app[2])
        return
    asyncio.run(bench(args.events, args.rounds))


if __name__ == "__main__":
    main()
