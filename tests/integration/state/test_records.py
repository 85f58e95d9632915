"""Records (small JSON dicts under kind/key, with a TTL) and shared counters, on every store:
memory, a real SQLite file, a real redis-server; and the resilient wrapper when its store is lost."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from state_support import key, locked_sqlite

from iombot.bots.state import open_state
from iombot.bots.state.redis_store import RedisState
from iombot.bots.state.resilient import ResilientState
from iombot.bots.state.sqlite_store import SqliteState
from iombot.testing.redis_server import RedisServer

TICKET = {
    "user": "telegram:42",
    "name": "山田 太郎",
    "topic": "ビザ",
    "note": None,
    "at": 1.5,
    "n": 3,
}


async def test_a_record_comes_back_as_it_was_put_japanese_and_none_included(store):
    kind, ticket = key(), key()
    assert await store.get_record(kind, ticket) is None
    await store.put_record(kind, ticket, TICKET, 60)
    got = await store.get_record(kind, ticket)
    assert got == TICKET and isinstance(got["n"], int) and got["note"] is None
    got["name"] = "changed"  # a copy: the stored record is not the caller's dict
    assert await store.get_record(kind, ticket) == TICKET
    assert await store.get_record(key(), ticket) is None  # another kind, same key


async def test_a_record_is_replaced_whole_then_deleted(store):
    kind, ticket = key(), key()
    await store.put_record(kind, ticket, TICKET, 60)
    await store.put_record(kind, ticket, {"user": "slack:U1", "claimed_by": 7}, 60)
    assert await store.get_record(kind, ticket) == {"user": "slack:U1", "claimed_by": 7}
    await store.delete_record(kind, ticket)
    assert await store.get_record(kind, ticket) is None
    assert await store.list_records(kind) == []
    await store.delete_record(kind, ticket)  # deleting what is gone is no error


async def test_a_record_expires_after_its_ttl_and_a_put_renews_it(store):
    kind, short, renewed = key(), key(), key()
    await store.put_record(kind, short, {"n": 1}, 0.2)
    await store.put_record(kind, renewed, {"n": 2}, 0.2)
    await store.put_record(kind, renewed, {"n": 3}, 60)  # replaced: the new ttl counts
    assert await store.get_record(kind, short) == {"n": 1}
    await asyncio.sleep(0.3)
    assert await store.get_record(kind, short) is None
    assert await store.get_record(kind, renewed) == {"n": 3}


async def test_records_put_together_come_back_each_as_put_once(store):
    kind, other = key(), key()
    await store.put_record(kind, "a", {"n": 0}, 60)
    batch = [(kind, "a", {"n": 1}), (kind, "b", TICKET), (other, "a", {"n": 3})]
    await store.put_records(batch, 60)
    assert await store.get_record(kind, "a") == {"n": 1}  # replaced
    assert await store.get_record(kind, "b") == TICKET
    assert await store.get_record(other, "a") == {"n": 3}
    await store.put_records([(kind, "short", {"n": 4})], 0.2)
    await store.put_records([], 60)  # nothing to write is no error
    await asyncio.sleep(0.3)
    assert await store.get_record(kind, "short") is None  # the batch's ttl


async def test_a_batch_meeting_another_process_s_write_lock_waits_on_the_thread(tmp_path):
    async with locked_sqlite(tmp_path / "state.db") as (state, blocker):
        writing = asyncio.create_task(state.put_records([("k", "a", {"n": 1})] * 2, 60))
        await asyncio.sleep(0.2)
        assert not writing.done()
        blocker.execute("COMMIT")
        await asyncio.wait_for(writing, 5)
        assert state.waited == 1
        assert await state.get_record("k", "a") == {"n": 1}


async def test_list_records_gives_the_live_records_of_one_kind_only(store):
    kind = key()
    await store.put_record(kind, "a", {"id": "a"}, 60)
    await store.put_record(kind, "b", {"id": "b", "text": "こんにちは"}, 60)
    await store.put_record(kind, "old", {"id": "old"}, 0.2)
    await store.put_record(f"{kind}x", "c", {"id": "c"}, 60)  # a kind that starts the same
    await store.put_record(f"{kind}*", "e", {"id": "e"}, 60)  # a glob character, as a name
    await asyncio.sleep(0.3)
    listed = await store.list_records(kind)
    assert sorted(listed, key=lambda r: str(r["id"])) == [
        {"id": "a"},
        {"id": "b", "text": "こんにちは"},
    ]
    assert await store.list_records(f"{kind}*") == [{"id": "e"}]
    assert await store.list_records(key()) == []


async def test_next_number_counts_from_one_per_name(store):
    name, other = key(), key()
    assert [await store.next_number(name) for _ in range(3)] == [1, 2, 3]
    assert await store.next_number(other) == 1
    assert await store.next_number(name) == 4


async def test_counts_add_up_per_key_and_expire_from_their_first_count(store):
    kind, other = key(), key()
    for _ in range(3):
        await store.add_count(kind, "2026-11-29|contact|ja", 0.4)
    await store.add_count(kind, "2026-11-29|about|en", 60)
    await store.add_count(other, "2026-11-29|contact|ja", 60)
    assert await store.list_counts(kind) == {"2026-11-29|contact|ja": 3, "2026-11-29|about|en": 1}
    await asyncio.sleep(0.5)
    assert await store.list_counts(kind) == {"2026-11-29|about|en": 1}
    await store.add_count(kind, "2026-11-29|contact|ja", 60)  # a fresh count after expiry
    assert (await store.list_counts(kind))["2026-11-29|contact|ja"] == 1


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_two_connections_share_counts(backend, tmp_path, redis_server):
    url = f"sqlite:///{tmp_path / 'state.db'}" if backend == "sqlite" else redis_server.url
    store, other = await open_state(url), await open_state(url)
    try:
        kind = key()
        await asyncio.gather(
            *(s.add_count(kind, "k", 60) for _ in range(25) for s in (store, other))
        )
        assert await other.list_counts(kind) == {"k": 50}
    finally:
        await other.close()
        await store.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_two_connections_share_records_and_numbers(backend, tmp_path, redis_server):
    url = f"sqlite:///{tmp_path / 'state.db'}" if backend == "sqlite" else redis_server.url
    store = await open_state(url)
    other = await open_state(url)  # as a second replica would
    try:
        name, kind = key(), key()
        assert await store.next_number(name) == 1
        assert await other.next_number(name) == 2
        assert await store.next_number(name) == 3
        # Concurrent callers on both connections: every number given out once.
        numbers = await asyncio.gather(
            *(s.next_number(name) for _ in range(20) for s in (store, other))
        )
        assert sorted(numbers) == list(range(4, 44))
        await store.put_record(kind, "t1", TICKET, 60)
        assert await other.get_record(kind, "t1") == TICKET
        assert await other.list_records(kind) == [TICKET]
        await other.delete_record(kind, "t1")
        assert await store.get_record(kind, "t1") is None
    finally:
        await other.close()
        await store.close()


async def test_records_are_stored_as_compact_json_with_the_text_as_is(tmp_path, redis_server):
    expected = json.dumps(TICKET, ensure_ascii=False, separators=(",", ":"))
    sqlite_state = await SqliteState.open(tmp_path / "state.db")
    redis_state = await open_state(redis_server.url)
    assert isinstance(redis_state, RedisState)
    try:
        kind = key()
        await sqlite_state.put_record(kind, "t", TICKET, 60)
        await redis_state.put_record(kind, "t", TICKET, 60)
        with sqlite3.connect(tmp_path / "state.db") as db:
            row = db.execute("SELECT value FROM records WHERE kind = ?", (kind,)).fetchone()
        assert row[0] == expected
        assert await redis_state._redis.get(f"iombot:rec:{kind}:t") == expected
        assert 0 < await redis_state._redis.pttl(f"iombot:rec:{kind}:t") <= 60_000
        # The counter is the one key kept for ever: a counter that started again would reuse
        # ticket numbers.
        name = key()
        await redis_state.next_number(name)
        assert await redis_state._redis.pttl(f"iombot:seq:{name}") == -1
    finally:
        await redis_state.close()
        await sqlite_state.close()


async def test_sqlite_sweep_deletes_expired_records_and_keeps_the_counters(tmp_path):
    state = await SqliteState.open(tmp_path / "state.db")
    try:
        for n in range(10):
            await state.put_record("ticket", f"old{n}", {"n": n}, 0.1)
        await state.put_record("ticket", "open", {"n": 99}, 60)
        assert [await state.next_number("ticket") for _ in range(2)] == [1, 2]
        assert (await state.count_rows())["records"] == 11
        await asyncio.sleep(0.2)
        assert await state.sweep() == 10
        assert (await state.count_rows())["records"] == 1
        assert await state.list_records("ticket") == [{"n": 99}]
        assert await state.next_number("ticket") == 3  # sequences never expire
    finally:
        await state.close()


async def test_the_resilient_store_serves_records_from_memory_while_redis_is_lost():
    with RedisServer() as server:
        state = ResilientState(await open_state(server.url), "test", retry_seconds=0)
        try:
            await state.put_record("ticket", "t1", TICKET, 60)
            assert await state.next_number("ticket") == 1
            assert state.up

            server.stop()  # killed, as a lost server would be
            await state.put_record("ticket", "t2", {"n": 2}, 60)
            assert not state.up and state.error is not None
            assert await state.get_record("ticket", "t2") == {"n": 2}
            await state.put_records([("ticket", "t4", {"n": 4})], 60)
            assert await state.get_record("ticket", "t4") == {"n": 4}
            await state.delete_record("ticket", "t4")
            assert await state.get_record("ticket", "t1") is None  # only in Redis
            assert await state.list_records("ticket") == [{"n": 2}]
            assert await state.next_number("ticket") == 1  # this process's own counter
            await state.delete_record("ticket", "t2")
            assert await state.get_record("ticket", "t2") is None

            server.start()  # back, empty (no persistence)
            await state.put_record("ticket", "t3", {"n": 3}, 60)
            assert state.up
            assert await state.list_records("ticket") == [{"n": 3}]
            assert await state.next_number("ticket") == 1  # Redis's counter again
        finally:
            await state.close()
