"""The wheel holds exactly what the tree holds, and the tests run the working tree.

core/, bots/ and content/ ship as iombot.core, iombot.bots and iombot.content through the
symlinks src/iombot/{core,bots,content}, which hatchling follows. The wheel is built offline (no
build isolation: the test extra brings hatchling) from a clean copy of the files git tracks or
would track; a module deleted with `git rm` is gone from a wheel rebuilt in the same copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import iombot.core

ROOT = Path(__file__).resolve().parents[2]

# tree folder -> its place in the wheel
PACKAGES = {
    "src/iombot/": "iombot/",
    "core/": "iombot/core/",
    "bots/": "iombot/bots/",
    "content/": "iombot/content/",
}
LINKS = {"core": "../../core", "bots": "../../bots", "content": "../../content"}


def tree_files(root: Path) -> list[str]:
    """The files of the checkout: tracked or untracked-not-ignored, and present on disk."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"not a git checkout with git available: {error}")
    names = {os.fsdecode(name) for name in listed.split(b"\0") if name}
    return sorted(name for name in names if os.path.lexists(root / name))


def copy_tree(root: Path, names: list[str], copy: Path) -> None:
    """Copy the listed files, keeping symlinks as symlinks."""
    for name in names:
        source, target = root / name, copy / name
        if source.is_dir() and not source.is_symlink():
            continue  # a submodule: nothing of ours
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)


def expected_wheel_files(root: Path, names: list[str]) -> set[str]:
    """What the wheel must hold: every module, every YAML file under content/, py.typed and the
    web chat's static files."""
    expected = set()
    for name in names:
        for folder, package in PACKAGES.items():
            if not name.startswith(folder) or (root / name).is_symlink():
                continue
            inner = name.removeprefix(folder)
            if (
                inner.endswith(".py")
                or (folder == "content/" and inner.endswith(".yaml"))
                or (folder == "src/iombot/" and inner == "py.typed")
                or (folder == "bots/" and inner.startswith("webchat/static/"))
            ):
                expected.add(package + inner)
    return expected


def build_wheel(source: Path, out: Path) -> Path:
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*pip_wheel, "--no-index", "--quiet", "--wheel-dir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"building the wheel failed:\n{result.stdout}\n{result.stderr}"
    [wheel] = out.glob("*.whl")
    return wheel


def git(tree: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=tree, capture_output=True, check=True)


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    return {
        name
        for name in names
        if not name.endswith("/") and not name.split("/", 1)[0].endswith(".dist-info")
    }


def test_src_links_to_the_top_level_folders():
    for name, target in LINKS.items():
        link = ROOT / "src" / "iombot" / name
        assert link.is_symlink(), f"{link} must be a symlink to {target}"
        assert os.readlink(link) == target


def test_the_wheel_holds_exactly_the_tree(tmp_path):
    names = tree_files(ROOT)
    copy_tree(ROOT, names, tmp_path / "tree")
    wheel = build_wheel(tmp_path / "tree", tmp_path / "dist")

    shipped, expected = wheel_files(wheel), expected_wheel_files(ROOT, names)
    assert "iombot/bots/cli.py" in expected and "iombot/content/contact.yaml" in expected
    assert "iombot/content/asked/contact.yaml" in expected
    assert "iombot/content/strings/en.yaml" in expected
    assert "iombot/content/languages.yaml" in expected
    assert sorted(expected - shipped) == [], "in the tree but missing from the wheel"
    assert sorted(shipped - expected) == [], "in the wheel but not in the tree"


def test_the_wheel_built_from_the_sdist_is_the_same(tmp_path):
    """python -m build makes the wheel from the sdist: the linked folders must be in it."""
    tree = tmp_path / "tree"
    copy_tree(ROOT, tree_files(ROOT), tree)
    made = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path / "sdist")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, f"building the sdist failed:\n{made.stdout}\n{made.stderr}"
    [sdist] = (tmp_path / "sdist").glob("*.tar.gz")

    from_tree = wheel_files(build_wheel(tree, tmp_path / "direct"))
    from_sdist = wheel_files(build_wheel(sdist, tmp_path / "via-sdist"))
    assert "iombot/core/answerer.py" in from_sdist
    assert from_sdist == from_tree


def test_a_module_removed_with_git_rm_leaves_the_rebuilt_wheel(tmp_path):
    """Rebuilding in the same clone reuses no output of the build before (setuptools' build/ did)."""
    tree = tmp_path / "tree"
    copy_tree(ROOT, tree_files(ROOT), tree)
    git(tree, "init", "-q")
    (tree / "core" / "soon_removed.py").write_text('"""A module about to be deleted."""\n')
    (tree / "content" / "later").mkdir()
    (tree / "content" / "later" / "deep.yaml").write_text("id: deep\n")
    git(tree, "add", "core/soon_removed.py", "content/later/deep.yaml")

    first = wheel_files(build_wheel(tree, tmp_path / "first"))
    assert "iombot/core/soon_removed.py" in first
    assert "iombot/content/later/deep.yaml" in first, "YAML at any depth under content/ ships"

    git(tree, "rm", "-q", "-f", "core/soon_removed.py")
    second = wheel_files(build_wheel(tree, tmp_path / "second"))
    assert "iombot/core/soon_removed.py" not in second
    assert first - second == {"iombot/core/soon_removed.py"}


def test_the_tests_run_the_working_tree():
    """The editable install: iombot.core is ./core itself, not an installed copy."""
    installed = Path(iombot.core.__file__).resolve().parent
    assert installed == ROOT / "core", (
        f"iombot is imported from {installed}, not this checkout: "
        "install it editable (pip install -e '.[test]', as `make test` does)"
    )
