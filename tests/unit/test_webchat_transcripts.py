"""A web chat conversation as a ring of turns in the state store."""

from __future__ import annotations

import asyncio
import json

import pytest

from iombot.bots.state import MemoryState
from iombot.bots.webchat.deliver import bot_entry
from iombot.bots.webchat.render import render
from iombot.bots.webchat.transcripts import (
    FLUSH_SECONDS,
    HEAD,
    TURNS,
    Transcripts,
    encode,
    entry_json,
)
from iombot.core.reply import Paragraph, Phone, Reply, ReplyKind, Text


async def test_the_latest_turns_come_back_in_order():
    transcripts = Transcripts(MemoryState(), days=1)
    for n in range(TURNS + 5):
        transcripts.note("s", {"from": "user", "text": f"q{n}"})
        await transcripts.append("s", {"from": "bot", "id": f"a{n}"})
    transcripts.note("s", {"from": "user", "text": "not answered yet"})
    entries = await transcripts.load("s")
    assert len(entries) == 2 * TURNS + 1
    assert entries[0] == {"from": "user", "text": "q5"}
    assert entries[-2:] == [
        {"from": "bot", "id": f"a{TURNS + 4}"},
        {"from": "user", "text": "not answered yet"},
    ]
    assert await transcripts.load("other") == []


async def test_another_process_adds_to_the_same_conversation():
    state = MemoryState()
    web, staff = Transcripts(state, days=1), Transcripts(state, days=1)
    web.note("s", {"from": "user", "text": "hello"})
    await web.append("s", {"from": "bot", "id": "a1"})
    await staff.append("s", {"from": "bot", "id": "staff"})
    assert [e.get("id") or e["text"] for e in await web.load("s")] == ["hello", "a1", "staff"]


async def test_nothing_is_kept_with_no_retention():
    transcripts = Transcripts(MemoryState(), days=0)
    transcripts.note("s", {"from": "user", "text": "q"})
    await transcripts.append("s", {"from": "bot", "id": "a"})
    assert await transcripts.load("s") == []


async def test_while_serving_turns_are_written_behind_and_all_at_stop():
    state = MemoryState()
    web, other = Transcripts(state, days=1), Transcripts(state, days=1)  # other: another process
    web.start()
    for n in range(3):
        web.note("s", {"from": "user", "text": f"q{n}"})
        await web.append("s", {"from": "bot", "id": f"a{n}"})
    assert len(await web.load("s")) == 6  # this process reads what waits
    assert await state.get_record(HEAD, "s") is None  # not written yet
    await web.stop()
    assert len(await other.load("s")) == 6  # nothing lost
    await web.append("s", {"from": "bot", "id": "after"})  # stopped: written at once
    assert (await other.load("s"))[-1] == {"from": "bot", "id": "after"}


async def test_turns_written_behind_reach_the_store_within_the_flush_interval():
    state = MemoryState()
    web = Transcripts(state, days=1)
    web.start()
    try:
        await web.append("s", {"from": "bot", "id": "a"})
        await asyncio.sleep(FLUSH_SECONDS * 2.5)
        assert await state.get_record(HEAD, "s") == {"n": 1}
    finally:
        await web.stop()


async def test_a_flush_that_fails_keeps_the_turns_for_the_next():
    class Failing(MemoryState):
        fail = True

        async def put_records(self, records, ttl):
            if self.fail:
                raise OSError("disk full")
            await super().put_records(records, ttl)

    state = Failing()
    web = Transcripts(state, days=1)
    web.buffered = True  # written behind, without the periodic flush
    await web.append("s", {"from": "bot", "id": "a"})
    with pytest.raises(OSError):
        await web.flush()
    await web.append("s", {"from": "bot", "id": "b"})  # the next turn, after the one kept
    state.fail = False
    await web.flush()
    entries = await Transcripts(state, days=1).load("s")
    assert [e["id"] for e in entries] == ["a", "b"]


def test_a_bot_entry_s_json_is_the_text_json_would_give():
    reply = Reply(
        kind=ReplyKind.TOPIC,
        language="ja",
        topic="contact",
        title='電話 "03"',
        blocks=(Paragraph((Text("<b>\\ 改行\n"), Phone("03-1234", "+81312345678"))),),
    )
    entry = bot_entry(reply, ("役に立った", "役に立たなかった"))
    compact = json.dumps(dict(entry), ensure_ascii=False, separators=(",", ":"))
    assert entry_json(entry) == compact
    assert (
        encode([{"from": "user", "text": "q"}, entry])
        == f'[{{"from":"user","text":"q"}},{compact}]'
    )
    assert json.loads(compact)["reply"] == render(reply, ("役に立った", "役に立たなかった"))
