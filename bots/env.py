"""Reading settings from the environment: each value checked once, every problem collected.

Used by the service's own settings and by each platform's `settings.py`; secret values are
wrapped so that they never appear in a repr, a log line or an error message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

from dotenv import dotenv_values

N = TypeVar("N", int, float)


class SettingsError(Exception):
    """Every problem found in the settings, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Secret:
    """A secret string: `.value` gives it; str() and repr() never do."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.value)


class EnvReader:
    """Typed reads of environment variables; problems are collected, never raised one by one."""

    def __init__(self, env: Mapping[str, str]):
        self.env = env
        self.problems: list[str] = []

    def problem(self, name: str, message: str) -> None:
        self.problems.append(f"{name}: {message}")

    def get(self, name: str) -> str | None:
        value = self.env.get(name, "").strip()
        return value or None

    def secret(self, name: str) -> Secret | None:
        value = self.get(name)
        return Secret(value) if value else None

    def number(self, name: str, default: N, kind: Callable[[str], N], low: N, high: N) -> N:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            value = kind(raw)
        except ValueError:
            self.problem(name, f"{raw!r} is not a number")
            return default
        if not low <= value <= high:
            self.problem(name, f"{value} is outside {low}-{high}")
        return value

    def choice(self, name: str, default: str, choices: tuple[str, ...], upper: bool = False) -> str:
        raw = self.get(name) or default
        value = raw.upper() if upper else raw.lower()
        if value not in choices:
            self.problem(name, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def flag(self, name: str) -> bool:
        """A switch: 1, true or yes turn it on; 0, false, no or nothing leave it off."""
        value = (self.get(name) or "0").lower()
        if value not in (*_ON, *_OFF):
            self.problem(name, f"{value!r} is not 1 or 0")
        return value in _ON

    def url(self, name: str, default: str, example: str) -> str:
        value = self.get(name) or default
        if not is_url(value):
            self.problem(name, f"must be a URL such as {example}")
        return value


_ON, _OFF = ("1", "true", "yes"), ("0", "false", "no")


def is_url(value: str, https_only: bool = False) -> bool:
    parsed = urlparse(value)
    schemes = ("https",) if https_only else ("http", "https")
    return parsed.scheme in schemes and bool(parsed.netloc)


def read_environment(env_file: str | Path = ".env") -> dict[str, str]:
    """The process environment over the values of .env (the environment wins)."""
    path = Path(env_file)
    values = dotenv_values(path) if path.is_file() else {}
    return {**{k: v for k, v in values.items() if v is not None}, **os.environ}
