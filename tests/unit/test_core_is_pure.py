"""core/ knows nothing of any platform: no Telegram, Slack or web-server import."""

import ast
from pathlib import Path

import iombot.core

FORBIDDEN = ("telegram", "slack_bolt", "slack_sdk", "aiohttp", "prometheus_client", "iombot.bots")


def test_core_imports_no_platform_library():
    core_dir = Path(iombot.core.__file__).parent
    offenders = []
    for path in sorted(core_dir.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else [f"..{node.module}"]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.startswith(FORBIDDEN) or n.startswith("..bots")
            ]
    assert list(core_dir.glob("*.py")), "core sources not found"
    assert offenders == []
