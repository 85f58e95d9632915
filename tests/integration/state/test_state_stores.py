"""The same contract for every state store: memory, a real SQLite file, a real redis-server."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from state_support import key, locked_sqlite

from iombot.bots.state import StateError, describe_url, open_state, url_problem
from iombot.bots.state.redis_store import RedisState
from iombot.bots.state.sqlite_store import SqliteState
from iombot.bots.state.sweeper import StateSweeper


async def test_an_event_id_is_new_once_then_again_after_its_ttl(store):
    event = key()
    assert await store.first_time(event, 0.3) is True
    assert await store.first_time(event, 0.3) is False
    assert await store.first_time(key(), 0.3) is True  # others are unaffected
    await asyncio.sleep(0.4)
    assert await store.first_time(event, 0.3) is True


async def test_a_flood_window_counts_then_starts_again(store):
    sender = key()
    assert [await store.count_in_window(sender, 0.3) for _ in range(3)] == [1, 2, 3]
    assert await store.count_in_window(key(), 0.3) == 1
    await asyncio.sleep(0.4)
    assert await store.count_in_window(sender, 0.3) == 1


async def test_a_lock_has_one_owner_until_it_expires(store):
    job = key()
    assert await store.acquire_lock(job, "a", 0.3) is True
    assert await store.acquire_lock(job, "b", 0.3) is False
    assert await store.acquire_lock(job, "a", 0.3) is True  # its own: extended
    await asyncio.sleep(0.4)
    assert await store.acquire_lock(job, "b", 0.3) is True


async def test_concurrent_first_time_calls_admit_exactly_one(store):
    event = key()
    results = await asyncio.gather(*(store.first_time(event, 10) for _ in range(20)))
    assert results.count(True) == 1


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_two_connections_to_one_store_see_the_same_state(backend, tmp_path, redis_server):
    url = f"sqlite:///{tmp_path / 'state.db'}" if backend == "sqlite" else redis_server.url
    store = await open_state(url)
    other = await open_state(url)  # as a second replica would
    try:
        user, event = key(), key()
        await store.update_profile(user, {"language": "ja"})
        assert await other.get_profile(user) == {"language": "ja"}
        assert await store.first_time(event, 10) and not await other.first_time(event, 10)
        sender = key()
        await store.count_in_window(sender, 10)
        assert await other.count_in_window(sender, 10) == 2
        job = key()
        assert await store.acquire_lock(job, "one", 10)
        assert not await other.acquire_lock(job, "two", 10)
    finally:
        await other.close()
        await store.close()


async def test_sqlite_sweep_deletes_what_has_expired_and_nothing_else(tmp_path):
    state = await SqliteState.open(tmp_path / "state.db")
    try:
        for n in range(50):
            await state.first_time(f"old{n}", 0.1)
            await state.count_in_window(f"old{n}", 0.1)
        await state.acquire_lock("old", "x", 0.1)
        await state.first_time("fresh", 60)
        await state.update_profile("telegram:1", {"language": "ja"})
        assert await state.count_rows() == {
            "profiles": 1,
            "seen": 51,
            "windows": 50,
            "locks": 1,
            "records": 0,
            "counts": 0,
        }
        await asyncio.sleep(0.2)
        assert await state.sweep() == 101
        assert await state.count_rows() == {
            "profiles": 1,
            "seen": 1,
            "windows": 0,
            "locks": 0,
            "records": 0,
            "counts": 0,
        }
        assert not await state.first_time("fresh", 60)
    finally:
        await state.close()


async def test_every_redis_key_carries_a_ttl_so_redis_forgets_it(redis_server):
    state = await open_state(redis_server.url)
    assert isinstance(state, RedisState)
    try:
        prefix = key()
        await state.update_profile(f"{prefix}:user", {"language": "ja"})
        await state.first_time(f"{prefix}:event", 0.2)
        await state.count_in_window(f"{prefix}:sender", 0.2)
        await state.acquire_lock(f"{prefix}:job", "me", 0.2)
        keys = [k async for k in state._redis.scan_iter(match=f"iombot:*{prefix}*")]
        assert len(keys) == 4
        for name in keys:
            assert await state._redis.pttl(name) > 0, name  # -1 would mean: kept for ever
        await asyncio.sleep(0.3)
        remaining = [k async for k in state._redis.scan_iter(match=f"iombot:*{prefix}*")]
        assert remaining == [f"iombot:profile:{prefix}:user"]  # a profile is kept 400 days
    finally:
        await state.close()


async def test_sqlite_file_that_is_not_a_database_is_refused_naming_the_path(tmp_path):
    path = tmp_path / "state.db"
    path.write_text("this is not SQLite\n" * 100)
    with pytest.raises(StateError, match=str(path)) as caught:
        await open_state(f"sqlite:///{path}")
    assert "not a database" in str(caught.value)


async def test_sqlite_path_that_cannot_be_created_is_refused_naming_the_path(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    path = blocker / "state.db"  # a folder that is a file: no one can write here, root included
    with pytest.raises(StateError, match=str(path)):
        await open_state(f"sqlite:///{path}")


async def test_redis_unreachable_or_refusing_the_password_names_the_setting_not_the_password():
    from iombot.testing.redis_server import RedisServer

    with RedisServer(password="s3cret-pass") as server:
        wrong = server.url.replace("s3cret-pass", "wrong-pass")
        with pytest.raises(StateError) as refused:
            await open_state(wrong)
        message = str(refused.value)
        assert message.startswith("IOMBOT_STATE_URL:") and "refused" in message
        assert "wrong-pass" not in message and "s3cret-pass" not in message
        missing = server.url.replace(":s3cret-pass@", "")
        with pytest.raises(StateError, match="refused"):
            await open_state(missing)  # NOAUTH
        ok = await open_state(server.url)
        await ok.close()
        port = server.port
    with pytest.raises(StateError) as unreachable:
        await open_state(f"redis://:s3cret-pass@127.0.0.1:{port}/0")
    message = str(unreachable.value)
    assert "cannot reach Redis at 127.0.0.1" in message and "s3cret-pass" not in message


def test_state_urls_are_checked_and_shown_without_passwords():
    assert url_problem("sqlite:///data/state.db") is None
    assert url_problem("sqlite:////var/lib/iombot/state.db") is None
    assert url_problem("redis://:pw@redis:6379/0") is None
    assert url_problem("rediss://cache.example.org:6380/1") is None
    assert url_problem("postgres://x") and url_problem("sqlite://") and url_problem("redis://")
    assert describe_url("redis://:pw@redis:6379/0") == "redis://redis:6379/0"
    assert describe_url("redis://user:pw@redis/0") == "redis://redis/0"
    assert describe_url("sqlite:////var/lib/iombot/state.db") == "sqlite:/var/lib/iombot/state.db"


def test_the_sqlite_file_is_in_wal_mode_for_several_processes(tmp_path):
    async def make():
        state = await open_state(f"sqlite:///{tmp_path / 'state.db'}")
        await state.close()

    asyncio.run(make())
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_the_scheduled_sweep_runs_on_one_replica_per_interval(
    backend, tmp_path, redis_server
):
    url = f"sqlite:///{tmp_path / 'state.db'}" if backend == "sqlite" else redis_server.url
    one, two = await open_state(url), await open_state(url)
    try:
        first, second = StateSweeper(one, 0.5), StateSweeper(two, 0.5)
        await one.first_time(key(), 0.01)
        await asyncio.sleep(0.05)
        swept = await first.sweep_once()
        assert swept == (1 if backend == "sqlite" else 0)  # Redis expires keys itself
        assert await second.sweep_once() is None  # the lock: this interval is taken
        await asyncio.sleep(0.5)
        assert await second.sweep_once() is not None  # the next interval is anyone's
    finally:
        await one.close()
        await two.close()


async def test_the_service_sweeps_the_sqlite_file_while_running(tmp_path):
    from iombot.bots.bootstrap import open_services
    from iombot.bots.settings import Secret, Settings
    from iombot.core.content import default_content_dir

    url = f"sqlite:///{tmp_path / 'state.db'}"
    settings = Settings(content_dir=default_content_dir(), state_url=Secret(url))
    services = await open_services(settings)
    sweeper = StateSweeper(services.state, 0.1)
    try:
        for n in range(100):
            await services.state.first_time(f"event{n}", 0.05)
        sweeper.start()
        store = services.state.store
        for _ in range(50):
            if (await store.count_rows())["seen"] == 0:
                break
            await asyncio.sleep(0.05)
        assert (await store.count_rows())["seen"] == 0  # the file does not grow without bound
    finally:
        await sweeper.stop()
        await services.state.close()


async def test_another_process_s_write_lock_never_makes_the_event_loop_wait(tmp_path):
    # A second writer (here: another connection holding the write lock, as another process
    # would) makes the fast path say BUSY at once; the statement then waits on the store's
    # thread, while the loop goes on serving.
    async with locked_sqlite(tmp_path / "state.db") as (state, blocker):
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        running = asyncio.create_task(ticker())
        waiting = asyncio.create_task(state.note_message("flood:u", 60, "telegram:u"))
        await asyncio.sleep(0.3)
        assert not waiting.done() and ticks >= 20  # the loop kept running all along
        blocker.execute("COMMIT")
        assert await asyncio.wait_for(waiting, 5) == (1, {})
        assert state.waited == 1
        running.cancel()
        assert await state.count_in_window("flood:u", 60) == 2  # the fast path again
        assert state.waited == 1
