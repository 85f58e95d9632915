"""Serving: the adapters that bootstrap.py builds, under one aiohttp web app, until a signal.

Every adapter runs under one asyncio loop and is served by one aiohttp server on $PORT, which
also answers GET /healthz and GET /metrics. SIGTERM or SIGINT stops taking new work, lets the
adapters finish what is in flight, and exits 0.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time
from collections.abc import Sequence

from aiohttp import web

from ..core.answerer import Answerer
from .bootstrap import build_bot, open_services
from .editors.ledger import FLUSH_SECONDS
from .periodic import Periodic
from .platform import Adapter, Platform
from .reload import ContentWatcher, prime_metrics
from .settings import Settings
from .shared import Services
from .state import StateError
from .state.sweeper import StateSweeper

log = logging.getLogger("iombot.service")

SHUTDOWN_SECONDS = 8.0  # adapters get this long to finish; the container grace period is 10 s

SERVICES = web.AppKey("services", Services)
ADAPTERS = web.AppKey("adapters", list)


def build_web_app(services: Services, adapters: list[Adapter]) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[SERVICES] = services
    app[ADAPTERS] = adapters
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/livez", livez)
    app.router.add_get("/metrics", metrics)
    for adapter in adapters:
        app.router.add_routes(adapter.routes())
    return app


def health_report(services: Services, adapters: list[Adapter]) -> tuple[bool, dict]:
    """Healthy (200) while every adapter is up. A state store that is down makes the status
    "degraded" but not unhealthy: the bot still answers, from memory, and taking every replica
    out of service because Redis is away would be worse."""
    states = {adapter.name: adapter.health() for adapter in adapters}
    healthy = all(state.get("up") for state in states.values())
    state = state_health(services)
    status = "down" if not healthy else "ok" if state["up"] else "degraded"
    content = services.answerer.content
    return healthy, {
        "status": status,
        "content_version": content.version,
        "topics": len(content.topics),
        "uptime_seconds": round(time.time() - services.started, 1),
        "adapters": states,
        "state": state,
    }


def state_health(services: Services) -> dict:
    health = getattr(services.state, "health", None)
    return health() if health else {"up": True, "backend": services.state.backend}


async def livez(request: web.Request) -> web.Response:
    """Liveness: answered while the process and its event loop are responsive (this handler
    runs on that loop), whatever the platforms do. A probe that restarts the bot must use this,
    not /healthz: a restart does not bring a platform back."""
    services = request.app[SERVICES]
    return web.json_response(
        {"status": "alive", "uptime_seconds": round(time.time() - services.started, 1)}
    )


async def healthz(request: web.Request) -> web.Response:
    healthy, report = health_report(request.app[SERVICES], request.app[ADAPTERS])
    return web.json_response(report, status=200 if healthy else 503)


async def metrics(request: web.Request) -> web.Response:
    body = request.app[SERVICES].metrics.render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4"})


async def serve(
    settings: Settings,
    platforms: Sequence[Platform],
    stop_event: asyncio.Event | None = None,
    registry: Sequence[Platform] | None = None,
    answerer: Answerer | None = None,
) -> int:
    """Run the web server and the given platforms' adapters until a stop signal; returns the
    exit status. Each platform must be configured (its settings in `settings.platforms`);
    `registry` is every platform known (default: those given); `answerer`, the content already
    loaded (the CLI checks it before serving: loaded once, not twice)."""
    try:
        services = await open_services(settings, answerer=answerer)
    except StateError as error:
        log.error("%s", error)
        return 2
    log.info("state: %s", settings.state_description)
    bot = build_bot(services, platforms, registry or platforms)
    adapters, digest = bot.adapters, bot.digest
    prime_metrics(services, adapters)
    services.metrics.watch_adapters(
        lambda: [(a.name, bool(a.health().get("up"))) for a in adapters]
    )
    app = build_web_app(services, adapters)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    log.info(
        "listening on %s:%s; adapters: %s; content %s (%d topics)",
        settings.host,
        settings.port,
        ", ".join(adapter.name for adapter in adapters),
        services.answerer.content.version,
        len(services.answerer.content.topics),
    )

    stop = stop_event or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    watcher = ContentWatcher(settings.content_dir, services, adapters, settings.reload_seconds)
    flusher = Periodic(services.ledger.flush, FLUSH_SECONDS, "ledger")
    sweeper = StateSweeper(
        services.state,
        settings.state_sweep_seconds,
        services.handoff.close_idle if services.handoff else None,
    )
    started: list[Adapter] = []
    status = 0
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
        # What start-up made (the content, its index, the modules) lives as long as the
        # service: frozen, the collector no longer scans it on every full collection (LINE
        # bench, 2000 events: 845 -> 735 µs of CPU per event). A reload thaws, collects the old
        # content and freezes again (reload.refreeze); thawed when serving ends (a test process).
        gc.freeze()
        watcher.start()
        sweeper.start()
        flusher.start()
        if digest is not None:
            digest.start()
        await stop.wait()
        log.info("stop requested: finishing replies in flight")
    except Exception as error:  # a start-up failure: say what, exit non-zero
        log.error("start-up failed: %s", error)
        status = 1
    finally:
        await watcher.stop()
        await sweeper.stop()
        await flusher.stop()
        if digest is not None:
            await digest.stop()
        for adapter in reversed(started):
            try:
                await asyncio.wait_for(adapter.stop(), SHUTDOWN_SECONDS)
            except Exception:
                log.exception("adapter %s did not stop cleanly", adapter.name)
        await runner.cleanup()
        if services.handoff is not None:
            for name, deliverer in services.handoff.deliverers.items():
                try:
                    await deliverer.close()
                except Exception as error:  # stopping: nothing is left to deliver
                    log.warning("%s deliverer did not close cleanly: %s", name, error)
        await services.ledger.flush()  # the last few seconds' topic counts
        await services.state.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        gc.unfreeze()
    log.info("stopped")
    return status
