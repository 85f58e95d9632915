"""A small extra platform defined outside bots/: proof that adding one touches no other file,
and that it gets dedupe, the flood limit, votes, the staff handoff, the question log and the
metrics from the pipeline (bots/pipeline.py) with no code of its own for them.

Run as a script it is `iombot` with this platform registered beside the real ones:
`python echo_platform.py run echo`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web

from iombot.bots.cli import main
from iombot.bots.editors.feedback import Vote
from iombot.bots.env import EnvReader, Secret
from iombot.bots.pipeline import Incoming, Pipeline
from iombot.bots.platform import Platform
from iombot.bots.platforms import PLATFORMS
from iombot.bots.shared import Services
from iombot.core.reply import Query, Reply, plain_text


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


def as_json(reply: Reply) -> dict:
    text = "\n".join(plain_text(b.spans) for b in reply.blocks if hasattr(b, "spans"))
    return {
        "kind": reply.kind.value,
        "topic": reply.topic,
        "language": reply.language,
        "text": text,
        "buttons": [button.action for button in reply.buttons],
    }


class Collected:
    """The pipeline's channel for one request: the replies, returned as the response."""

    def __init__(self) -> None:
        self.replies: list[dict] = []

    async def send(self, replies: Sequence[Reply]) -> bool:
        self.replies += [as_json(reply) for reply in replies]
        return True

    async def thank(self, vote: Vote, text: str) -> None:
        self.replies.append({"kind": "thanks", "text": text, "language": vote.language})


class EchoAdapter:
    """POST /echo {"user", "text" | "action", "event_id"?} with the token as a bearer: the
    replies as JSON. Everything else (dedupe, the flood limit, votes, the staff handoff, the
    question log, metrics) is the pipeline's."""

    name = "echo"

    def __init__(self, services: Services, settings: EchoSettings):
        self.settings = settings
        self.pipeline = Pipeline(services)
        self.up = False

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/echo", self.handle), web.get("/echo/inbox", self.inbox)]

    def _allowed(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.settings.token.value}"

    async def handle(self, request: web.Request) -> web.Response:
        if not self._allowed(request):
            return web.json_response({"error": "forbidden"}, status=403)
        body = await request.json()
        user = str(body["user"])
        query = Query(text=body.get("text", ""), user_id=user, platform=self.name)
        incoming = Incoming(query, user, action=body.get("action"), event_id=body.get("event_id"))
        channel = Collected()
        await self.pipeline.process(incoming, channel)
        return web.json_response({"replies": channel.replies})

    async def inbox(self, request: web.Request) -> web.Response:
        """What staff replied to a chat (the deliverer's outbox), for the tests to read."""
        if not self._allowed(request):
            return web.json_response({"error": "forbidden"}, status=403)
        return web.json_response({"delivered": INBOX.get(request.query.get("chat", ""), [])})

    async def start(self) -> None:
        self.up = True

    async def stop(self) -> None:
        self.up = False

    def health(self) -> dict:
        return {"up": self.up, "state": "echo" if self.up else "down", "last_update": None}

    async def content_changed(self) -> None:
        return None


# Staff replies delivered to each echo chat. A module dict: this whole file is a test double.
INBOX: dict[str, list[dict]] = {}


class EchoDeliverer:
    async def deliver(self, chat: str, reply: Reply) -> None:
        INBOX.setdefault(chat, []).append(as_json(reply))

    async def close(self) -> None:
        return None


ECHO = Platform(
    name="echo",
    read_settings=read_settings,
    make_adapter=EchoAdapter,
    how_to_enable="set ECHO_TOKEN",
    make_deliverer=lambda services, settings: EchoDeliverer(),
)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], platforms=(*PLATFORMS, ECHO)))
