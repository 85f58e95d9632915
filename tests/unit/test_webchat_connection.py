"""An open web chat page remembers the entries it has shown, so that none is shown twice; a
process remembers the outbox entries it has handled."""

from __future__ import annotations

from iombot.bots.bootstrap import make_services
from iombot.bots.settings import Settings
from iombot.bots.state import MemoryState
from iombot.bots.webchat.adapter import SEEN, Connection, WebchatAdapter


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


async def test_a_process_asks_the_store_once_whether_it_keeps_an_outbox_entry(answerer):
    class Counting(MemoryState):
        claims = 0

        async def first_time(self, key: str, ttl: float) -> bool:
            self.claims += 1
            return await super().first_time(key, ttl)

    state = Counting()
    settings = Settings.from_env({"WEBCHAT_ENABLED": "1"})
    services = make_services(settings, state=state, answerer=answerer)
    adapter = WebchatAdapter(services, settings.platforms["webchat"])
    entry = {"from": "bot", "id": "staff"}
    for _ in range(3):  # the outbox read again before the record says it is kept
        await adapter._keep("s", entry)
    assert state.claims == 1
    assert await adapter.transcripts.load("s") == [entry]
