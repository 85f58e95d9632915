"""Where the web chat server's CPU goes per message: the adapter built as `iombot run webchat`
builds it (SQLite state in a temporary folder), driven in this process without sockets by the
throughput bench's sessions and questions (200 sessions, 15 questions each, interleaved).

Each part (the core's answer, the state store's calls, the rendering, the metrics…) is timed
inclusively by wrapping it; "glue" is what on_message spent outside them. The periodic write of
the conversation runs outside on_message and is shown apart. What this leaves out, the socket
(aiohttp's framing, the system calls, the loop), is the throughput bench's CPU per message less
this one's. Parts cost more here than alone (the surrounding work evicts their caches): the
core's answer alone is `bench/core_speed.py`'s.

Run: `python bench/webchat_parts.py [--rounds 3]`. Prints the median of the rounds, µs per
message. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import statistics
import tempfile
import time
from collections import Counter
from typing import Any

from webchat_throughput import QUESTIONS

from iombot.bots.bootstrap import build_bot, open_services
from iombot.bots.cli import load_answerer
from iombot.bots.editors.ledger import Ledger
from iombot.bots.handoff.asking import Asking
from iombot.bots.logs import configure_logging
from iombot.bots.settings import Settings
from iombot.bots.shared import Services
from iombot.bots.webchat import PLATFORM
from iombot.bots.webchat import adapter as webchat
from iombot.bots.webchat.transcripts import Transcripts
from iombot.core.answerer import Answerer

TOTAL, PUSH, APPEND, RENDER = "on_message", "push", "conversation: turn kept", "render + entry"
# (owner, attribute, part): each wrapped once, for every round.
PARTS: list[tuple[Any, str, str]] = [
    (Answerer, "answer", "core: Answerer.answer"),
    (Answerer, "act", "core: Answerer.act"),
    (Services, "admit", "state: flood count + profile (pipeline)"),
    (Services, "_remember", "state: language chosen (/lang)"),
    (Services, "answered", "metrics + log line"),
    (Ledger, "note", "editors' ledger (counts, question log)"),
    (Transcripts, "append", APPEND),
    (Transcripts, "note", "conversation: what was written (memory)"),
    (Transcripts, "flush", "conversation: periodic write (outside on_message)"),
    (webchat.WebchatAdapter, "_admit_address", "state: flood count per address"),
    (webchat.WebchatAdapter, "push", PUSH),
    (webchat, "bot_entry", RENDER),
    (Asking, "message", "handoff: a message to staff?"),
    (Asking, "offer", "handoff: a person offered?"),
]


class FakeSocket:
    """A page that takes every frame (the text is made; nothing is written)."""

    closed = False

    async def send_str(self, text: str) -> None:
        return None

    async def close(self, **_: Any) -> None:
        self.closed = True


def wrap(totals: Counter[str], owner: Any, name: str, part: str) -> None:
    original = getattr(owner, name)  # a part renamed away fails here, not silently
    if asyncio.iscoroutinefunction(original):

        @functools.wraps(original)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                totals[part] += time.perf_counter() - started

        setattr(owner, name, timed_async)
        return

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[part] += time.perf_counter() - started

    setattr(owner, name, timed)


async def one_round(totals: Counter[str], sessions: int, questions: int) -> dict[str, float]:
    totals.clear()
    with tempfile.TemporaryDirectory(prefix="webchat-parts-") as folder:
        env = {"IOMBOT_DATA_DIR": folder, "WEBCHAT_ENABLED": "1", "WEBCHAT_ADDRESS_LIMIT": "100000"}
        settings = Settings.from_env(env)
        services = await open_services(settings, answerer=load_answerer(settings.content_dir))
        adapter = build_bot(services, [PLATFORM], [PLATFORM]).adapters[0]
        assert isinstance(adapter, webchat.WebchatAdapter)
        await adapter.start()
        pages = [webchat.Connection(FakeSocket(), "127.0.0.1") for _ in range(sessions)]  # type: ignore[arg-type]
        for page in pages:
            await adapter.on_message(page, {"type": "hello", "session": None})
        totals.clear()  # the welcomes are not measured
        gc.freeze()  # as serve() does after start-up
        cpu = time.process_time()
        for k in range(questions):
            for n, page in enumerate(pages):
                frame = json.dumps({"type": "message", "text": QUESTIONS[(n + k) % len(QUESTIONS)]})
                started = time.perf_counter()
                message = json.loads(frame)
                totals["json.loads of the frame"] += time.perf_counter() - started
                started = time.perf_counter()
                await adapter.on_message(page, message)
                totals[TOTAL] += time.perf_counter() - started
                await asyncio.sleep(0)  # the loop's other tasks (the periodic write) run
        cpu = time.process_time() - cpu
        await adapter.stop()
        await services.ledger.flush()
        await services.state.close()
        gc.unfreeze()
    count = sessions * questions
    figures = {part: seconds / count * 1e6 for part, seconds in totals.items()}
    figures["whole process CPU"] = cpu / count * 1e6
    # push holds the turn kept and the render: what is left is the entry's JSON and its sending.
    figures["entry JSON + send"] = figures.pop(PUSH) - figures[APPEND] - figures[RENDER]
    inside = [p for p in figures if p not in (TOTAL, "whole process CPU") and "outside" not in p]
    figures["glue: adapter and pipeline"] = figures[TOTAL] - sum(figures[p] for p in inside)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--questions", type=int, default=15)
    args = parser.parse_args()
    configure_logging("WARNING", "text")  # as the throughput bench runs the server
    totals: Counter[str] = Counter()
    for owner, name, part in PARTS:
        wrap(totals, owner, name, part)
    runs = [
        asyncio.run(one_round(totals, args.sessions, args.questions)) for _ in range(args.rounds)
    ]
    parts = {part for run in runs for part in run}
    median = {part: statistics.median(run.get(part, 0.0) for run in runs) for part in parts}
    print(f"{args.sessions} sessions x {args.questions} questions, median of {args.rounds}:")
    for part in sorted(median, key=lambda p: -median[p]):
        print(f"{median[part]:7.1f} µs  {part}")


if __name__ == "__main__":
    main()
