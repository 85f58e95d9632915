"""Servers on loopback for the fakes, the real services the tests start, and the benches: a port
that nothing listens on, and an aiohttp app served on a port of its own."""

from __future__ import annotations

import socket
from typing import Any

from aiohttp import web


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def serve(app: web.Application, **options: Any) -> tuple[web.AppRunner, str]:
    """Serve `app` on 127.0.0.1 at a port the system picks; its runner (to clean up) and URL."""
    runner = web.AppRunner(app, access_log=None, **options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"
