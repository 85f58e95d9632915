"""The web chat's settings: WEBCHAT_* variables, read and checked once at start.

The web chat needs no token: WEBCHAT_ENABLED=1 turns it on (`iombot run webchat` too), and
WEBCHAT_ORIGINS lists the sites allowed to embed it (its page in their frames, and its WebSocket
opened from them), e.g. `https://www.japan.iom.int`. The bot's own address is always allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..env import EnvReader

MAX_CHARS = 1000  # the longest message taken; a longer one gets a polite notice
ADDRESS_LIMIT = 120  # messages a minute from one address (several people may share one)


@dataclass(frozen=True)
class WebchatSettings:
    origins: tuple[str, ...] = ()  # scheme://host[:port] of the sites that may embed the chat
    max_chars: int = MAX_CHARS
    # Messages per minute from one address (several people may share one): past it, one notice.
    address_limit: int = ADDRESS_LIMIT
    # Behind a reverse proxy that sets X-Forwarded-For, the address is its last entry (what the
    # proxy saw); otherwise every visitor would share the proxy's address and its limit.
    trust_forwarded: bool = False
    # A conversation is kept as long as the question log keeps questions (the service's
    # Settings.question_log_days), in the service's state store (Settings.state_url).


def read_settings(read: EnvReader) -> WebchatSettings | None:
    """The settings when WEBCHAT_ENABLED is 1 (`iombot run webchat` sets it)."""
    if not read.flag("WEBCHAT_ENABLED"):
        return None
    origins = []
    for origin in (read.get("WEBCHAT_ORIGINS") or "").replace(",", " ").split():
        normal = normal_origin(origin)
        if normal is None:
            read.problem(
                "WEBCHAT_ORIGINS",
                f"{origin!r} is not an origin such as https://www.japan.iom.int "
                "(a scheme and a host, no path)",
            )
        else:
            origins.append(normal)
    return WebchatSettings(
        origins=tuple(origins),
        max_chars=read.number("WEBCHAT_MAX_CHARS", MAX_CHARS, int, 1, 10_000),
        address_limit=read.number("WEBCHAT_ADDRESS_LIMIT", ADDRESS_LIMIT, int, 1, 100_000),
        trust_forwarded=read.flag("WEBCHAT_TRUST_FORWARDED"),
    )


def normal_origin(value: str) -> str | None:
    """`https://Example.org:443/` as an origin (`https://example.org`), or None."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")
