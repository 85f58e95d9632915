"""The fixtures of tests/webchat_support.py, and the fake Slack of tests/both_platforms.py."""

from both_platforms import slack  # noqa: F401
from webchat_support import chat  # noqa: F401
