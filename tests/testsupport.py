"""Helpers shared by the tests that run servers and the installed command."""

from __future__ import annotations

import ast
import socket
import sys
from pathlib import Path

# The made-up topics the Telegram and Slack adapter tests run on, so that rewording the shipped
# content/ never breaks them (tests about the shipped content itself use default_content_dir()).
ADAPTER_CONTENT = Path(__file__).parent / "fixtures" / "adapter_content"


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def installed_iombot() -> str:
    """The `iombot` command installed beside this Python (what users run)."""
    beside = Path(sys.executable).parent / "iombot"
    assert beside.exists(), "the iombot command is not installed next to this Python"
    return str(beside)


def imported_names(path: Path) -> list[str]:
    """Every module a source file imports; relative ones with their leading dots."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names
