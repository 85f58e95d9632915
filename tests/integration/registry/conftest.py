"""The fixtures of tests/both_platforms.py."""

from both_platforms import slack  # noqa: F401
