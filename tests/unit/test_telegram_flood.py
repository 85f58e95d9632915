"""The inbound flood gate: a budget per user and window, one notice, bounded memory."""

from __future__ import annotations

from iombot.bots.telegram.flood import FloodGate, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_budget_then_one_notice_then_silence_until_the_window_passes():
    clock = Clock()
    gate = FloodGate(limit=3, window=60, clock=clock)
    assert [gate.check("u") for _ in range(6)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.NOTICE,
        Verdict.DROP,
        Verdict.DROP,
    ]
    assert gate.check("other") is Verdict.ALLOW  # users are counted apart
    clock.now += 59.9
    assert gate.check("u") is Verdict.DROP
    clock.now += 0.2
    assert gate.check("u") is Verdict.ALLOW


def test_a_flood_of_distinct_users_stays_within_the_cap():
    gate = FloodGate(limit=1, capacity=100)
    for n in range(10_000):
        assert gate.check(f"user{n}") is Verdict.ALLOW
    assert len(gate) == 100


def test_the_least_recently_seen_user_is_forgotten_first():
    gate = FloodGate(limit=1, capacity=2)
    gate.check("busy")
    assert gate.check("busy") is Verdict.NOTICE
    gate.check("a")
    gate.check("busy")  # seen again: kept
    gate.check("b")  # evicts "a", the oldest
    assert gate.check("busy") is Verdict.DROP
