"""The service's settings from the environment (and an optional .env file), validated once at
start: its own variables here, each platform's in that platform's folder (see platform.py).

Every problem is collected and reported together; secrets never appear in a repr or a log line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..core.content import default_content_dir
from .editors.settings import read_digest_settings
from .env import EnvReader, Secret, SettingsError, read_environment
from .handoff.settings import HandoffSettings, read_handoff_settings
from .platform import Platform
from .platforms import PLATFORMS
from .state import describe_url, url_problem

__all__ = ["Secret", "Settings", "SettingsError", "read_environment"]


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Settings:
    content_dir: Path
    host: str = "0.0.0.0"
    port: int = 8080
    log_level: str = "INFO"
    log_format: str = "text"
    reload_seconds: float = 2.0
    # Where state is kept (it may hold a password: a Secret); the default is memory for code
    # that builds Settings by hand (tests); from_env's default is a SQLite file in the data dir.
    state_url: Secret = field(default_factory=lambda: Secret("memory://"))
    state_sweep_seconds: float = 300.0  # how often expired state is deleted (by one replica)
    # Each configured platform's settings, by platform name, in the registry's order.
    platforms: Mapping[str, Any] = field(default_factory=dict)
    handoff: HandoffSettings | None = None  # asking a person (bots/handoff/)
    # The editors' loop (bots/editors/): unanswered questions kept this many days (0: none
    # kept), and the weekly digest's channel id, weekday (0: Monday), time and time zone.
    question_log_days: int = 90
    digest_channel: str | None = None
    digest_day: int = 0  # Monday
    digest_time: str = "09:00"
    digest_timezone: str = "Asia/Tokyo"
    digest_check_seconds: float = 60.0  # how often the digest's time is looked at

    @property
    def state_description(self) -> str:
        """The state URL as logs and errors may show it: no password."""
        return describe_url(self.state_url.value)

    @property
    def secrets(self) -> list[str]:
        """Every secret value, for the log filter that masks them."""
        values = [
            value.value
            for options in self.platforms.values()
            if is_dataclass(options)
            for value in (getattr(options, f.name) for f in fields(options))
            if isinstance(value, Secret) and value
        ]
        password = urlsplit(self.state_url.value).password
        return [*values, password] if password else values

    def configured_platforms(self) -> list[str]:
        return list(self.platforms)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], platforms: Sequence[Platform] = PLATFORMS
    ) -> Settings:
        read = EnvReader(env)
        content_dir = Path(read.get("IOMBOT_CONTENT_DIR") or default_content_dir())
        if not content_dir.is_dir():
            read.problem("IOMBOT_CONTENT_DIR", f"{content_dir} is not a folder")
        data_dir = Path(read.get("IOMBOT_DATA_DIR") or "data")
        state_url = read.secret("IOMBOT_STATE_URL") or Secret(f"sqlite:///{data_dir / 'state.db'}")
        if problem := url_problem(state_url.value):
            read.problem("IOMBOT_STATE_URL", problem)
        configured = {
            platform.name: options
            for platform in platforms
            if (options := platform.read_settings(read)) is not None
        }
        desk = any(p.make_desk is not None and p.name in configured for p in platforms)
        handoff = read_handoff_settings(read, desk)
        digest = read_digest_settings(read, desk)
        settings = cls(
            content_dir=content_dir,
            host=read.get("HOST") or "0.0.0.0",
            port=read.number("PORT", 8080, int, 1, 65535),
            log_level=read.choice("LOG_LEVEL", "INFO", LOG_LEVELS, upper=True),
            log_format=read.choice("LOG_FORMAT", "text", LOG_FORMATS),
            reload_seconds=read.number("IOMBOT_RELOAD_SECONDS", 2.0, float, 0.1, 3600),
            state_url=state_url,
            state_sweep_seconds=read.number("IOMBOT_STATE_SWEEP_SECONDS", 300.0, float, 0.1, 86400),
            platforms=configured,
            handoff=handoff,
            question_log_days=read.number("IOMBOT_QUESTION_LOG_DAYS", 90, int, 0, 3650),
            **digest,
        )
        if read.problems:
            raise SettingsError(read.problems)
        return settings
