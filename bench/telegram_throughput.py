"""Telegram throughput: our bot against a bare python-telegram-bot echo bot, both long polling
the same fake Bot API server on loopback.

Each bot runs in its own subprocess (so resident memory is its own); runs are interleaved
(ours, echo, echo-concurrent, ours, …) so that machine noise hits every bot alike. Each run
queues N updates from N distinct users at once and times until N replies have arrived.
Prints updates/s, CPU microseconds per update, resident memory, and the ratios. Asserts nothing.

Our bot runs three times, with its state in SQLite (the default, `iombot`), in memory
(`iombot-memory`) and in a real redis-server on loopback (`iombot-redis`), so that the cost of
durable state per update is measured in the same run.

Run: `python bench/telegram_throughput.py [--updates 2000] [--rounds 3] [--latency-ms 0]
[--bots iombot iombot-memory iombot-redis echo echo-concurrent echo-aiohttp]`
The targets and past figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from process_stats import Run, cpu_seconds, free_port, memory_mb

from iombot.testing import telegram as tg
from iombot.testing.redis_server import RedisServer
from iombot.testing.telegram import FakeBotApi

TOKENS = {
    "iombot": "111111:BENCH_OURS_abcdefghijklmnopqrstuvwxyz",  # the default state: SQLite
    "iombot-memory": "444444:BENCH_MEMORY_abcdefghijklmnopqrstuvw",
    "iombot-redis": "555555:BENCH_REDIS_abcdefghijklmnopqrstuvwx",
    "echo": "222222:BENCH_ECHO_abcdefghijklmnopqrstuvwxyz",
    "echo-concurrent": "333333:BENCH_ECHO_CONCURRENT_abcdefghijklmn",
    # The echo bot on our HTTP client (bots/telegram/request.py): what is left of our own cost
    # once both bots send the same way.
    "echo-aiohttp": "666666:BENCH_ECHO_AIOHTTP_abcdefghijklmnopq",
}
QUESTIONS = [
    "/contact",
    "/start",
    "what is your phone number?",
    "電話番号を教えてください",
    "when did IOM join the UN",
    "/history",
    "who is the director general",
    "/help",
]
# Where each of our bots keeps its state (IOMBOT_STATE_URL); set in bench() for Redis.
STATE_URLS: dict[str, str] = {"iombot-memory": "memory://"}


def command(bot: str, url: str) -> tuple[list[str], dict[str, str]]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "IOMBOT_"))
    }
    if bot.startswith("iombot"):
        if bot in STATE_URLS:
            env["IOMBOT_STATE_URL"] = STATE_URLS[bot]
        else:  # the default, a SQLite file in the data folder: a new one per run
            env["IOMBOT_DATA_DIR"] = tempfile.mkdtemp(prefix="iombot-bench-")
        env.update(
            TELEGRAM_BOT_TOKEN=TOKENS[bot],
            TELEGRAM_API_URL=url,
            TELEGRAM_RATE_LIMIT="0",  # the outbound limiter would cap us at 30/s by design
            HOST="127.0.0.1",
            PORT=str(free_port()),
        )
        return [str(Path(sys.executable).parent / "iombot"), "run", "telegram"], env
    return [sys.executable, __file__, "--echo-bot", bot, url], env


async def one_run(fake: FakeBotApi, bot: str, updates: int, first_user: int) -> Run:
    token = TOKENS[bot]
    args, env = command(bot, fake.url)
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        polling = await fake.wait_for(lambda: fake.counts[token, "getUpdates"] > 0, 30)
        assert polling, f"{bot} never polled"
        await asyncio.sleep(0.3)  # let start-up settle
        before = fake.counts[token, "sendMessage"]
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        for n in range(updates):
            user = first_user + n
            text = QUESTIONS[n % len(QUESTIONS)]
            fake.push(tg.message(text, user_id=user), token)
        done = await fake.wait_for(
            lambda: fake.counts[token, "sendMessage"] - before >= updates, 300
        )
        seconds = time.perf_counter() - started
        assert done, f"{bot} answered only {fake.counts[token, 'sendMessage'] - before}"
        cpu = cpu_seconds(process.pid) - cpu_before
        rss, peak = memory_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 15)
    return Run(bot, seconds, cpu, rss, peak, updates)


async def bench(updates: int, rounds: int, bots: list[str], latency_ms: float) -> None:
    redis = RedisServer().start() if "iombot-redis" in bots else None
    if redis is not None:
        STATE_URLS["iombot-redis"] = redis.url
    fake = FakeBotApi(*TOKENS.values(), check=False, long_poll=0.5)
    fake.send_delay = latency_ms / 1000
    await fake.start()
    runs: list[Run] = []
    user = 1
    try:
        for round_number in range(rounds):
            for bot in bots:
                run = await one_run(fake, bot, updates, user)
                user += updates
                runs.append(run)
                print(
                    f"round {round_number + 1} {bot:<16} {run.per_second:8.0f} updates/s "
                    f"{run.cpu_us:7.0f} µs CPU/update  RSS {run.rss_mb:5.1f} MB "
                    f"(peak {run.peak_rss_mb:5.1f})",
                    flush=True,
                )
    finally:
        await fake.stop()
        if redis is not None:
            redis.close()
    print(
        f"\nmedians over {rounds} rounds of {updates} updates from distinct users"
        f" (sendMessage latency {latency_ms:g} ms):"
    )
    medians = {}
    for bot in bots:
        mine = [r for r in runs if r.bot == bot]
        medians[bot] = statistics.median(r.per_second for r in mine)
        print(
            f"  {bot:<16} {medians[bot]:8.0f} updates/s "
            f"{statistics.median(r.cpu_us for r in mine):7.0f} µs CPU/update  "
            f"RSS {max(r.rss_mb for r in mine):5.1f} MB (peak {max(r.peak_rss_mb for r in mine):5.1f})"
        )
    cpu = {bot: statistics.median(r.cpu_us for r in runs if r.bot == bot) for bot in bots}
    for ours in (bot for bot in bots if bot.startswith("iombot")):
        for echo in ("echo", "echo-concurrent", "echo-aiohttp"):
            if echo in medians:
                print(
                    f"  {ours} / {echo:<16} throughput ratio {medians[ours] / medians[echo]:.2f}"
                    f"  CPU/update ratio {cpu[ours] / cpu[echo]:.2f}"
                )
    if "iombot-memory" in cpu:
        for ours in ("iombot", "iombot-redis"):
            if ours in cpu:
                extra = cpu[ours] - cpu["iombot-memory"]
                print(f"  state cost, {ours} against iombot-memory: {extra:+.0f} µs CPU/update")


def run_echo_bot(kind: str, url: str) -> None:
    """The baseline: python-telegram-bot's echo example, defaults unchanged (echo-aiohttp:
    on our HTTP client, bots/telegram/request.py)."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    builder = ApplicationBuilder().token(TOKENS[kind]).base_url(f"{url}/bot")
    if kind == "echo-concurrent":
        builder = builder.concurrent_updates(True)
    if kind == "echo-aiohttp":
        from iombot.bots.telegram.request import AiohttpRequest

        builder = builder.request(AiohttpRequest(connection_pool_size=256))
        builder = builder.get_updates_request(AiohttpRequest())
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="make each sendMessage take this long, as a real Bot API round trip does",
    )
    parser.add_argument(
        "--bots",
        nargs="+",
        choices=list(TOKENS),
        default=["iombot", "iombot-memory", "iombot-redis", "echo"],
    )
    parser.add_argument("--echo-bot", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_bot:
        run_echo_bot(*args.echo_bot)
        return
    asyncio.run(bench(args.updates, args.rounds, args.bots, args.latency_ms))


if __name__ == "__main__":
    main()
