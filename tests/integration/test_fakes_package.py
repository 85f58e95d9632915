"""iombot.testing (the fake platforms shared by the tests, the benches and the container smoke
test) needs only the standard library and aiohttp: scripts/compose-smoke imports it with
PYTHONPATH=src from a venv that holds aiohttp and podman-compose, nothing else of the bot's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import iombot.testing

from testsupport import imported_names

TESTING_DIR = Path(iombot.testing.__file__).resolve().parent
SRC = TESTING_DIR.parents[1]
MODULES = sorted(TESTING_DIR.glob("*.py"))


def allowed(name: str) -> bool:
    if name.startswith("."):  # relative: only iombot.testing's own modules
        return not name.startswith("..")
    top = name.split(".")[0]
    return (
        top in ("__future__", "aiohttp")
        or top in sys.stdlib_module_names
        or name.startswith("iombot.testing")
    )


def test_the_fakes_import_only_the_standard_library_and_aiohttp():
    root = Path(__file__).resolve().parents[2]
    assert root / "src" / "iombot" / "testing" == TESTING_DIR, "not the working tree"
    assert {path.stem for path in MODULES} >= {"__init__", "telegram", "slack", "background"}
    offenders = [
        f"{path.name}: {name}"
        for path in MODULES
        for name in imported_names(path)
        if not allowed(name)
    ]
    assert offenders == []


def test_the_check_catches_the_bot_and_platform_libraries():
    for name in ("iombot.core.content", "iombot.bots", "..core", "telegram", "slack_sdk", "yaml"):
        assert not allowed(name), name
    for name in ("aiohttp.web", "asyncio", ".telegram", "iombot.testing.slack"):
        assert allowed(name), name


def test_importing_them_from_src_loads_nothing_of_the_bot_nor_its_libraries():
    """As scripts/compose-smoke runs them: PYTHONPATH=src (here beside the full venv, so what
    matters is what gets loaded)."""
    modules = [f"iombot.testing.{path.stem}" for path in MODULES if path.stem != "__init__"]
    code = (
        f"import {', '.join(modules)}, sys; "
        "print('\\n'.join(sorted({name.split('.')[0] for name in sys.modules})));"
        "print('\\n'.join(name for name in sys.modules if name.startswith('iombot')))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    for forbidden in (
        "telegram",
        "slack_sdk",
        "slack_bolt",
        "yaml",
        "rapidfuzz",
        "prometheus_client",
    ):
        assert forbidden not in loaded
    assert {name for name in loaded if name.startswith("iombot.")} == set(modules) | {
        "iombot.testing"
    }
