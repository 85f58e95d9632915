"""Web chat throughput and idle memory: `iombot run webchat` (state in SQLite, the default)
against a bare aiohttp WebSocket echo server, each in its own subprocess on loopback.

Throughput: 200 sessions at once, each a WebSocket that says hello (ours: the session and the
welcome) and then asks one question at a time, waiting for its reply, M questions each; timed
from the first question to the last reply. The echo server sends each text frame back, which is
all a WebSocket server can do with no work: the ratio says what the bot's work costs. A second
floor, "answering", answers each message with the core and sends the rendered reply and does
nothing else: ours against it says what the web chat adds (sessions, the conversation kept,
flood limits, metrics). Runs are interleaved (ours, bare, answering, ours, …) so that machine
noise hits all alike; the clients run in this process, the same for all.

Idle memory: 2,000 sessions opened on ours (hello, the welcome read), left open and idle; the
server's resident memory before and after, settled.

Run: `python bench/webchat_throughput.py [--sessions 200] [--questions 15] [--rounds 3]
[--idle 2000]`. Prints messages/s, CPU µs per message, resident memory, the ratio ours/bare
(median and best round), the ratio ours/answering, and the idle sessions' memory. Asserts nothing. The targets (issue 25:
at least 0.8 of the echo's messages/s; 2,000 idle sessions under 40 MB) and past figures:
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from process_stats import Run, answers_health, cpu_seconds, free_port, memory_mb

TARGET_RATIO = 0.8
TARGET_IDLE_MB = 40.0
QUESTIONS = [
    "/contact",
    "what is your phone number?",
    "電話番号は？",
    "who is the chief of mission?",
    "When did IOM start working in Japan?",
    "what does IOM Tokyo do?",
    "IOMとは何ですか",
    "/about",
]
ECHO = """
import sys
from aiohttp import web, WSMsgType

async def socket(request):
    ws = web.WebSocketResponse(max_msg_size=16 * 1024)
    await ws.prepare(request)
    async for frame in ws:
        if frame.type == WSMsgType.TEXT:
            await ws.send_str(frame.data)
    return ws

