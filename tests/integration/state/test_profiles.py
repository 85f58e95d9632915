"""One profile per user (a small JSON object of preferences), on every store: memory, a real
SQLite file, a real redis-server; files and keys from before profiles; the resilient wrapper when
its store is lost."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time

import pytest
from state_support import key, locked_sqlite

from iombot.bots.state import MemoryState, ProfileError, StateStore, open_state
from iombot.bots.state.base import PROFILE_BYTES, PROFILE_SECONDS
from iombot.bots.state.redis_store import RedisState
from iombot.bots.state.resilient import ResilientState
from iombot.bots.state.sqlite_store import SqliteState
from iombot.testing.redis_server import RedisServer

DAYS_400_MS = PROFILE_SECONDS * 1000


async def store_raw(store: StateStore, user: str, text: str) -> None:
    """Put `text` where the store keeps a user's profile, as something else might have."""
    if isinstance(store, MemoryState):
        store._profiles.set(user, text)
    elif isinstance(store, SqliteState):
        with contextlib.closing(sqlite3.connect(store.path)) as db, db:
            db.execute(
                "INSERT INTO profiles (user_key, data, expires) VALUES (?, ?, ?)",
                (user, text, time.time() + 60),
            )
    else:
        assert isinstance(store, RedisState)
        await store._redis.set(f"iombot:profile:{user}", text, ex=60)


async def test_a_user_without_a_profile_has_an_empty_one(store):
    user = key()
    assert await store.get_profile(user) == {}
    assert await store.note_message(key(), 60, user) == (1, {})
    assert await store.note_message(key(), 60, None) == (1, {})


async def test_an_update_merges_into_the_profile_and_returns_it(store):
    user, other = key(), key()
    assert await store.update_profile(user, {"language": "ja"}) == {"language": "ja"}
    await store.update_profile(other, {"language": "en"})
    merged = await store.update_profile(user, {"digest": True, "visits": 3, "score": 1.5})
    expected = {"language": "ja", "digest": True, "visits": 3, "score": 1.5}
    assert merged == expected
    got = await store.get_profile(user)
    assert got == expected
    assert got["digest"] is True and type(got["visits"]) is int  # types come back as they went
    got["language"] = "en"  # a copy: the stored profile is not the caller's dict
    merged["language"] = "en"
    assert await store.get_profile(user) == expected
    assert await store.update_profile(user, {"language": "en"}) == {**expected, "language": "en"}
    assert await store.get_profile(other) == {"language": "en"}  # users are kept apart


async def test_a_key_set_to_none_is_removed_and_an_emptied_profile_is_gone(store):
    user = key()
    await store.update_profile(user, {"language": "ja", "digest": False})
    assert await store.update_profile(user, {"digest": None, "never-set": None}) == {
        "language": "ja"
    }
    assert await store.get_profile(user) == {"language": "ja"}
    assert await store.update_profile(user, {"language": None}) == {}
    assert await store.get_profile(user) == {}
    assert await store.update_profile(key(), {}) == {}  # nothing to keep: nothing stored


async def test_a_profile_expires_a_while_after_its_last_update(store):
    store.profile_seconds = 0.6
    user, idle = key(), key()
    await store.update_profile(user, {"language": "ja"})
    await store.update_profile(idle, {"language": "en"})
    await asyncio.sleep(0.4)
    await store.update_profile(user, {"digest": True})  # an update keeps it longer
    assert await store.get_profile(idle) == {"language": "en"}  # reads do not
    await asyncio.sleep(0.4)
    assert await store.get_profile(idle) == {}
    assert await store.get_profile(user) == {"language": "ja", "digest": True}
    await asyncio.sleep(0.4)
    assert await store.get_profile(user) == {}
    assert (await store.note_message(key(), 60, user))[1] == {}


async def test_note_message_counts_and_returns_the_profile_in_one_call(store):
    user, window = key(), key()
    await store.update_profile(user, {"language": "ja", "digest": True})
    assert await store.note_message(window, 60, user) == (1, {"language": "ja", "digest": True})
    assert await store.note_message(window, 60, None) == (2, {})


@pytest.mark.parametrize(
    "text",
    ["not json {", '["ja"]', '"ja"', "42", '{"nested": {"a": 1}}', '{"list": [1]}'],
    ids=["not-json", "array", "string", "number", "nested-object", "list-value"],
)
async def test_a_malformed_stored_profile_reads_as_empty_is_logged_and_can_be_replaced(
    store, caplog, text
):
    user = f"telegram:{key()}"
    await store_raw(store, user, text)
    with caplog.at_level(logging.WARNING, logger="iombot.state"):
        assert await store.get_profile(user) == {}
        assert (await store.note_message(key(), 60, user))[1] == {}
    warnings = [r.getMessage() for r in caplog.records if r.name == "iombot.state"]
    assert len(warnings) == 2 and "telegram profile" in warnings[0]
    assert "not a JSON object" in warnings[0] and user.split(":")[1] not in warnings[0]
    assert await store.update_profile(user, {"language": "ja"}) == {"language": "ja"}
    assert await store.get_profile(user) == {"language": "ja"}


