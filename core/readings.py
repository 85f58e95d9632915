"""Japanese readings, so that a question typed in kana finds content written in kanji.

The content's Japanese is read once, when it is loaded, by SudachiPy with its core dictionary
(the most accurate reader of those we compared; Apache-2.0), in a short-lived child process
(`python -m iombot.core.readings`): the dictionary takes 130-180 MB while loaded, and a process
that has loaded it, even once released, spent about 190 µs more CPU on every Telegram update
afterwards (bench/telegram_throughput.py, 2026-11-29). The bot's own process never loads it.
Questions need no analyser: their kana are folded (`fold_kana`) and matched against the
readings, their kanji against the content's kanji.

A reading the dictionary gets wrong (a name, say) is fixed in the content itself: a keyword
written in kana.

Readings already worked out are kept by a `ReadingCache`, which whoever builds the index owns
(the Answerer, whose reloads reuse it), and in a file in the user's cache folder
(`$XDG_CACHE_HOME/iombot`, else `~/.cache/iombot`; named after the dictionary's version), so a
restart or a reload reads only new texts, and starts no child at all when there are none: the
child and its dictionary took about 150 ms of every content load (bench/core_speed.py). A cache
that can't be read or written is worked around, never an error.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

_KANJI = re.compile(r"[\u3005\u3006\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30f6]")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
# Long vowels written three ways (ホームページ, ほーむぺーじ, ほうむぺえじ) fold into one: ー
# goes, and so does a vowel kana that only lengthens the one before (おう, えい, ああ, …).
_VOWEL_OF = {
    kana: vowel
    for vowel, row in zip(
        "aiueo",
        (
            "あかさたなはまやらわがざだばぱゃぁ",
            "いきしちにひみりぎじぢびぴぃ",
            "うくすつぬふむゆるぐずづぶぷゅぅ",
            "えけせてねへめれげぜでべぺぇ",
            "おこそとのほもよろをごぞどぼぽょぉ",
        ),
        strict=True,
    )
    for kana in row
}
_LENGTHENERS = {"a": "あ", "i": "い", "u": "う", "e": "えい", "o": "おう"}


def _fold_long_vowels(text: str) -> str:
    out: list[str] = []
    for char in text:
        if char == "ー":
            continue
        if out and char in _LENGTHENERS.get(_VOWEL_OF.get(out[-1], ""), ""):
            continue
        out.append(char)
    return "".join(out)


# What every reader says of 日本 (にっぽん) against what people type (にほん).
_FIXES = (("にっぽん", "にほん"),)


def to_hiragana(text: str) -> str:
    return text.translate(_KATAKANA_TO_HIRAGANA)


@lru_cache(maxsize=16384)  # the same runs recur (particles, endings) in every text
def fold_kana(text: str) -> str:
    """Kana as they are matched: hiragana, long vowels folded. Other characters are kept."""
    text = to_hiragana(text)
    for wrong, right in _FIXES:
        text = text.replace(wrong, right)
    return _fold_long_vowels(text)


class Reader:
    """Reads Japanese text aloud, as kana; use as a context manager, so that the dictionary is
    released when the content has been read."""

    def __enter__(self) -> Reader:
        from sudachipy import Dictionary, SplitMode  # loaded only while content is read

        self._dictionary = Dictionary(dict="core")
        self._tokenizer = self._dictionary.tokenizer(mode=SplitMode.C, fields={"reading_form"})
        return self

    def __exit__(self, *exc: object) -> None:
        del self._tokenizer
        self._dictionary.close()
        del self._dictionary
        gc.collect()

    def reading(self, text: str) -> str:
        """The text with every word that has kanji replaced by its reading (in kana); Latin
        letters, digits and kana kept as written (the dictionary would spell out "IOM")."""
        if not _KANJI.search(text):
            return text
        return "".join(
            token.reading_form() if _KANJI.search(token.surface()) else token.surface()
            for token in self._tokenizer.tokenize(text)
        )


class ReadingError(Exception):
    """The reader could not run (a broken install): said for a person."""


def _read_in_child(texts: list[str]) -> dict[str, str]:
    try:
        child = subprocess.run(
            [sys.executable, "-m", __name__],
            input=json.dumps(texts, ensure_ascii=False),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ReadingError(f"could not read the Japanese content: {error}") from None
    if child.returncode != 0:
        last = (child.stderr.strip().splitlines() or ["no message"])[-1]
        raise ReadingError(f"could not read the Japanese content: {last}")
    return json.loads(child.stdout)


class ReadingCache:
    """Readings by text: loaded from the cache file on first use, saved when it grew."""

    def __init__(self) -> None:
        self._readings: dict[str, str] | None = None
        self._saved = 0

    def read_all(self, texts: Iterable[str]) -> dict[str, str]:
        """The reading of each distinct text that has kanji: from the cache, and the rest
        worked out in a child process (and kept)."""
        wanted = sorted({text for text in texts if _KANJI.search(text)})
        if not wanted:
            return {}
        known = self.readings()
        missing = [text for text in wanted if text not in known]
        if missing:
            known.update(_read_in_child(missing))
            self.save()
        return {text: known[text] for text in wanted}

    def path(self) -> Path:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        try:
            version = metadata.version("sudachidict-core")
        except metadata.PackageNotFoundError:
            version = "unknown"
        return Path(base) / "iombot" / f"readings-sudachidict-core-{version}.json"

    def readings(self) -> dict[str, str]:
        if self._readings is None:
            self._readings = {}
            try:
                loaded = json.loads(self.path().read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._readings = {
                        k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, str)
                    }
            except (OSError, ValueError, RuntimeError):
                pass  # none yet, or unreadable: worked out again
            self._saved = len(self._readings)
        return self._readings

    def save(self) -> None:
        readings = self.readings()
        if len(readings) == self._saved:
            return
        path = self.path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
            ) as file:
                json.dump(readings, file, ensure_ascii=False)
            os.replace(file.name, path)  # whole or not at all, for another process reading it
            self._saved = len(readings)
        except (OSError, RuntimeError) as error:
            log.debug("readings not cached in %s: %s", path, error)


def read_here(texts: list[str]) -> dict[str, str]:
    """The readings, in this process (the child's work)."""
    with Reader() as reader:
        return {text: reader.reading(text) for text in texts}


if __name__ == "__main__":  # the child: texts as JSON on stdin, readings as JSON on stdout
    json.dump(read_here(json.load(sys.stdin)), sys.stdout, ensure_ascii=False)
