"""An open web chat page remembers the entries it has shown, so that none is shown twice."""

from __future__ import annotations

from iombot.bots.webchat.adapter import SEEN, Connection


def test_a_page_shows_an_entry_once_and_forgets_only_the_least_recently_seen():
    page = Connection(None, "127.0.0.1")  # type: ignore[arg-type]
    assert page.saw({"from": "bot", "id": "a"})
    assert not page.saw({"from": "bot", "id": "a"})  # the outbox read again: not shown twice
    assert page.saw({"from": "user", "text": "no id"}) and page.saw({"from": "user", "text": "x"})
    for n in range(SEEN - 1):
        assert page.saw({"from": "bot", "id": f"e{n}"})
    assert not page.saw({"from": "bot", "id": "a"})  # seen again: now the most recent
    assert page.saw({"from": "bot", "id": "one more"})  # past SEEN: e0 is forgotten, not all
    assert page.saw({"from": "bot", "id": "e0"})
    assert not any(page.saw({"from": "bot", "id": f"e{n}"}) for n in range(2, SEEN - 1))
    assert not page.saw({"from": "bot", "id": "a"})
