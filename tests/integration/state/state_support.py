"""Helpers of the state tests."""

from __future__ import annotations

import uuid


def key() -> str:
    return uuid.uuid4().hex  # the Redis server is shared by the tests of a module