@pytest.mark.parametrize(
    "changes",
    [
        {"bio": "x" * PROFILE_BYTES},
        {"bio": "あ" * 700},  # 700 characters, 2100 bytes of UTF-8
        {"k" * 33: "ja"},
        {"": "ja"},
        {1: "ja"},
        {"tags": ["a", "b"]},
        {"nested": {"a": 1}},
        {"ratio": float("nan")},
    ],
    ids=["too-large", "too-large-utf8", "long-key", "empty-key", "int-key", "list", "dict", "nan"],
)
async def test_a_profile_too_large_or_of_the_wrong_kind_is_refused_and_nothing_changes(
    store, changes
):
    user = key()
    await store.update_profile(user, {"language": "ja"})
    with pytest.raises(ValueError):
        await store.update_profile(user, {**changes, "digest": True})
    assert await store.get_profile(user) == {"language": "ja"}


async def test_a_profile_of_exactly_the_limit_is_kept(store):
    user = key()
    # {"bio":"…"} is 10 bytes of JSON around the value.
    exactly = {"bio": "x" * (PROFILE_BYTES - 10)}
    assert await store.update_profile(user, exactly) == exactly
    with pytest.raises(ProfileError):  # one more key takes it over
        await store.update_profile(user, {"x": 1})
    assert await store.get_profile(user) == exactly


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_concurrent_updates_from_two_clients_lose_no_key(backend, tmp_path, redis_server):
    # Two store objects, the second in a thread with its own event loop (as another process
    # would be), each merging keys of its own into one profile at the same time. (Without the
    # transaction or the WATCH, SQLite lost keys in 5 runs of 5 at 100 each, Redis in 3 of 3
    # at 20; a Redis update may retry once per concurrent one: 20 keeps it quick.)
    url = f"sqlite:///{tmp_path / 'state.db'}" if backend == "sqlite" else redis_server.url
    user, n = key(), (100 if backend == "sqlite" else 20)

    def other_client() -> None:
        async def run() -> None:
            other = await open_state(url)
            try:
                await asyncio.gather(*(other.update_profile(user, {f"b{i}": i}) for i in range(n)))
            finally:
                await other.close()

        asyncio.run(run())

    store = await open_state(url)
    try:
        await asyncio.gather(
            asyncio.to_thread(other_client),
            *(store.update_profile(user, {f"a{i}": i}) for i in range(n)),
        )
        profile = await store.get_profile(user)
        assert profile == {**{f"a{i}": i for i in range(n)}, **{f"b{i}": i for i in range(n)}}
    finally:
        await store.close()


async def test_profiles_are_stored_as_compact_json_kept_400_days(tmp_path, redis_server):
    profile = {"language": "ja", "name": "山田", "digest": True, "n": 3}
    expected = json.dumps(profile, ensure_ascii=False, separators=(",", ":"))
    sqlite_state = await SqliteState.open(tmp_path / "state.db")
    redis_state = await open_state(redis_server.url)
    assert isinstance(redis_state, RedisState)
    try:
        user = key()
        await sqlite_state.update_profile(user, profile)
        await redis_state.update_profile(user, profile)
        with contextlib.closing(sqlite3.connect(tmp_path / "state.db")) as db:
            data, expires = db.execute(
                "SELECT data, expires FROM profiles WHERE user_key = ?", (user,)
            ).fetchone()
        assert data == expected
        assert abs(expires - (time.time() + PROFILE_SECONDS)) < 60
        assert await redis_state._redis.get(f"iombot:profile:{user}") == expected
        ttl = await redis_state._redis.pttl(f"iombot:profile:{user}")
        assert DAYS_400_MS - 60_000 < ttl <= DAYS_400_MS
    finally:
        await redis_state.close()
        await sqlite_state.close()