app = web.Application()
app.router.add_get("/chat/ws", socket)
app.router.add_get("/healthz", lambda request: web.Response(text="ok"))
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""
# A second floor: the same WebSocket server answering each message with the core and sending
# the rendered reply, as the web chat's page reads it, and nothing else (no session, no state, no
# conversation kept, no flood limit, no metrics): ours against it is what the web chat adds.
ANSWERING = """
import json, sys
from aiohttp import web, WSMsgType
from iombot.bots.webchat.render import rendered
from iombot.core.answerer import Answerer
from iombot.core.content import default_content_dir, load_content
from iombot.core.reply import Query

answerer = Answerer(load_content(default_content_dir()))

async def socket(request):
    ws = web.WebSocketResponse(max_msg_size=16 * 1024)
    await ws.prepare(request)
    user = str(id(ws))
    async for frame in ws:
        if frame.type == WSMsgType.TEXT:
            text = json.loads(frame.data).get("text", "")
            reply = answerer.answer(Query(text=text, user_id=user, platform="webchat"))
            entry = rendered(reply)[1]
            await ws.send_str('{"type":"entry","entry":{"from":"bot","reply":' + entry + "}}")
    return ws

app = web.Application()
app.router.add_get("/chat/ws", socket)
app.router.add_get("/healthz", lambda request: web.Response(text="ok"))
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""
FLOORS = {"bare": ECHO, "answering": ANSWERING}


def start(bot: str, port: int, folder: Path) -> subprocess.Popen:
    if bot in FLOORS:
        command = [sys.executable, "-c", FLOORS[bot], str(port)]
        env = dict(os.environ)
    else:
        command = [str(Path(sys.executable).parent / "iombot"), "run", "webchat"]
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "SLACK_", "LINE_", "WEBCHAT_", "IOMBOT_"))
        }
        env.update(
            PORT=str(port),
            HOST="127.0.0.1",
            IOMBOT_DATA_DIR=str(folder),
            LOG_LEVEL="WARNING",
            # The bench's clients all come from one address: its limit is not what is measured.
            WEBCHAT_ADDRESS_LIMIT="100000",
        )
    process = subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.DEVNULL)
    if answers_health(port, 60):
        return process
    process.kill()
    raise SystemExit(f"{bot} did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


class Client:
    """One page: hello, then questions one at a time."""

    def __init__(self, http: aiohttp.ClientSession, url: str, bot: str):
        self.http, self.url, self.bot = http, url, bot
        self.socket: aiohttp.ClientWebSocketResponse | None = None

    async def open(self) -> None:
        origin = self.url.split("/chat")[0].replace("ws:", "http:")
        self.socket = await self.http.ws_connect(self.url, headers={"Origin": origin})
        if self.bot == "ours":
            await self.socket.send_str(json.dumps({"type": "hello", "session": None}))
            await self._receive(lambda data: data.get("type") == "session")
            await self._receive(self._bot_entry)  # the welcome

    async def ask(self, text: str) -> None:
        assert self.socket is not None
        await self.socket.send_str(json.dumps({"type": "message", "text": text}))
        if self.bot == "bare":
            await self._receive(lambda data: True)
        else:
            await self._receive(self._bot_entry)

    @staticmethod
    def _bot_entry(data: dict) -> bool:
        return data.get("type") == "entry" and data["entry"].get("from") == "bot"

    async def _receive(self, wanted) -> None:
        assert self.socket is not None
        while True:
            frame = await self.socket.receive(timeout=60)
            if frame.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"socket closed: {frame.type}")
            if wanted(json.loads(frame.data)):
                return

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


async def throughput(bot: str, port: int, pid: int, sessions: int, questions: int) -> Run:
    url = f"ws://127.0.0.1:{port}/chat/ws"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        clients = [Client(http, url, bot) for _ in range(sessions)]
        await asyncio.gather(*(client.open() for client in clients))
        cpu_before = cpu_seconds(pid)
        started = time.perf_counter()

        async def converse(n: int, client: Client) -> None:
            for k in range(questions):
                await client.ask(QUESTIONS[(n + k) % len(QUESTIONS)])

        await asyncio.gather(*(converse(n, c) for n, c in enumerate(clients)))
        seconds = time.perf_counter() - started
        cpu = cpu_seconds(pid) - cpu_before
        rss, peak = memory_mb(pid)
        await asyncio.gather(*(client.close() for client in clients))
    return Run(bot, seconds, cpu, rss, peak, sessions * questions)


async def idle_memory(port: int, pid: int, sessions: int) -> tuple[float, float]:
    """Resident memory before and after `sessions` pages are opened and left idle."""
    await asyncio.sleep(1.0)
    before, _ = memory_mb(pid)
    url = f"ws://127.0.0.1:{port}/chat/ws"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        clients = [Client(http, url, "ours") for _ in range(sessions)]
        for start in range(0, sessions, 100):  # opened 100 at a time, as visitors come
            await asyncio.gather(*(c.open() for c in clients[start : start + 100]))
        await asyncio.sleep(2.0)
        after, _ = memory_mb(pid)
        await asyncio.gather(*(client.close() for client in clients))
    return before, after


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument(
        "--questions", type=int, default=15, help="per session (the flood limit is 20 a minute)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=int, default=2000)
    args = parser.parse_args()
    raise_file_limit(args.idle * 2 + 256)
    runs: dict[str, list[Run]] = {"ours": [], "bare": [], "answering": []}
    with tempfile.TemporaryDirectory(prefix="webchat-bench-") as temp:
        for round_ in range(args.rounds):
            for bot in runs:
                folder = Path(temp) / f"{bot}-{round_}"
                folder.mkdir()
                port = free_port()
                process = start(bot, port, folder)
                try:
                    run = asyncio.run(
                        throughput(bot, port, process.pid, args.sessions, args.questions)
                    )
                finally:
                    stop(process)
                runs[bot].append(run)
                print(
                    f"round {round_ + 1} {bot:9} {run.per_second:8.0f} messages/s "
                    f"{run.cpu_us:7.0f} µs CPU/message  {run.rss_mb:5.1f} MB resident",
                    flush=True,
                )
        folder = Path(temp) / "idle"
        folder.mkdir()
        port = free_port()
        process = start("ours", port, folder)
        try:
            before, after = asyncio.run(idle_memory(port, process.pid, args.idle))
        finally:
            stop(process)
    ours = [r.per_second for r in runs["ours"]]
    bare = [r.per_second for r in runs["bare"]]
    answering = [r.per_second for r in runs["answering"]]
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    to_answering = [o / a for o, a in zip(ours, answering, strict=True)]
    print(
        f"\n{args.sessions} sessions x {args.questions} questions: ours "
        f"{statistics.median(ours):.0f} messages/s, bare echo {statistics.median(bare):.0f}/s; "
        f"ratio median {statistics.median(ratios):.2f}, best {max(ratios):.2f} "
        f"(target >= {TARGET_RATIO})"
    )
    print(
        f"against the echo that answers with the core ({statistics.median(answering):.0f}/s): "
        f"ratio median {statistics.median(to_answering):.2f}, best {max(to_answering):.2f} "
        "(what the web chat adds to answering)"
    )
    print(
        f"{args.idle} idle sessions: {before:.1f} -> {after:.1f} MB resident, "
        f"+{after - before:.1f} MB ({(after - before) * 1024 / args.idle:.1f} KB each; "
        f"target < {TARGET_IDLE_MB:.0f} MB)"
    )


if __name__ == "__main__":
    main()
