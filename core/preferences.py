"""Each user's chosen language, remembered in a bounded map (the oldest choice is forgotten first)."""

from __future__ import annotations

from collections import OrderedDict


class LanguagePreferences:
    def __init__(self, capacity: int = 100_000):
        self._capacity = capacity
        self._choices: OrderedDict[str, str] = OrderedDict()

    def get(self, user_key: str | None) -> str | None:
        if user_key is None:
            return None
        choice = self._choices.get(user_key)
        if choice is not None:
            self._choices.move_to_end(user_key)
        return choice

    def set(self, user_key: str | None, language: str) -> None:
        if user_key is None:
            return
        self._choices[user_key] = language
        self._choices.move_to_end(user_key)
        while len(self._choices) > self._capacity:
            self._choices.popitem(last=False)

    def __len__(self) -> int:
        return len(self._choices)
