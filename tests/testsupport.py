"""Helpers shared by the tests that run servers and the installed command."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from iombot.testing.loopback import free_port as free_port  # the tests take it from here

# The made-up topics the adapter tests run on, so that rewording the shipped
# content/ never breaks them (tests about the shipped content itself use default_content_dir()).
ADAPTER_CONTENT = Path(__file__).parent / "fixtures" / "adapter_content"
# The same topics in Vietnamese and Portuguese too, for every surface's languages (issue 24).
ADAPTER_CONTENT_LANGS = Path(__file__).parent / "fixtures" / "adapter_content_langs"


def installed_iombot() -> str:
    """The `iombot` command installed beside this Python (what users run)."""
    beside = Path(sys.executable).parent / "iombot"
    assert beside.exists(), "the iombot command is not installed next to this Python"
    return str(beside)


def iombot_report(state_url: str, *args: str, content_dir: Path = ADAPTER_CONTENT) -> str:
    """`iombot report …` on a state store, as editors run it (no platform variables); its output."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("IOMBOT_", "TELEGRAM_", "SLACK_"))
    }
    env.update(IOMBOT_STATE_URL=state_url, IOMBOT_CONTENT_DIR=str(content_dir))
    result = subprocess.run(
        [installed_iombot(), "report", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def wait_healthy(process: subprocess.Popen, port: int, timeout: float = 20) -> dict:
    """Until `iombot run` (the process) answers /healthz with 200; its report. Fails at once if
    the process ends, showing what it said on stderr."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return json.loads(answer.read())
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.2)
    raise AssertionError("iombot run did not become healthy")


def imported_names(path: Path) -> list[str]:
    """Every module a source file imports; relative ones with their leading dots."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names