# The schema of a state file from before profiles (git show fbdc0b6:bots/state/sqlite_store.py).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS languages (
    user_key TEXT PRIMARY KEY, language TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS windows (
    key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counts (
    kind TEXT NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (kind, key));
"""


async def test_a_sqlite_file_from_before_profiles_keeps_its_users_language_choices(tmp_path):
    path = tmp_path / "state.db"
    now = time.time()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(OLD_SCHEMA)
        db.executemany(
            "INSERT INTO languages (user_key, language, expires) VALUES (?, ?, ?)",
            [
                ("telegram:1", "ja", now + 86400),
                ("slack:U2", "en", now + 86400),
                ("line:U3", "ja", now - 1),  # expired: not carried over
            ],
        )
        db.execute("INSERT INTO sequences (name, value) VALUES ('ticket', 7)")
    state = await SqliteState.open(path)
    try:
        assert await state.get_profile("telegram:1") == {"language": "ja"}
        assert await state.get_profile("slack:U2") == {"language": "en"}
        assert await state.get_profile("line:U3") == {}
        assert await state.note_message("w", 60, "telegram:1") == (1, {"language": "ja"})
        assert (await state.count_rows())["profiles"] == 2
        assert await state.next_number("ticket") == 8  # the rest of the file is as it was
        await state.update_profile("telegram:1", {"digest": True})
    finally:
        await state.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        expires = db.execute("SELECT expires FROM profiles WHERE user_key = 'slack:U2'").fetchone()
    assert "languages" not in tables and "profiles" in tables
    assert expires[0] == pytest.approx(now + 86400)  # kept as long as the choice was
    again = await SqliteState.open(path)  # opened again: nothing left to move, nothing lost
    try:
        assert await again.get_profile("telegram:1") == {"language": "ja", "digest": True}
        assert await again.get_profile("slack:U2") == {"language": "en"}
    finally:
        await again.close()


async def test_redis_keys_from_before_profiles_read_as_the_language_until_an_update(
    redis_server,
):
    state = await open_state(redis_server.url)
    assert isinstance(state, RedisState)
    try:
        user, other = key(), key()
        await state._redis.set(f"iombot:lang:{user}", "ja", ex=3600)
        await state._redis.set(f"iombot:lang:{other}", "en", ex=3600)
        assert await state.get_profile(user) == {"language": "ja"}
        assert await state.note_message(key(), 60, user) == (1, {"language": "ja"})
        # The first update moves the language into the profile and deletes the old key.
        assert await state.update_profile(user, {"digest": True}) == {
            "language": "ja",
            "digest": True,
        }
        assert await state._redis.exists(f"iombot:lang:{user}") == 0
        assert await state.update_profile(user, {"language": None}) == {"digest": True}
        assert await state.get_profile(user) == {"digest": True}  # the old key does not return
        # Removing the language moves nothing in: the old key goes, and nothing is left.
        assert await state.update_profile(other, {"language": None}) == {}
        assert await state.get_profile(other) == {}
        assert await state._redis.exists(f"iombot:lang:{other}", f"iombot:profile:{other}") == 0
    finally:
        await state.close()


async def test_an_update_waits_for_another_process_s_write_lock_off_the_event_loop(tmp_path):
    async with locked_sqlite(tmp_path / "state.db") as (state, blocker):
        updating = asyncio.create_task(state.update_profile("telegram:u", {"language": "ja"}))
        ticks = 0
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1
        assert not updating.done() and ticks == 20  # the loop kept running all along
        blocker.execute("COMMIT")
        assert await asyncio.wait_for(updating, 5) == {"language": "ja"}
        assert state.waited == 1
        assert await state.update_profile("telegram:u", {"n": 1}) == {"language": "ja", "n": 1}
        assert state.waited == 1  # the fast path again: no transaction was left open


async def test_the_resilient_store_keeps_profiles_in_memory_while_redis_is_lost():
    with RedisServer() as server:
        state = ResilientState(await open_state(server.url), "test", retry_seconds=0)
        try:
            await state.store.update_profile("telegram:1", {"digest": True})  # another replica
            assert await state.update_profile("telegram:1", {"language": "ja"}) == {
                "digest": True,
                "language": "ja",
            }
            with pytest.raises(ProfileError):  # the caller's mistake: the store is still up
                await state.update_profile("telegram:1", {"bio": "x" * PROFILE_BYTES})
            assert state.up

            server.stop()
            # The whole record the store returned was kept here.
            assert await state.get_profile("telegram:1") == {"digest": True, "language": "ja"}
            assert not state.up
            assert await state.note_message("w", 60, "telegram:1") == (
                1,
                {"digest": True, "language": "ja"},
            )
            assert await state.update_profile("telegram:2", {"language": "en"}) == {
                "language": "en"
            }
            assert await state.get_profile("telegram:2") == {"language": "en"}
            assert await state.get_profile("telegram:3") == {}  # not seen here: the defaults

            server.start()  # back, empty (no persistence)
            assert await state.update_profile("telegram:3", {"language": "ja"}) == {
                "language": "ja"
            }
            assert state.up
            assert await state.get_profile("telegram:2") == {}  # only in memory, during the outage
        finally:
            await state.close()
