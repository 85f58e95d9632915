"""Settings from the environment (and an optional .env file), validated once at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from ..core.content import default_content_dir


class SettingsError(Exception):
    """Every problem found in the settings, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Settings:
    content_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        problems: list[str] = []
        content_dir = Path(env.get("IOMBOT_CONTENT_DIR") or default_content_dir())
        if not content_dir.is_dir():
            problems.append(f"IOMBOT_CONTENT_DIR: {content_dir} is not a folder")
        if problems:
            raise SettingsError(problems)
        return cls(content_dir=content_dir)


def read_environment(env_file: str | Path = ".env") -> dict[str, str]:
    """The process environment over the values of .env (the environment wins)."""
    values = (
        {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        if Path(env_file).is_file()
        else {}
    )
    return {**values, **os.environ}
