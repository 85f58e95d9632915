"""What a platform is to the rest of the bot: a name, its settings, and an adapter to run.

Each platform folder under bots/ defines one `Platform` value in its `__init__.py` (cheap to
import: the platform's library is loaded only when its adapter is made); bots/platforms.py lists
them. The wiring, the CLI and the settings name no platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from .env import EnvReader

if TYPE_CHECKING:
    from .editors.digest import ReportPoster
    from .handoff import Deliverer, HandoffSettings, StaffDesk
    from .shared import Services


class Adapter(Protocol):
    """What the service needs from a running platform adapter."""

    name: str

    def routes(self) -> list[web.RouteDef]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def health(self) -> dict:
        """{"up": bool, "state": "polling" | "webhook" | "socket" | …, "last_update": time}"""
        ...

    async def content_changed(self) -> None: ...


@dataclass(frozen=True)
class Platform:
    name: str
    # Reads the platform's variables: its settings object, or None when it is not configured.
    # Problems go to the reader; Secret values in the returned object are masked in logs.
    read_settings: Callable[[EnvReader], Any | None]
    # Makes the adapter from the shared services and the settings read above.
    make_adapter: Callable[[Services, Any], Adapter]
    # What to set to enable it, for the "not configured" messages.
    how_to_enable: str
    # A platform that needs no token is enabled by this variable set to 1, which
    # `iombot run NAME` sets for it.
    enable_variable: str | None = None
    # Loggers of the platform's library that log request URLs (which may hold a token).
    quiet_loggers: tuple[str, ...] = ()
    # Asking a person (bots/handoff/). A public platform sends staff replies to its chats; the
    # staff platform (Slack) posts tickets. Both are made without the platform's adapter (a
    # deliverer from the shared services and its settings, a desk from its settings), so that any
    # process can do either, whichever adapters it runs.
    make_deliverer: Callable[[Services, Any], Deliverer] | None = None
    make_desk: Callable[[Any, HandoffSettings], StaffDesk] | None = None
    # The editors' weekly digest is posted by the staff platform too.
    make_poster: Callable[[Any], ReportPoster] | None = None
