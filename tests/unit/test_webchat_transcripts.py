"""A web chat conversation as a ring of turns in the state store."""

from __future__ import annotations

from iombot.bots.state import MemoryState
from iombot.bots.webchat.transcripts import TURNS, Transcripts


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
