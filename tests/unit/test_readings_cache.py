"""The readings of the content's Japanese are worked out once (in a child process, with the
dictionary) and then kept: in the process and in a file in the cache folder, so that a restart
or a reload starts no child unless there is new text. A cache that is broken or can't be written
changes nothing but the time."""

from __future__ import annotations

from pathlib import Path

import pytest

from iombot.core import readings
from iombot.core.answerer import Answerer
from iombot.core.content import default_content_dir, load_content
from iombot.core.readings import ReadingCache


@pytest.fixture
def children(monkeypatch, tmp_path: Path) -> list[list[str]]:
    """The texts each child was asked to read (the child itself stubbed: katakana of the text),
    with the cache in a folder of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    asked: list[list[str]] = []

    def child(texts: list[str]) -> dict[str, str]:
        asked.append(texts)
        return {text: f"ヨミ:{text}" for text in texts}

    monkeypatch.setattr(readings, "_read_in_child", child)
    return asked


def test_texts_read_once_are_not_read_again_in_this_process_or_the_next(children):
    cache = ReadingCache()
    assert cache.read_all(["電話番号", "国連", "かな only"]) == {
        "国連": "ヨミ:国連",
        "電話番号": "ヨミ:電話番号",
    }
    assert children == [["国連", "電話番号"]]  # kana-only text needs no reading
    assert cache.read_all(["国連"]) == {"国連": "ヨミ:国連"}
    later = ReadingCache()  # a new process (or another answerer): the file
    assert later.read_all(["電話番号", "歴史"]) == {
        "電話番号": "ヨミ:電話番号",
        "歴史": "ヨミ:歴史",
    }
    assert children == [["国連", "電話番号"], ["歴史"]]


def test_the_cache_file_is_named_after_the_dictionary(children, tmp_path):
    ReadingCache().read_all(["国連"])
    [file] = (tmp_path / "cache" / "iombot").iterdir()
    assert file.name.startswith("readings-sudachidict-core-") and file.suffix == ".json"


def test_a_broken_cache_file_is_read_again(children, tmp_path):
    ReadingCache().read_all(["国連"])
    [file] = (tmp_path / "cache" / "iombot").iterdir()
    file.write_text("{not json", encoding="utf-8")
    assert ReadingCache().read_all(["国連"]) == {"国連": "ヨミ:国連"}
    assert len(children) == 2


def test_a_cache_folder_that_cannot_be_written_changes_nothing(children, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the folder would be
    cache = ReadingCache()
    assert cache.read_all(["国連"]) == {"国連": "ヨミ:国連"}
    assert cache.read_all(["国連"]) == {"国連": "ヨミ:国連"}
    assert children == [["国連"]]  # still kept in the process


def test_an_answerer_owns_its_cache_and_its_reloads_read_nothing_again(children):
    content = load_content(default_content_dir())
    answerer = Answerer(content)
    assert len(children) == 1  # a cache folder of the test's own: everything read once
    answerer.replace_content(content)
    assert len(children) == 1
    Answerer(content)  # another answerer (a new process): from the file
    assert len(children) == 1
