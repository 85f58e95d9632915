"""Importing a module loads what it names and changes nothing else: no cycles hidden in
function-level imports, no process-wide switches thrown at import time."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def run_python(code: str) -> dict:
    """Run `code` in a fresh interpreter; it prints one JSON object as its last line."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_slack_desk_needs_neither_the_adapter_nor_the_handlers():
    """desk.py and adapter.py share the Web API client (client.py): no import cycle."""
    loaded = run_python(
        """
        import json, sys
        from iombot.bots.slack.desk import SlackDesk, SlackPoster
        from iombot.bots.slack.settings import SlackSettings
        from iombot.bots.env import Secret
        from iombot.bots.handoff import HandoffSettings
        slack = SlackSettings(bot_token=Secret("xoxb-test"))
        SlackDesk.from_settings(slack, HandoffSettings(channel="C1"))
        SlackPoster.from_settings(slack)
        names = [name for name in sys.modules if name.startswith(("iombot", "slack_bolt"))]
        print(json.dumps(names))
        """
    )
    assert "iombot.bots.slack.client" in loaded
    for name in ("iombot.bots.slack.adapter", "iombot.bots.slack.handlers", "slack_bolt"):
        assert name not in loaded
