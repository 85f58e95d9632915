"""The fixtures of handoff_harness.py."""

from handoff_harness import fakes  # noqa: F401
