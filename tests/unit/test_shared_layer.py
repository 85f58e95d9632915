"""The shared bots layer: one bounded map, the in-memory state store, the flood limit, and
answering with a remembered language (the core itself keeps none)."""

from __future__ import annotations

from pathlib import Path

from iombot.bots.bootstrap import make_services
from iombot.bots.bounded import BoundedMap
from iombot.bots.flood import FloodGate, Verdict
from iombot.bots.settings import Settings
from iombot.bots.shared import Services
from iombot.bots.state import MemoryState
from iombot.core.reply import Query


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bounded_map_forgets_the_least_recently_used_first():
    seen: BoundedMap[str, int] = BoundedMap(capacity=2)
    seen.set("a", 1)
    seen.set("b", 2)
    assert seen.get("a") == 1  # a use: "b" is now the oldest
    seen.set("c", 3)
    assert "b" not in seen and seen.get("a") == 1 and seen.get("c") == 3
    assert len(seen) == 2


def test_bounded_map_entries_expire_after_their_time_to_live():
    clock = Clock()
    cache: BoundedMap[str, str] = BoundedMap(capacity=10, ttl=60, clock=clock)
    cache.set("long", "x")
    cache.set("short", "y", ttl=5)
    clock.now += 5
    assert cache.get("short") is None and cache.get("long") == "x"
    clock.now += 55
    assert cache.get("long") is None and len(cache) == 0


def test_a_bounded_map_holds_a_none_value_too():
    clock = Clock()
    handled: BoundedMap[str, None] = BoundedMap(capacity=2, ttl=5, clock=clock)
    handled.set("a", None)
    assert "a" in handled and "b" not in handled
    clock.now += 5
    assert "a" not in handled and len(handled) == 0  # expired: dropped


async def test_event_ids_are_new_once_within_their_ttl_and_bounded():
    clock = Clock()
    state = MemoryState(events=3, clock=clock)
    seen = [await state.first_time(k, 60) for k in ("a", "b", "a", "c", "d", "e", "a")]
    # "a" is forgotten once three newer ids have come: only the last three are kept.
    assert seen == [True, True, False, True, True, True, True]
    clock.now += 61
    assert await state.first_time("e", 60)  # expired: new again


async def admit(shared: Services, sender: str) -> Verdict:
    """One message from `sender` through the flood limit, as every adapter passes it."""
    query = Query(text="hi", user_id=sender, platform="telegram")
    verdict, _ = await shared.admit("telegram", sender, query)
    return verdict


async def test_budget_then_one_notice_then_silence_until_the_window_passes(answerer):
    clock = Clock()
    shared = services(answerer, MemoryState(clock=clock))
    shared.flood = FloodGate(limit=3, window=60)
    assert [await admit(shared, "u") for _ in range(6)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.NOTICE,
        Verdict.DROP,
        Verdict.DROP,
    ]
    assert await admit(shared, "other") is Verdict.ALLOW  # users are counted apart
    clock.now += 59.9
    assert await admit(shared, "u") is Verdict.DROP
    clock.now += 0.2
    assert await admit(shared, "u") is Verdict.ALLOW


async def test_a_flood_of_distinct_users_stays_within_the_cap(answerer):
    state = MemoryState(windows=100)
    shared = services(answerer, state)
    shared.flood = FloodGate(limit=1)
    for n in range(10_000):
        assert await admit(shared, f"user{n}") is Verdict.ALLOW
    assert len(state._windows) == 100


async def test_the_least_recently_seen_user_is_forgotten_first(answerer):
    shared = services(answerer, MemoryState(windows=2))
    shared.flood = FloodGate(limit=1)
    await admit(shared, "busy")
    assert await admit(shared, "busy") is Verdict.NOTICE
    await admit(shared, "a")
    await admit(shared, "busy")  # seen again: kept
    await admit(shared, "b")  # evicts "a", the oldest
    assert await admit(shared, "busy") is Verdict.DROP


def services(answerer, state=None) -> Services:
    settings = Settings(content_dir=Path("."))
    return make_services(settings, answerer=answerer, state=state)


async def test_a_language_choice_is_remembered_per_user_by_the_store(answerer):
    shared = services(answerer)

    async def ask(text: str, user: str, platform: str = "telegram"):
        query = Query(text=text, user_id=user, platform=platform)
        return await shared.answer(await shared.with_profile(query))

    assert (await ask("/lang ja", "7")).chosen_language == "ja"
    assert await shared.state.get_profile("telegram:7") == {"language": "ja"}
    assert (await ask("/contact", "7")).language == "ja"
    # Another user, and the same id on another platform, are other people.
    assert (await ask("/contact", "8")).language == "en"
    assert (await ask("/contact", "7", "slack")).language == "en"
    # A language button works the same way.
    await shared.act(Query(text="", user_id="7", platform="telegram"), "lang:en")
    assert await shared.language_for(Query(text="hello", user_id="7", platform="telegram")) == "en"


async def test_the_core_keeps_no_state_between_answers(answerer):
    chose = answerer.answer(Query(text="/lang ja", user_id="7", platform="telegram"))
    assert chose.chosen_language == "ja"
    after = answerer.answer(Query(text="/contact", user_id="7", platform="telegram"))
    assert after.language == "en"  # only the caller, passing the choice in, changes it
    passed = answerer.answer(Query(text="/contact", user_id="7", language="ja"))
    assert passed.language == "ja"


async def test_over_the_budget_is_counted_in_metrics(answerer):
    shared = services(answerer)
    shared.flood = FloodGate(limit=1)
    query = Query(text="hi", user_id="U1", platform="slack")
    verdicts = [(await shared.admit("slack", "U1", query))[0] for _ in range(3)]
    assert verdicts == [Verdict.ALLOW, Verdict.NOTICE, Verdict.DROP]
    assert shared.metrics.rate_limited.labels("slack")._value.get() == 2


async def test_admit_reads_the_remembered_language_in_the_same_call(answerer):
    shared = services(answerer)
    me = Query(text="/lang ja", user_id="7", platform="telegram")
    await shared.answer(me)
    verdict, query = await shared.admit(
        "telegram", "7", Query(text="hi", user_id="7", platform="telegram")
    )
    assert verdict is Verdict.ALLOW and query.language == "ja"
    reply = await shared.answer(
        query.__class__(text="/contact", user_id="7", platform="telegram", language=query.language)
    )
    assert reply.language == "ja"
    _, stranger = await shared.admit(
        "telegram", "8", Query(text="hi", user_id="8", platform="telegram")
    )
    assert stranger.language is None


async def test_a_language_choice_is_one_key_of_the_profile_and_keeps_the_others(answerer):
    shared = services(answerer)
    await shared.state.update_profile("telegram:7", {"digest": True})
    await shared.answer(Query(text="/lang ja", user_id="7", platform="telegram"))
    assert await shared.state.get_profile("telegram:7") == {"digest": True, "language": "ja"}
    _, query = await shared.admit(
        "telegram", "7", Query(text="hi", user_id="7", platform="telegram")
    )
    assert query.language == "ja"


async def test_a_profile_without_a_language_leaves_the_query_as_it_was(answerer):
    shared = services(answerer)
    await shared.state.update_profile("telegram:7", {"digest": True, "language": None})
    hello = Query(text="hi", user_id="7", platform="telegram")
    _, query = await shared.admit("telegram", "7", hello)
    assert query is hello
    assert await shared.language_for(hello) == "en"
