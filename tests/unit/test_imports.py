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


def test_importing_the_metrics_leaves_prometheus_clients_created_series_alone():
    """No process-wide disable_created_metrics(): our registry drops `*_created` when it
    renders, and any other registry in the process keeps them."""
    seen = run_python(
        """
        import json
        from prometheus_client import CollectorRegistry, Counter, generate_latest
        import iombot.bots.metrics as metrics

        def created(registry):
            Counter("other_total", "another library's counter", registry=registry)
            return "other_created" in generate_latest(registry).decode()

        before_ours = created(CollectorRegistry())
        ours = metrics.Metrics()
        ours.errors.labels("telegram").inc()
        print(json.dumps({
            "other registry": created(CollectorRegistry()),
            "ours": "_created" in ours.render().decode(),
            "after building ours": created(CollectorRegistry()),
            "before": before_ours,
        }))
        """
    )
    assert seen == {
        "other registry": True,
        "ours": False,
        "after building ours": True,
        "before": True,
    }


def test_importing_the_telegram_modules_leaves_the_warning_filters_alone():
    """The filter for PTB's advice to use send_message is set where a bot is built."""
    seen = run_python(
        """
        import json, warnings
        import aiohttp.web, telegram, telegram.ext  # their own import-time filters are theirs
        before = list(warnings.filters)
        import iombot.bots.telegram.sending, iombot.bots.telegram.adapter
        import iombot.bots.telegram.deliver
        imported = list(warnings.filters) == before
        from iombot.bots.env import Secret
        from iombot.bots.telegram.deliver import TelegramDeliverer
        from iombot.bots.telegram.settings import TelegramSettings
        TelegramDeliverer(TelegramSettings(Secret("123:abc"), api_url="http://127.0.0.1:9"))
        print(json.dumps({"imported": imported, "built": len(warnings.filters) - len(before)}))
        """
    )
    assert seen == {"imported": True, "built": 1}


def test_importing_the_readings_makes_no_cache():
    """The readings cache belongs to whoever builds the index (the Answerer), not the module."""
    seen = run_python(
        """
        import json
        from iombot.core import readings
        caches = [n for n, v in vars(readings).items() if isinstance(v, readings.ReadingCache)]
        print(json.dumps(caches))
        """
    )
    assert seen == []
