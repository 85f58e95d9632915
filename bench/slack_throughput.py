"""Slack throughput: signed `/iom contact` requests to POST /slack/events at concurrency 16, for
our app and for a bare Bolt AsyncApp that acks a fixed text, each served the same way (one
aiohttp AppRunner in a process of its own), in one run.

Run: `python bench/slack_throughput.py [--requests 4000] [--concurrency 16]`. Prints requests/s,
server CPU per request, p50/p99 ack latency (client side) and the ratio; asserts nothing.
The targets and past figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

import aiohttp
from aiohttp import web
from process_stats import free_port

from iombot.testing.slack import FakeSlack, command_body, signed_headers

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"


# --- the servers (run in a child process: `--serve ours|bare`) -------------------------------------


async def serve(kind: str, port: int, api_url: str) -> None:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from iombot.bots.bootstrap import make_services
    from iombot.bots.service import build_web_app
    from iombot.bots.settings import Settings
    from iombot.bots.slack import PLATFORM as SLACK

    adapter = None
    if kind == "ours":
        settings = Settings.from_env(
            {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url}
        )
        services = make_services(settings)
        adapter = SLACK.make_adapter(services, settings.platforms["slack"])
        app = build_web_app(services, [adapter])
    else:
        bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET)

        @bolt.command("/iom")
        async def fixed(ack) -> None:
            await ack("Contact IOM Tokyo: 03-3595-2487")

        async def events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await bolt.async_dispatch(await to_bolt_request(request))
            )

        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/slack/events", events)

    async def cpu(_: web.Request) -> web.Response:
        return web.json_response({"cpu": time.process_time()})

    app.router.add_get("/_cpu", cpu)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    if adapter is not None:
        await adapter.start()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
    if adapter is not None:
        await adapter.stop()
    await runner.cleanup()


# --- the load, against the fake Slack Web API (auth.test, users.info) ----------------------------


def signed(user: str) -> tuple[bytes, dict]:
    body = command_body("contact", "http://127.0.0.1:9/unused", user=user)  # all in the ack
    return body.encode(), signed_headers(body, SECRET)


async def load(base: str, requests: int, concurrency: int) -> tuple[float, list[float], float]:
    """Returns (seconds, latencies in ms, server CPU seconds) for `requests` requests."""
    # A few users, so that the locale cache is used as in life (one lookup per user).
    bodies = [signed(f"U{n % 50}") for n in range(requests)]
    latencies: list[float] = []
    queue = iter(bodies)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            for body, headers in queue:
                started = time.perf_counter()
                async with http.post(f"{base}/slack/events", data=body, headers=headers) as r:
                    await r.read()
                    assert r.status == 200, r.status
                latencies.append((time.perf_counter() - started) * 1000)

        async with http.get(f"{base}/_cpu") as r:
            cpu_before = (await r.json())["cpu"]
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
        async with http.get(f"{base}/_cpu") as r:
            cpu = (await r.json())["cpu"] - cpu_before
    return seconds, latencies, cpu


async def measure(kind: str, api_url: str, requests: int, concurrency: int) -> dict:
    port = free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        kind,
        "--port",
        str(port),
        "--api-url",
        api_url,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    try:
        assert child.stdout is not None
        await asyncio.wait_for(child.stdout.readline(), 30)
        base = f"http://127.0.0.1:{port}"
        await load(base, min(500, requests), concurrency)  # warm up
        seconds, latencies, cpu = await load(base, requests, concurrency)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        await child.wait()
    latencies.sort()
    return {
        "kind": kind,
        "rps": requests / seconds,
        "cpu_us": cpu / requests * 1e6,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
    }


async def main(requests: int, concurrency: int) -> None:
    fake = FakeSlack()
    await fake.start()
    try:
        results = [
            await measure(kind, fake.api_url, requests, concurrency) for kind in ("ours", "bare")
        ]
    finally:
        await fake.stop()
    print(f"{requests} signed `/iom contact` requests, concurrency {concurrency}")
    print(f"{'app':<6} {'req/s':>8} {'CPU/req':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for r in results:
        print(
            f"{r['kind']:<6} {r['rps']:>8.0f} {r['cpu_us']:>8.0f}µs {r['p50']:>8.2f} {r['p99']:>8.2f}"
        )
    ours, bare = results
    print(f"throughput ratio ours/bare: {ours['rps'] / bare['rps']:.2f} (target >= 0.8)")
    # At this concurrency both are bound by latency (Bolt polls for the ack every 10 ms), not
    # CPU; the CPU ratio says how the two would compare on a saturated core.
    print(f"CPU-bound capacity ratio ours/bare: {bare['cpu_us'] / ours['cpu_us']:.2f}")
    print(f"p99 ours: {ours['p99']:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve", choices=("ours", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.port, args.api_url))
    else:
        asyncio.run(main(args.requests, args.concurrency))
