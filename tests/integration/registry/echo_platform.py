"""A small extra platform defined outside bots/: proof that adding one touches no other file.

Run as a script it is `iombot` with this platform registered beside the real ones:
`python echo_platform.py run echo`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from aiohttp import web

from iombot.bots.cli import main
from iombot.bots.env import EnvReader, Secret
from iombot.bots.platform import Platform
from iombot.bots.platforms import PLATFORMS
from iombot.bots.shared import Services
from iombot.core.reply import Query, plain_text


@dataclass(frozen=True)
class EchoSettings:
    token: Secret


def read_settings(read: EnvReader) -> EchoSettings | None:
    token = read.secret("ECHO_TOKEN")
    if token is None:
        return None
    if len(token.value) < 8:
        read.problem("ECHO_TOKEN", "must be at least 8 characters")
    return EchoSettings(token)


class EchoAdapter:
    """POST /echo {"user": …, "text": …} with the token as a bearer: the answer as JSON."""

    name = "echo"

    def __init__(self, services: Services, settings: EchoSettings):
        self.services = services
        self.settings = settings
        self.up = False

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/echo", self.handle)]

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.settings.token.value}":
            return web.json_response({"error": "forbidden"}, status=403)
        started = time.perf_counter()
        body = await request.json()
        query = Query(text=body["text"], user_id=body["user"], platform=self.name)
        reply = await self.services.answer(query)
        self.services.answered(self.name, reply, started)
        text = "\n".join(plain_text(b.spans) for b in reply.blocks if hasattr(b, "spans"))
        return web.json_response(
            {
                "kind": reply.kind.value,
                "topic": reply.topic,
                "language": reply.language,
                "text": text,
            }
        )

    async def start(self) -> None:
        self.up = True

    async def stop(self) -> None:
        self.up = False

    def health(self) -> dict:
        return {"up": self.up, "state": "echo" if self.up else "down", "last_update": None}

    async def content_changed(self) -> None:
        return None


ECHO = Platform(
    name="echo",
    read_settings=read_settings,
    make_adapter=EchoAdapter,
    how_to_enable="set ECHO_TOKEN",
)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], platforms=(*PLATFORMS, ECHO)))
