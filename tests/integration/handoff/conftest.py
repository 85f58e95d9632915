"""The fixtures of handoff_harness.py."""

from both_platforms import fakes  # noqa: F401
