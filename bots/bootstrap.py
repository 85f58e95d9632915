"""The one place that builds the bot from its settings (cosmicpython's bootstrap.py).

Every part can be passed in instead (a state store, an answerer, metrics, a clock), which is how
tests and benches build what they need; nothing is wired anywhere else: no __post_init__, no
object made at import time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..core.answerer import Answerer
from ..core.content import load_content
from .editors.digest import WeeklyDigest
from .editors.ledger import Ledger
from .flood import FloodGate
from .handoff import Handoff
from .metrics import Metrics
from .platform import Adapter, Platform
from .settings import Settings
from .shared import Services
from .state import MemoryState, StateStore, open_state
from .state.resilient import ResilientState
from .texts import REQUIRED_STRINGS

log = logging.getLogger("iombot.bootstrap")


def make_services(
    settings: Settings,
    *,
    state: StateStore | None = None,
    answerer: Answerer | None = None,
    metrics: Metrics | None = None,
    clock: Callable[[], float] = time.time,
) -> Services:
    """Services from their parts; what is not given is made from the settings (state in this
    process's memory: open_services opens the configured store)."""
    state = state if state is not None else MemoryState()
    return Services(
        settings=settings,
        answerer=answerer
        or Answerer(load_content(settings.content_dir, required_strings=REQUIRED_STRINGS)),
        state=state,
        metrics=metrics or Metrics(),
        flood=FloodGate(),
        ledger=Ledger(state, settings.question_log_days, clock),
        started=clock(),
    )


async def open_services(
    settings: Settings,
    *,
    answerer: Answerer | None = None,
    metrics: Metrics | None = None,
    clock: Callable[[], float] = time.time,
) -> Services:
    """Services with the state store IOMBOT_STATE_URL names (StateError if it cannot be used),
    kept answering from memory while that store is away (ResilientState)."""
    metrics = metrics or Metrics()
    store = await open_state(settings.state_url.value)
    state = ResilientState(store, settings.state_description, metrics.state_errors.inc)
    return make_services(settings, state=state, answerer=answerer, metrics=metrics, clock=clock)


def make_handoff(
    services: Services, settings: Settings, registry: Sequence[Platform]
) -> Handoff | None:
    """Asking a person, when IOMBOT_HANDOFF_CHANNEL is set: every process can post tickets and
    deliver staff replies, whichever adapters it runs (the compose services run one each)."""
    if settings.handoff is None:
        return None
    configured = [p for p in registry if p.name in settings.platforms]
    desks = [
        p.make_desk(settings.platforms[p.name], settings.handoff)
        for p in configured
        if p.make_desk is not None
    ]
    if (
        not desks
    ):  # the settings check prevents it; a test registry without a staff platform may not
        log.warning("handoff: no staff platform is configured; /staff gives the contact route")
        return None
    deliverers = {
        p.name: p.make_deliverer(services, settings.platforms[p.name])
        for p in configured
        if p.make_deliverer is not None
    }
    log.info(
        "handoff: on, tickets to channel %s, asked from %s",
        settings.handoff.channel,
        ", ".join(deliverers) or "no public platform",
    )
    return Handoff(
        services.state,
        desks[0],
        deliverers,
        services.metrics,
        settings.handoff.idle_seconds,
        services.answerer,
    )


def make_digest(
    services: Services, settings: Settings, registry: Sequence[Platform]
) -> WeeklyDigest | None:
    """The editors' weekly digest, when IOMBOT_DIGEST_CHANNEL is set: run by every process, and
    posted by one (digest.py)."""
    if settings.digest_channel is None:
        return None
    posters = [
        p.make_poster(settings.platforms[p.name])
        for p in registry
        if p.make_poster is not None and p.name in settings.platforms
    ]
    if not posters:
        return None
    log.info("weekly digest: to channel %s", settings.digest_channel)
    return WeeklyDigest(services, posters[0], settings, settings.digest_check_seconds)


@dataclass
class Bot:
    """Everything serve() runs."""

    services: Services
    adapters: list[Adapter]
    digest: WeeklyDigest | None


def build_bot(
    services: Services, platforms: Sequence[Platform], registry: Sequence[Platform]
) -> Bot:
    """The handoff, the digest and the adapters of the given platforms, on `services`. Each
    platform must be configured; `registry` is every platform known (for the handoff's desk and
    deliverers, which a process makes whichever adapters it runs)."""
    settings = services.settings
    services.handoff = make_handoff(services, settings, registry)
    digest = make_digest(services, settings, registry)
    adapters = [p.make_adapter(services, settings.platforms[p.name]) for p in platforms]
    return Bot(services, adapters, digest)
