"""`iombot run webchat`: the web chat with no token and no variable, in the installed command."""

from __future__ import annotations

import os
import signal
import subprocess
import urllib.request

import pytest

from testsupport import ADAPTER_CONTENT, free_port, installed_iombot, wait_healthy

pytestmark = pytest.mark.e2e


def test_run_webchat_needs_no_token(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "SLACK_", "LINE_", "WEBCHAT_", "IOMBOT_", "PORT", "HOST"))
    }
    env.update(
        PORT=str(port),
        HOST="127.0.0.1",
        IOMBOT_CONTENT_DIR=str(ADAPTER_CONTENT),
        IOMBOT_DATA_DIR=str(tmp_path),
    )
    process = subprocess.Popen(
        [installed_iombot(), "run", "webchat"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = wait_healthy(process, port)
        assert list(health["adapters"]) == ["webchat"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/chat", timeout=5) as page:
            assert page.status == 200
            assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "web chat at /chat" in err
