"""The fixtures of tests/both_platforms.py."""

from both_platforms import fakes, line  # noqa: F401
