"""The fixtures of tests/webchat_support.py."""

from webchat_support import chat  # noqa: F401
