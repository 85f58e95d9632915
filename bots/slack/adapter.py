"""The Slack adapter: a Bolt AsyncApp served at POST /slack/events on our aiohttp server (HTTP
mode), or over a Socket Mode websocket in the same event loop when SLACK_APP_TOKEN is set.

The Web API client (client.py) retries 429s (honouring Retry-After), 5xx answers, timeouts and
dropped connections; what still fails is logged and answered with a short apology (handlers.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from ..reachability import Reachability
from ..shared import Services
from .client import build_client
from .handlers import SlackBot
from .locales import UserLocales
from .settings import SlackSettings

log = logging.getLogger("iombot.slack")

EVENTS_PATH = "/slack/events"
# Errors that mean the token itself is wrong: stop start-up rather than serve nothing.
FATAL_AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


class _Drop(logging.Filter):
    def __init__(self, fragment: str):
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


class SlackAdapter:
    name = "slack"

    def __init__(
        self,
        services: Services,
        settings: SlackSettings,
        *,
        api_timeout: float = 10,
        retries: int = 2,
        retry_backoff: float = 0.5,
        ping_interval: float = 10,
        locale_wait: float = 1.0,
    ):
        self.services = services
        self.signing_secret = settings.signing_secret.value if settings.signing_secret else ""
        self.app_token = settings.app_token.value if settings.app_token else None
        self.api_url = settings.api_url
        self.reachability = Reachability()
        self.client = build_client(
            settings.bot_token.value,
            settings.api_url,
            api_timeout,
            retries,
            retry_backoff,
        )
        self.client.reachability = self.reachability  # type: ignore[attr-defined]
        bolt_log = logging.getLogger("iombot.slack.bolt")
        # Bolt also reads SLACK_BOT_TOKEN from the environment and warns that the client's token
        # wins over it; it is the same token, so that one warning is dropped.
        quiet = _Drop("`token` will be unused")
        bolt_log.addFilter(quiet)
        try:
            self.app = AsyncApp(
                client=self.client,
                signing_secret=self.signing_secret,
                # handle() checks the signature once, before Bolt parses the body; Socket Mode
                # envelopes are not signed.
                request_verification_enabled=False,
                process_before_response=False,
                # What no listener takes goes to the error handler, which acks it (handlers.py):
                # Bolt's own answer would be a 404, which Slack retries or shows as an error.
                raise_error_for_unhandled_request=True,
                logger=bolt_log,
            )
        finally:
            bolt_log.removeFilter(quiet)
        self.verifier = SignatureVerifier(self.signing_secret) if self.signing_secret else None
        self.bot = SlackBot(services, self.client, UserLocales(self.client, wait=locale_wait))
        self.bot.register(self.app)
        self.ping_interval = ping_interval
        self.api_timeout = api_timeout  # the client applies it only to sessions it makes itself
        self.socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task | None = None
        self._session: aiohttp.ClientSession | None = None
        self.state = "starting"
        self.last_update: float | None = None
        self._connected_once = False
        self._socket_down_since: float | None = None  # monotonic
        self._socket_down_wall = 0.0  # the same moment, in wall time (as last_update)

    # --- HTTP ---------------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        # Mounted only with a signing secret: an unsigned route would accept anything.
        return [web.post(EVENTS_PATH, self.handle)] if self.verifier else []

    async def handle(self, request: web.Request) -> web.Response:
        """POST /slack/events: check the signature, then let Bolt dispatch the request."""
        body = await request.read()  # the signature covers the raw bytes
        if not self._signed(body, request.headers):
            return web.json_response({"error": "invalid request"}, status=401)
        self.last_update = time.time()
        try:
            bolt_request = await to_bolt_request(request)  # the body is read once, then cached
        except ValueError:  # invalid JSON in the body or in payload=
            log.warning("malformed Slack request body", extra={"platform": "slack"})
            return web.json_response({"error": "malformed request"}, status=400)
        bolt_response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    def _signed(self, body: bytes, headers: Any) -> bool:
        """Slack's v0 signature, made with our signing secret less than 5 minutes ago."""
        if self.verifier is None:
            return False
        try:
            return self.verifier.is_valid(
                body,
                headers.get("X-Slack-Request-Timestamp", ""),
                headers.get("X-Slack-Signature", ""),
            )
        except (ValueError, TypeError):  # a timestamp that is not a number, a body not UTF-8
            return False

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        # One pooled HTTP session for every Web API call, instead of one per call.
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.api_timeout))
        self.client.session = self._session
        try:
            await self._check_token()
            if self.app_token:
                await self._check_app_token()
        except Exception:
            await self._session.close()  # serve() does not stop an adapter that failed to start
            raise
        if self.app_token:
            self.socket = AsyncSocketModeHandler(
                self.app, self.app_token, ping_interval=self.ping_interval
            )
            self.socket.client.on_message_listeners.append(self._on_socket_message)
            # Connecting retries by itself: do it in the background; health says when it is up.
            self._connecting = asyncio.create_task(self.socket.connect_async())
            self.state = "socket"
        else:
            self.state = "http"
        log.info("Slack adapter started in %s mode", self.state, extra={"platform": "slack"})

    async def _check_token(self) -> None:
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            code = error.response.get("error")
            if code in FATAL_AUTH_ERRORS:
                raise RuntimeError(f"SLACK_BOT_TOKEN was refused by Slack ({code})") from None
            log.warning("auth.test failed (%s); going on", code, extra={"platform": "slack"})
            return
        except Exception as error:  # Slack unreachable: Bolt will ask again on first use
            log.warning(
                "auth.test failed (%s); going on", type(error).__name__, extra={"platform": "slack"}
            )
            return
        log.info(
            "Slack bot user %s in team %s",
            identity.get("user_id"),
            identity.get("team_id"),
            extra={"platform": "slack"},
        )

    async def _check_app_token(self) -> None:
        """Socket Mode: a refused app token stops start-up, as a refused bot token does (the
        Socket Mode client would otherwise ask for a connection for ever)."""
        assert self.app_token is not None and self._session is not None
        client = AsyncWebClient(token=self.app_token, base_url=self.api_url, session=self._session)
        try:
            await client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as error:
            code = error.response.get("error")
            if code in FATAL_AUTH_ERRORS or code == "not_allowed_token_type":
                raise RuntimeError(
                    f"SLACK_APP_TOKEN was refused by Slack ({code}): create an app-level token "
                    "with the connections:write scope (Basic Information -> App-Level Tokens)"
                ) from None
            log.warning(
                "apps.connections.open failed (%s); going on", code, extra={"platform": "slack"}
            )
        except Exception as error:  # Slack unreachable: the socket client keeps trying
            log.warning(
                "apps.connections.open failed (%s); going on",
                type(error).__name__,
                extra={"platform": "slack"},
            )

    async def _on_socket_message(self, message: Any) -> None:
        self.last_update = time.time()
        self._connected_once = True

    async def stop(self) -> None:
        if self.socket is not None:
            if self._connecting is not None and not self._connecting.done():
                self._connecting.cancel()
            await self.socket.close_async()
        # Let answers already acked finish (Bolt runs them after the ack).
        for _ in range(100):
            if self.bot.in_flight == 0:
                break
            await asyncio.sleep(0.05)
        self.state = "down"
        if self._session is not None:
            await self._session.close()
        log.info("Slack adapter stopped", extra={"platform": "slack"})

    def health(self) -> dict:
        """Up while Slack is reachable. A socket that drops, or Web API calls that fail, make it
        down only after the grace period (30 s): a reconnect is routine."""
        up, state = self.state == "http", self.state
        why = None
        if state == "socket":
            if not self._connected_once:
                up, state = self._socket_connected(), "starting"
                state = "socket" if up else state
            elif self._socket_connected() and (
                self._socket_down_since is None or (self.last_update or 0) > self._socket_down_wall
            ):
                # Back only once Slack has said something on the new connection (its hello):
                # a connection that stays silent is not a recovery.
                self._socket_down_since = None
                up = True
            else:
                now = time.monotonic()
                if self._socket_down_since is None:
                    self._socket_down_since, self._socket_down_wall = now, time.time()
                up = now - self._socket_down_since <= self.reachability.grace
                why = f"socket: disconnected for {round(now - self._socket_down_since, 1)} s"
                state = "socket" if up else "down"
        if up and self.reachability.degraded:
            up, state = False, "degraded"
        health = {
            "up": up,
            "state": state,
            "mode": "socket" if self.app_token else "http",
            "last_update": self.last_update,
            "in_flight": self.bot.in_flight,
        }
        if report := self.reachability.report():
            health["web_api"] = report
        if why:
            health["socket"] = why
        return health

    def _socket_connected(self) -> bool:
        """The Socket Mode client's own test, without awaiting: an open, non-stale session
        whose pings are still answered."""
        client = self.socket.client if self.socket else None
        if client is None or client.closed or client.stale:
            return False
        session = client.current_session
        if session is None or session.closed:
            return False
        pong = client.last_ping_pong_time
        return pong is None or time.time() - pong < client.ping_interval * 4

    async def content_changed(self) -> None:
        # Nothing is cached from the content: the next answer or Home tab uses the new version.
        return None
