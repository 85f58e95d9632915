"""core/ is pure: it imports only the standard library, its own modules and an allow-list of
small libraries; never a platform, a web server, metrics or the bots layer."""

import sys
from pathlib import Path

import iombot.core

from testsupport import imported_names

# What core/ may import besides the standard library and its own modules.
ALLOWED_LIBRARIES = {"yaml", "rapidfuzz", "snowballstemmer", "sudachipy", "jaconv", "pycld2"}


def allowed(name: str) -> bool:
    if name.startswith("."):  # relative: only core's own modules, never ..bots
        return not name.startswith("..")
    top = name.split(".")[0]
    return top == "__future__" or top in sys.stdlib_module_names or top in ALLOWED_LIBRARIES


def test_core_imports_only_the_allow_list():
    core_dir = Path(iombot.core.__file__).resolve().parent
    sources = sorted(core_dir.glob("*.py"))
    assert core_dir == Path(__file__).resolve().parents[2] / "core", "not the working tree"
    assert sources, "core sources not found"
    offenders = [
        f"{path.name}: {name}"
        for path in sources
        for name in imported_names(path)
        if not allowed(name)
    ]
    assert offenders == []


def test_the_check_catches_a_platform_import():
    for name in (
        "telegram",
        "slack_bolt.async_app",
        "aiohttp",
        "prometheus_client",
        "..bots",
        "redis",
    ):
        assert not allowed(name), name
    for name in ("re", "dataclasses", "yaml", ".reply", "importlib.resources"):
        assert allowed(name), name
